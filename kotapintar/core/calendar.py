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
import time
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


# A few seconds' memory of each year's exceptions in this process, on top of the shared
# cache: a page of 50 deadline badges then asks the cache (Redis: a network round trip)
# once per year, not once per badge and year. Another process's change is seen within
# _LOCAL_SECONDS; this process's own change at once (invalidate).
_LOCAL_SECONDS = 2.0
_local: dict[int, tuple[float, _Exceptions]] = {}


def _exceptions(year: int) -> _Exceptions:
    now = time.monotonic()
    held = _local.get(year)
    if held is not None and held[0] > now:
        return held[1]
    data = _shared_exceptions(year)
    _local[year] = (now + _LOCAL_SECONDS, data)
    return data


def forget_local() -> None:
    """Drop this process's short memory of the exceptions (tests, after clearing the cache)."""
    _local.clear()


def _shared_exceptions(year: int) -> _Exceptions:
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
    for year in years:
        _local.pop(year, None)
    cache.delete_many([_CACHE_KEY.format(year=y) for y in set(years)])


@functools.lru_cache(maxsize=128)
def _year_counts(
    year: int, national: frozenset[dt.date], days_off: frozenset[dt.date], working: frozenset[dt.date]
) -> tuple[int, ...]:
    """counts[k] = working days from 1 January up to and including day k of the year
    (k = 1 … 365/366; counts[0] = 0). Keyed by the year's days off and working days, so an
    administrator's change gives a new table (the cached exceptions decide, as everywhere)."""
    counts = [0]
    day = dt.date(year, 1, 1)
    one = dt.timedelta(days=1)
    while day.year == year:
        if day in working:
            works = True
        elif day in days_off or day in national:
            works = False
        else:
            works = day.weekday() < 5
        counts.append(counts[-1] + works)
        day += one
    return tuple(counts)


class _Lookup:
    """Answers for one call: each year's data is fetched at most once."""

    def __init__(self) -> None:
        self._years: dict[int, tuple[dict[dt.date, str], _Exceptions]] = {}
        self._tables: dict[int, tuple[int, ...]] = {}

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

    def through(self, day: dt.date) -> int:
        """Working days from 1 January of the day's year up to and including the day."""
        return self._counts(day.year)[day.timetuple().tm_yday]

    def in_year(self, year: int) -> int:
        return self._counts(year)[-1]

    def _counts(self, year: int) -> tuple[int, ...]:
        if year not in self._tables:
            national, exceptions = self._year(year)
            self._tables[year] = _year_counts(
                year, frozenset(national), frozenset(exceptions.days_off), frozenset(exceptions.working_days)
            )
        return self._tables[year]

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
    # Per-year running counts (cached): a report years overdue costs a few lookups, not a
    # walk over every day in between.
    if first.year == last.year:
        count = lookup.through(last) - lookup.through(first)
    else:
        count = lookup.in_year(first.year) - lookup.through(first)
        count += sum(lookup.in_year(year) for year in range(first.year + 1, last.year))
        count += lookup.through(last)
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
