"""Service-time arithmetic in working days (core.calendar) and the deadline badges of the queues.

- A step is due `deadline_days` working days after the application reached it (end of that
  WIB day; 0 days = by the end of the same working day).
- The whole application is due the published service time (the sum of its steps) after
  submission.
- While the application is with the applicant (returned for completion, or waiting for
  payment) the clock stops: on its return the deadlines move on by the working days it was
  away (working_days_between(paused, resumed)).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kotapintar.core import calendar


def due_after(start: dt.datetime, days: int) -> dt.datetime:
    return calendar.add_working_days(start, days)


def extend(due: dt.datetime | None, working_days: int) -> dt.datetime | None:
    if due is None or working_days <= 0:
        return due
    return calendar.add_working_days(due, working_days)


def paused_working_days(started: dt.datetime, ended: dt.datetime) -> int:
    return max(calendar.working_days_between(started, ended), 0)


@dataclass(frozen=True)
class Deadline:
    """A deadline as a badge: state (overdue, today, soon, ok, paused, done), working days and a label."""

    state: str
    days: int
    label: str
    due_at: dt.datetime | None

    @property
    def css(self) -> str:
        return {
            "overdue": "text-bg-danger",
            "today": "text-bg-warning",
            "soon": "text-bg-info",
            "ok": "text-bg-success",
            "paused": "text-bg-secondary",
        }.get(self.state, "text-bg-light")


def deadline(due_at: dt.datetime | None, *, paused: bool = False, now: dt.datetime | None = None) -> Deadline:
    if paused:
        return Deadline("paused", 0, _("clock stopped: with the applicant"), due_at)
    if due_at is None:
        return Deadline("none", 0, "", None)
    now = now or timezone.now()
    if now > due_at:
        late = max(calendar.working_days_between(due_at, now), 0)
        if late == 0:
            return Deadline("overdue", 0, _("overdue"), due_at)
        return Deadline(
            "overdue",
            late,
            ngettext("overdue by %(n)d working day", "overdue by %(n)d working days", late) % {"n": late},
            due_at,
        )
    left = calendar.working_days_between(now, due_at)
    if left <= 0:
        return Deadline("today", 0, _("due today"), due_at)
    if left == 1:
        return Deadline("soon", 1, _("due next working day"), due_at)
    return Deadline(
        "ok", left, ngettext("%(n)d working day left", "%(n)d working days left", left) % {"n": left}, due_at
    )
