#!/usr/bin/env python
"""Benchmark of the kernel's working-day calendar and CSV export.

Calendar (kotapintar.core.calendar)
  * 5,000 SLA deadlines add_working_days(start, n) with random starts over 2025–2026 and
    n in 1..20, with 30 administrator exceptions in the table;
  * baseline, interleaved in rounds with the cached run: the same counting done the
    naive way, building the `holidays` calendar and querying the CalendarDay table on
    every call (what the code would cost without its per-year cache);
  * the answers of both must agree (the cache must not change a single deadline).

CSV export (kotapintar.core.exports)
  * 100,000 rows of 7 columns (text, Decimal, aware datetime → WIB, dotted path, bool);
  * baseline, side by side: the same rows written with a bare csv.writer (str() of
    each value, no WIB conversion, no formula defusing).

Targets (exit status 1 when missed): cached calendar ≥ 20× faster than the baseline and
p50 ≤ 0.5 ms per deadline; CSV export at most 4× the bare csv.writer's time.

Run: .venv/bin/python bench/bench_calendar_exports.py
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
_tmp = tempfile.mkdtemp(prefix="kp-bench-calendar-")
os.environ["DATABASE_URL"] = f"sqlite:///{_tmp}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kotapintar.settings")

import django  # noqa: E402

django.setup()

import holidays as holidays_package  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402

from kotapintar.core import calendar, services  # noqa: E402
from kotapintar.core.exports import Column, csv_chunks  # noqa: E402
from kotapintar.core.models import CalendarDay  # noqa: E402

TARGET_SPEEDUP = 20.0
TARGET_P50_MS = 0.5
TARGET_CSV_RATIO = 4.0
UTC = dt.UTC


def naive_is_working_day(day: dt.date) -> bool:
    national = holidays_package.country_holidays(
        "ID", years=day.year, language="id", categories=("public", "government")
    )
    row = CalendarDay.objects.filter(date=day).values_list("kind", flat=True).first()
    if row == CalendarDay.Kind.WORKING_DAY:
        return True
    if row == CalendarDay.Kind.DAY_OFF or day in national:
        return False
    return day.weekday() < 5


def naive_add_working_days(start: dt.date, n: int) -> dt.date:
    day = start
    for _ in range(n):
        day += dt.timedelta(days=1)
        while not naive_is_working_day(day):
            day += dt.timedelta(days=1)
    return day


def bench_calendar() -> bool:
    call_command("migrate", verbosity=0)
    rng = random.Random(7)
    taken: set[dt.date] = set()
    with transaction.atomic():
        while len(taken) < 30:
            day = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(730))
            if day in taken:
                continue
            taken.add(day)
            kind = "working_day" if day.weekday() >= 5 else "day_off"
            services.calendar_day_create(actor=None, date=day, kind=kind, description="bench")
    calendar.invalidate(2025, 2026, 2027)

    cases = [(dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(700)), rng.randint(1, 20)) for _ in range(5000)]
    step = len(cases) // 100  # the naive way is slow: every 50th case, interleaved
    cached_times: list[float] = []
    naive_times: list[float] = []
    for i, (start, n) in enumerate(cases):
        t = time.perf_counter()
        due = calendar.add_working_days(start, n)
        cached_times.append(time.perf_counter() - t)
        if i % step == 0:
            t = time.perf_counter()
            naive = naive_add_working_days(start, n)
            naive_times.append(time.perf_counter() - t)
            if naive != due:
                print(f"MISMATCH {start} + {n}: cached {due}, naive {naive}")
                return False
    cached_p50 = statistics.median(cached_times) * 1000
    naive_p50 = statistics.median(naive_times) * 1000
    speedup = naive_p50 / cached_p50
    print("calendar: add_working_days, 5,000 deadlines (naive baseline on 100 of them)")
    print(f"  cached : p50 {cached_p50:.3f} ms, p95 {statistics.quantiles(cached_times, n=20)[-1] * 1000:.3f} ms")
    print(f"  naive  : p50 {naive_p50:.3f} ms")
    print(f"  ratio  : cached is {speedup:.0f}x faster (target >= {TARGET_SPEEDUP:.0f}x, p50 <= {TARGET_P50_MS} ms)")
    return speedup >= TARGET_SPEEDUP and cached_p50 <= TARGET_P50_MS


def make_rows(count: int):
    agency = SimpleNamespace(name="Dinas Pekerjaan Umum")
    when = dt.datetime(2025, 7, 3, 20, 0, tzinfo=UTC)
    for i in range(count):
        yield SimpleNamespace(
            number=i,
            title=f"Jalan berlubang di Jl. Pemuda nomor {i}",
            fee=Decimal("1250000.50"),
            when=when + dt.timedelta(minutes=i),
            agency=agency,
            paid=i % 2 == 0,
            note="=SUM(A1)" if i % 100 == 0 else "biasa",
        )


def bench_csv() -> bool:
    columns = [
        Column("Nomor", "number"),
        Column("Judul", "title"),
        Column("Biaya", "fee"),
        Column("Waktu", "when"),
        Column("Instansi", "agency.name"),
        Column("Lunas", "paid"),
        Column("Catatan", "note"),
    ]
    count = 100_000
    ours: list[float] = []
    bare: list[float] = []
    for _ in range(3):  # interleaved rounds
        t = time.perf_counter()
        size = sum(len(chunk) for chunk in csv_chunks(make_rows(count), columns))
        ours.append(time.perf_counter() - t)

        t = time.perf_counter()
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["Nomor", "Judul", "Biaya", "Waktu", "Instansi", "Lunas", "Catatan"])
        for row in make_rows(count):
            writer.writerow([row.number, row.title, row.fee, row.when, row.agency.name, row.paid, row.note])
        bare.append(time.perf_counter() - t)
    ratio = min(ours) / min(bare)
    print(f"csv export: {count:,} rows x 7 columns ({size / 1e6:.1f} MB)")
    print(f"  export_response CSV : {min(ours):.2f} s ({count / min(ours):,.0f} rows/s)")
    print(f"  bare csv.writer     : {min(bare):.2f} s")
    print(f"  ratio               : {ratio:.2f}x the bare writer (target <= {TARGET_CSV_RATIO:.0f}x)")
    return ratio <= TARGET_CSV_RATIO


def main() -> int:
    try:
        ok_calendar = bench_calendar()
        ok_csv = bench_csv()
    finally:
        shutil.rmtree(_tmp, ignore_errors=True)
    print("PASS" if ok_calendar and ok_csv else "FAIL")
    return 0 if ok_calendar and ok_csv else 1


if __name__ == "__main__":
    sys.exit(main())
