"""The working-day calendar (hari kerja) of the city's offices.

A day is a working day when it is Monday to Friday, not a national holiday (libur
nasional), not a joint leave day (cuti bersama, when settings.CALENDAR_INCLUDE_CUTI_BERSAMA
is on, the default) and not an extra day off entered by an administrator — unless an
administrator entered it as a working day, which wins over everything else (a working
Saturday, a cuti bersama the city's offices do not take).

National holidays and cuti bersama come from the `holidays` package (Indonesia,
categories "public" and "government"); the exceptions come from the CalendarDay table,
which is only written through the services in kotapintar.core.services. Dates are
calendar dates in Asia/Jakarta (WIB): an aware datetime is converted to WIB first, so
23:30 UTC on Thursday is already Friday.

Counting rule used by every SLA of the platform: "n working days after" a moment counts
working days that come AFTER the day of that moment; the day itself never counts, whether
it is a working day or not. A report filed on Friday evening (or on Friday morning, or on
Saturday) with 3 working days is due at the end of Wednesday, when Monday to Wednesday
are working days.

Speed: the package's holidays are computed once per (year, setting) in each process; the
CalendarDay exceptions of a year are kept in the Django cache and dropped when a service
changes them (after commit). With a shared cache (Redis) every process sees a change at
once; with the embedded local-memory cache other processes see it within CACHE_SECONDS.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import TypeVar, overload
from zoneinfo import ZoneInfo

import holidays as holidays_package
from django.conf import settings
from django.core.cache import cache
from django.utils import translation

WIB = ZoneInfo("Asia/Jakarta")
CACHE_SECONDS = 300
_CACHE_KEY = "core:calendar:exceptions:v1:{year}"
# Guard against a broken calendar (e.g. an administrator marking a whole year off):
# searching this far without finding a working day is an error, not an endless loop.
_MAX_SEARCH_DAYS = 3 * 366

D = TypeVar("D", dt.date, dt.datetime)


@dataclass(frozen=True)
class _Exceptions:
    """The CalendarDay rows of one year."""

    days_off: dict[dt.date, str]
    working_days: dict[dt.date, str]


# --- the package's holidays ------------------------------------------------------------


def _package_language() -> str:
    return "en_US" if (translation.get_language() or "id").startswith("en") else "id"


@functools.lru_cache(maxsize=64)
def _national(year: int, include_cuti_bersama: bool, language: str = "id") -> dict[dt.date, str]:
    categories: tuple[str, ...] = ("public", "government") if include_cuti_bersama else ("public",)
    days = holidays_package.country_holidays("ID", years=year, language=language, categories=categories)
    return dict(sorted(days.items()))


def _national_days(year: int) -> dict[dt.date, str]:
    return _national(year, bool(settings.CALENDAR_INCLUDE_CUTI_BERSAMA))


# --- the administrator's exceptions ------------------------------------------------------


def _exceptions(year: int) -> _Exceptions:
    key = _CACHE_KEY.format(year=year)
    data = cache.get(key)
    if data is None:
        from .models import CalendarDay

        days_off: dict[dt.date, str] = {}
        working: dict[dt.date, str] = {}
        rows = CalendarDay.objects.filter(date__year=year).values_list("date", "kind", "description")
        for date, kind, description in rows:
            (working if kind == CalendarDay.Kind.WORKING_DAY else days_off)[date] = description
        data = _Exceptions(days_off=days_off, working_days=working)
        cache.set(key, data, CACHE_SECONDS)
    return data


def invalidate(*years: int) -> None:
    """Forget the cached exceptions of these years (the services call this on commit)."""
    cache.delete_many([_CACHE_KEY.format(year=y) for y in set(years)])


class _Lookup:
    """Answers for one call: each year's data is fetched at most once."""

    def __init__(self) -> None:
        self._years: dict[int, tuple[dict[dt.date, str], _Exceptions]] = {}

    def _year(self, year: int) -> tuple[dict[dt.date, str], _Exceptions]:
        if year not in self._years:
            self._years[year] = (_national_days(year), _exceptions(year))
        return self._years[year]

    def is_working_day(self, day: dt.date) -> bool:
        national, exceptions = self._year(day.year)
        if day in exceptions.working_days:
            return True
        if day in exceptions.days_off or day in national:
            return False
        return day.weekday() < 5

    def next_working_day(self, day: dt.date) -> dt.date:
        for _ in range(_MAX_SEARCH_DAYS):
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                return day
        raise RuntimeError(f"no working day within {_MAX_SEARCH_DAYS} days after {day}")


