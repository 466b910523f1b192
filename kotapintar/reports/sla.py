"""Time limits of the complaint process (reports.md), in working days (core.calendar).

| stage                                   | limit                                   |
|-----------------------------------------|-----------------------------------------|
| filed → verified and routed             | 3 working days after filing             |
| routed → first public follow-up         | 5 working days after routing            |
| routed → resolved                       | the category's resolution_days          |
| resolved → closed when the reporter is silent | 10 working days after the last follow-up |
| reopen by the reporter                  | while resolved, and 10 working days after closing |

A deadline is the END of its working day in WIB. The current stage's deadline is kept in
``Report.due_at`` (what queues sort by and the sweep looks at). Escalation of an overdue
report: level 1 (the officer, or the verifier desk) when the deadline passes, level 2 (the
agency head) one working day later, level 3 (leadership) three working days later.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from kotapintar.core import calendar

from .models import AGENCY_STATUSES, TRIAGE_STATUSES, DeadlineState, Report, Status

VERIFY_DAYS = 3
RESPONSE_DAYS = 5
AUTO_CLOSE_DAYS = 10
REOPEN_DAYS = 10
#: Working days after the deadline at which each escalation level is reached.
ESCALATION_LADDER = {1: 0, 2: 1, 3: 3}
MAX_ESCALATION = 3


def verify_due(filed_at: dt.datetime) -> dt.datetime:
    return calendar.add_working_days(filed_at, VERIFY_DAYS)


def response_due(routed_at: dt.datetime) -> dt.datetime:
    return calendar.add_working_days(routed_at, RESPONSE_DAYS)


def resolution_due(start: dt.datetime, resolution_days: int) -> dt.datetime:
    return calendar.add_working_days(start, max(int(resolution_days), 0))


def auto_close_due(last_follow_up_at: dt.datetime) -> dt.datetime:
    return calendar.add_working_days(last_follow_up_at, AUTO_CLOSE_DAYS)


def reopen_until(closed_at: dt.datetime) -> dt.datetime:
    return calendar.add_working_days(closed_at, REOPEN_DAYS)


def current_due(report: Report) -> dt.datetime | None:
    """The deadline of the stage the report is in (what someone at the city owes next)."""
    if report.status in TRIAGE_STATUSES:
        return report.verify_due
    if report.status == Status.DISPOSITIONED:
        dues = [d for d in (report.response_due, report.resolution_due) if d is not None]
        return min(dues) if dues else None
    if report.status == Status.IN_PROGRESS:
        return report.resolution_due
    return None


def escalation_moment(due: dt.datetime, level: int) -> dt.datetime:
    """When an overdue report reaches `level` (1: at the deadline; 2: +1 working day; 3: +3)."""
    extra = ESCALATION_LADDER[level]
    return due if extra == 0 else calendar.add_working_days(due, extra)


def escalation_level_at(due: dt.datetime | None, now: dt.datetime) -> int:
    """The escalation level a report with this deadline should have reached at `now`."""
    if due is None or now <= due:
        return 0
    level = 0
    for candidate in sorted(ESCALATION_LADDER):
        if now <= escalation_moment(due, candidate):
            break
        level = candidate
    return level


def deadline_state(report: Report, now: dt.datetime | None = None) -> str:
    """Badge of a report for the UIs: on_time, due_soon (due by the end of the next working
    day), overdue, or none (nothing owed by the city: resolved, closed, set aside…)."""
    if report.status not in TRIAGE_STATUSES | AGENCY_STATUSES or report.due_at is None:
        return DeadlineState.NONE
    return deadline_state_for(report.due_at, now)


def deadline_state_for(due: dt.datetime | None, now: dt.datetime | None = None) -> str:
    if due is None:
        return DeadlineState.NONE
    now = now or timezone.now()
    if now > due:
        return DeadlineState.OVERDUE
    if calendar.local_date(due) <= calendar.next_working_day(now):
        return DeadlineState.DUE_SOON
    return DeadlineState.ON_TIME


def working_days_left(due: dt.datetime | None, now: dt.datetime | None = None) -> int | None:
    """Working days from today to the deadline (0 = due today; negative = days late)."""
    if due is None:
        return None
    return calendar.working_days_between(now or timezone.now(), due)
