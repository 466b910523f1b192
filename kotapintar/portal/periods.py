"""Reporting periods of the IKM: month, quarter (triwulan), semester and year.

A period has a key used in URLs and the API — "2026-11" (month), "2026-Q4" (quarter),
"2026-S2" (semester), "2026" (year) — and covers whole WIB calendar days from `start` to
`end` inclusive. Responses are counted in the period of the day they were answered.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MONTH, QUARTER, SEMESTER, YEAR = "month", "quarter", "semester", "year"
KINDS = (MONTH, QUARTER, SEMESTER, YEAR)
KIND_LABELS = {
    MONTH: gettext_lazy("Month"),
    QUARTER: gettext_lazy("Quarter"),
    SEMESTER: gettext_lazy("Semester"),
    YEAR: gettext_lazy("Year"),
}
_MONTHS_IN = {MONTH: 1, QUARTER: 3, SEMESTER: 6, YEAR: 12}
_ROMAN = ("I", "II", "III", "IV")
_KEY_RE = re.compile(r"^(?P<year>\d{4})(?:-(?:(?P<month>\d{2})|Q(?P<quarter>[1-4])|S(?P<semester>[12])))?$")
MIN_YEAR, MAX_YEAR = 2000, 2100


class InvalidPeriod(ValueError):
    """A period key that is not one of YYYY, YYYY-MM, YYYY-Qn, YYYY-Sn."""


@dataclass(frozen=True, order=True)
class Period:
    kind: str
    year: int
    index: int  # month 1-12, quarter 1-4, semester 1-2; 1 for a year

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise InvalidPeriod(f"unknown period kind {self.kind!r}")
        if not MIN_YEAR <= self.year <= MAX_YEAR or not 1 <= self.index <= 12 // _MONTHS_IN[self.kind]:
            raise InvalidPeriod(f"no such period: {self.kind} {self.year}/{self.index}")

    @property
    def key(self) -> str:
        if self.kind == MONTH:
            return f"{self.year}-{self.index:02d}"
        if self.kind == QUARTER:
            return f"{self.year}-Q{self.index}"
        if self.kind == SEMESTER:
            return f"{self.year}-S{self.index}"
        return f"{self.year}"

    @property
    def first_month(self) -> int:
        return (self.index - 1) * _MONTHS_IN[self.kind] + 1

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, self.first_month, 1)

    @property
    def end(self) -> dt.date:
        return self.next().start - dt.timedelta(days=1)

    @property
    def label(self) -> str:
        if self.kind == MONTH:
            return f"{MONTHS[self.index]} {self.year}"
        if self.kind == QUARTER:
            return _("Quarter %(number)s %(year)s") % {"number": _ROMAN[self.index - 1], "year": self.year}
        if self.kind == SEMESTER:
            return _("Semester %(number)s %(year)s") % {"number": _ROMAN[self.index - 1], "year": self.year}
        return _("Year %(year)s") % {"year": self.year}

    @property
    def short_label(self) -> str:
        if self.kind == MONTH:
            return f"{self.index:02d}/{self.year}"
        if self.kind == YEAR:
            return str(self.year)
        return f"{'Q' if self.kind == QUARTER else 'S'}{self.index}/{self.year}"

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def next(self) -> Period:
        count = 12 // _MONTHS_IN[self.kind]
        if self.index < count:
            return Period(self.kind, self.year, self.index + 1)
        return Period(self.kind, self.year + 1, 1)

    def previous(self) -> Period:
        if self.index > 1:
            return Period(self.kind, self.year, self.index - 1)
        return Period(self.kind, self.year - 1, 12 // _MONTHS_IN[self.kind])

    def __str__(self) -> str:
        return self.key


def containing(day: dt.date, kind: str = YEAR) -> Period:
    """The period of `kind` that contains the WIB day `day`."""
    if kind not in KINDS:
        raise InvalidPeriod(f"unknown period kind {kind!r}")
    return Period(kind, day.year, (day.month - 1) // _MONTHS_IN[kind] + 1)


def current(kind: str = YEAR) -> Period:
    return containing(timezone.localdate(), kind)


def parse(key: str) -> Period:
    """The period of a key (see the module docstring); InvalidPeriod otherwise."""
    match = _KEY_RE.match((key or "").strip().upper())
    if not match:
        raise InvalidPeriod(f"not a period: {key!r}")
    year = int(match["year"])
    if match["month"]:
        return Period(MONTH, year, int(match["month"]))
    if match["quarter"]:
        return Period(QUARTER, year, int(match["quarter"]))
    if match["semester"]:
        return Period(SEMESTER, year, int(match["semester"]))
    return Period(YEAR, year, 1)


def recent(period: Period, count: int) -> list[Period]:
    """`count` consecutive periods ending with `period`, oldest first."""
    found = [period]
    while len(found) < count:
        found.append(found[-1].previous())
    return found[::-1]