# --- public API ---------------------------------------------------------------------------


def local_date(value: dt.date | dt.datetime) -> dt.date:
    """The calendar date in WIB of a date or an aware datetime."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware datetime (stored times are UTC)")
        return value.astimezone(WIB).date()
    return value


def end_of_day(day: dt.date) -> dt.datetime:
    """The last instant of a WIB calendar day, as an aware datetime."""
    return dt.datetime.combine(day, dt.time.max, tzinfo=WIB)


def is_working_day(value: dt.date | dt.datetime) -> bool:
    """Whether the city's offices work on this day (a datetime counts by its WIB date)."""
    return _Lookup().is_working_day(local_date(value))


def next_working_day(value: dt.date | dt.datetime) -> dt.date:
    """The first working day strictly after the (WIB) day of `value`."""
    return _Lookup().next_working_day(local_date(value))


@overload
def add_working_days(start: dt.datetime, n: int) -> dt.datetime: ...
@overload
def add_working_days(start: dt.date, n: int) -> dt.date: ...
def add_working_days(start, n):
    """The deadline `n` working days after `start`.

    - n ≥ 1: the n-th working day AFTER the WIB day of `start` (that day itself never
      counts, even when it is a working day). Friday + 3 → Wednesday (Mon, Tue, Wed).
    - n = 0: the day of `start` if it is a working day, otherwise the next working day
      ("today" rolls forward to the day the offices open).

    A date gives a date. An aware datetime gives an aware datetime in WIB at the END of
    the due day (23:59:59.999999 WIB), so "due" always means "by the end of that working
    day", whatever the time of filing. Naive datetimes and negative n are refused.
    """
    if n < 0:
        raise ValueError("n must be zero or more")
    lookup = _Lookup()
    day = local_date(start)
    if n == 0:
        due = day if lookup.is_working_day(day) else lookup.next_working_day(day)
    else:
        due = day
        for _ in range(n):
            due = lookup.next_working_day(due)
    if isinstance(start, dt.datetime):
        return end_of_day(due)
    return due


def working_days_between(a: dt.date | dt.datetime, b: dt.date | dt.datetime) -> int:
    """The number of working days after `a` up to and including `b` (WIB days).

    Negative when `b` is before `a`: minus the working days after `b` up to and including
    `a`. It inverts add_working_days: working_days_between(s, add_working_days(s, n)) == n
    for n ≥ 1, and a day past the deadline gives n + (working days late).
    """
    first, last = local_date(a), local_date(b)
    sign = 1
    if last < first:
        first, last, sign = last, first, -1
    lookup = _Lookup()
    count = 0
    day = first
    while day < last:
        day += dt.timedelta(days=1)
        if lookup.is_working_day(day):
            count += 1
    return sign * count


def holidays_in(year: int) -> dict[dt.date, str]:
    """The days off of a year other than plain weekends, by date, with their names.

    National holidays, cuti bersama (when counted) and the administrator's extra days off;
    days an administrator made working days are left out. Names follow the active
    language (Indonesian, or English when the interface is in English).
    """
    national = _national(year, bool(settings.CALENDAR_INCLUDE_CUTI_BERSAMA), _package_language())
    exceptions = _exceptions(year)
    days: dict[dt.date, str] = dict(national)
    for day, description in exceptions.days_off.items():
        days[day] = f"{days[day]}; {description}" if day in days and description not in days[day] else description
    for day in exceptions.working_days:
        days.pop(day, None)
    return dict(sorted(days.items()))


def upcoming_days_off(start: dt.date | dt.datetime, *, limit: int = 5) -> list[tuple[dt.date, str]]:
    """The next days off (as in holidays_in) on or after the WIB day of `start`."""
    day = local_date(start)
    found: list[tuple[dt.date, str]] = []
    for year in (day.year, day.year + 1):
        found.extend((d, name) for d, name in holidays_in(year).items() if d >= day)
        if len(found) >= limit:
            break
    return found[:limit]
