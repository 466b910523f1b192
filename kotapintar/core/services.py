"""Writes of the kernel: the working-day calendar's exceptions.

(Notification writes live with the outbox in kotapintar.core.notifications.services.)
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from . import audit, calendar
from .errors import DomainError
from .models import CalendarDay

_FIELDS = ["date", "kind", "description"]


def check_calendar_day(*, date: dt.date, kind: str, description: str, exclude_pk: int | None = None) -> None:
    """Raise DomainError when the entry breaks a rule (forms call it to show the message)."""
    if kind not in CalendarDay.Kind.values:
        raise DomainError(_("Choose whether the date is an extra day off or a working day."), code="invalid")
    if not description.strip():
        raise DomainError(_("Describe the date, e.g. the decree that sets it."), code="invalid")
    clash = CalendarDay.objects.filter(date=date)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise DomainError(
            _("%(date)s already has an entry in the calendar: change that entry instead.")
            % {"date": date_format(date, "DATE_FORMAT")},
            code="duplicate",
        )


def _on_commit_invalidate(*years: int) -> None:
    transaction.on_commit(lambda: calendar.invalidate(*years))


@transaction.atomic
def calendar_day_create(*, actor, date: dt.date, kind: str, description: str) -> CalendarDay:
    """Add an exception to the national calendar (an extra day off or a working day)."""
    check_calendar_day(date=date, kind=kind, description=description)
    try:
        with transaction.atomic():
            day = CalendarDay.objects.create(date=date, kind=kind, description=description.strip())
    except IntegrityError as exc:  # a concurrent request added the same date
        raise DomainError(
            _("%(date)s already has an entry in the calendar: change that entry instead.")
            % {"date": date_format(date, "DATE_FORMAT")},
            code="duplicate",
        ) from exc
    audit.record(actor=actor, action="calendar_day.create", obj=day, after=audit.snapshot(day, _FIELDS))
    _on_commit_invalidate(date.year)
    return day


@transaction.atomic
def calendar_day_update(
    *,
    actor,
    day: CalendarDay,
    date: dt.date | None = None,
    kind: str | None = None,
    description: str | None = None,
) -> CalendarDay:
    """Change an exception; fields left as None keep their value."""
    current = CalendarDay.objects.select_for_update().get(pk=day.pk)
    before = audit.snapshot(current, _FIELDS)
    new_date = date if date is not None else current.date
    new_kind = kind if kind is not None else current.kind
    new_description = description if description is not None else current.description
    check_calendar_day(date=new_date, kind=new_kind, description=new_description, exclude_pk=current.pk)
    current.date, current.kind, current.description = new_date, new_kind, new_description.strip()
    current.save(update_fields=_FIELDS)
    after = audit.snapshot(current, _FIELDS)
    if after != before:
        audit.record(actor=actor, action="calendar_day.update", obj=current, before=before, after=after)
    _on_commit_invalidate(dt.date.fromisoformat(before["date"]).year, new_date.year)
    return current


@transaction.atomic
def calendar_day_delete(*, actor, day: CalendarDay) -> None:
    """Remove an exception: the date follows the national calendar again."""
    current = CalendarDay.objects.select_for_update().get(pk=day.pk)
    audit.record(actor=actor, action="calendar_day.delete", obj=current, before=audit.snapshot(current, _FIELDS))
    year = current.date.year
    current.delete()
    _on_commit_invalidate(year)
