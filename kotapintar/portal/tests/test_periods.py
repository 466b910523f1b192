"""Reporting periods of the IKM."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from kotapintar.portal import periods


@pytest.mark.parametrize(
    ("key", "start", "end"),
    [
        ("2026", dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
        ("2026-S2", dt.date(2026, 7, 1), dt.date(2026, 12, 31)),
        ("2026-Q1", dt.date(2026, 1, 1), dt.date(2026, 3, 31)),
        ("2024-02", dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
        ("2026-q4", dt.date(2026, 10, 1), dt.date(2026, 12, 31)),
    ],
)
def test_keys_and_bounds(key, start, end):
    period = periods.parse(key)
    assert (period.start, period.end) == (start, end)
    assert periods.parse(period.key) == period


@pytest.mark.parametrize("key", ["", "26", "2026-13", "2026-Q5", "2026-S3", "2026-00", "abcd", "1999"])
def test_invalid_keys(key):
    with pytest.raises(periods.InvalidPeriod):
        periods.parse(key)


def test_neighbours_and_containing():
    assert periods.parse("2026-Q1").previous().key == "2025-Q4"
    assert periods.parse("2026-12").next().key == "2027-01"
    assert periods.containing(dt.date(2026, 8, 17), periods.QUARTER).key == "2026-Q3"
    assert periods.containing(dt.date(2026, 6, 30), periods.SEMESTER).key == "2026-S1"
    assert [p.key for p in periods.recent(periods.parse("2026-02"), 3)] == ["2025-12", "2026-01", "2026-02"]


def test_labels_in_indonesian():
    with translation.override("id"):
        assert periods.parse("2026-Q3").label == "Triwulan III 2026"
        assert periods.parse("2026-S1").label == "Semester I 2026"
        assert periods.parse("2026-08").label == "Agustus 2026"
        assert periods.parse("2026").label == "Tahun 2026"
