"""Public statistics of Lapor, pre-aggregated (the transparency page never scans reports).

    refresh(now=None) -> RefreshResult      rebuild ReportStat and ReportMapCell (one transaction)
    read(period) -> StatsView               what the statistics page shows (reads ReportStat only)
    ensure_fresh()                          queue a refresh when the figures are older than 5 min
    periods(now) -> list[Period]            30/90/365 days and the calendar years with reports

Definitions (shown on the page and in docs/lapor.md, "Transparansi"):

- A report belongs to a period by the day it was FILED (WIB). Merged duplicates are left out
  (their report counts once, in the report they were merged into). Every other report
  counts, confidential ones included: the figures are counts, never content.
- received: filed in the period; in progress: still open (awaiting verification, verified,
  routed, being handled); resolved: resolved or closed; set aside: not taken forward.
- on time: of the resolved reports that had a resolution deadline, the share resolved by it
  (the deadline is in working days, reports.md; `Report.resolved_on_time`).
- median days to first follow-up / to resolution: CALENDAR days (24-hour units, one
  decimal) from filing to the agency's first public follow-up / to resolution, over the
  reports that got one. Calendar days because that is how long a resident waits; the
  working-day limits are judged by the on-time share.
- average rating: the reporters' 1–5 ratings.

Agencies are the report's responsible agency (the primary one); reports not yet routed
count for the city only. Kecamatan is the one the point lies in.

Medians: PostgreSQL computes them in the database (percentile_cont); other databases
(SQLite, the embedded mode) go through `_python_medians`, which reads the durations and
takes the median in Python — the seam is `_figures()`. The calendar years are computed
together, grouped by year (one pass per dimension, not one per year).
"""

from __future__ import annotations

import datetime as dt
import logging
import statistics
import time
from collections import defaultdict
from dataclasses import dataclass, field

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Aggregate, Avg, Count, F, FloatField, Func, Max, Min, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, ExtractYear, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kotapintar.core import context
from kotapintar.core.calendar import WIB

from .models import OPEN_STATUSES, Report, Status
from .models_stats import ReportMapCell, ReportMapTotal, ReportStat

logger = logging.getLogger(__name__)

#: Figures older than this are refreshed (the periodic task runs more often than this).
MAX_AGE = dt.timedelta(seconds=getattr(settings, "REPORT_STATS_MAX_AGE", 300))
LOCK_KEY = "reports:stats:refreshing"
ROLLING = (("30d", 30), ("90d", 90), ("365d", 365))
DEFAULT_PERIOD = "365d"
MAX_YEARS = 10
RESOLVED_STATUSES = (Status.RESOLVED, Status.CLOSED)
DAY_SECONDS = 86400.0
_ADVISORY_LOCK = 73114044  # an arbitrary constant: one refresh at a time (PostgreSQL)


# --- periods -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    key: str
    label: str
    start: dt.datetime
    end: dt.datetime


def _rolling_label(days: int) -> str:
    return _("Last %(days)d days") % {"days": days}


def _year_start(year: int) -> dt.datetime:
    return dt.datetime(year, 1, 1, tzinfo=WIB)


def periods(now: dt.datetime | None = None, *, first_year: int | None = None) -> list[Period]:
    """The rolling periods up to `now`, then the calendar years (WIB), newest first."""
    now = now or timezone.now()
    found = [Period(key, _rolling_label(days), now - dt.timedelta(days=days), now) for key, days in ROLLING]
    this_year = now.astimezone(WIB).year
    first = max(first_year or this_year, this_year - MAX_YEARS + 1)
    for year in range(this_year, first - 1, -1):
        found.append(Period(str(year), _("Year %(year)d") % {"year": year}, _year_start(year), _year_start(year + 1)))
    return found


def period_label(key: str) -> str:
    for rolling, days in ROLLING:
        if key == rolling:
            return _rolling_label(days)
    return _("Year %(year)s") % {"year": key}


# --- medians (the seam) ---------------------------------------------------------------------------


class Median(Aggregate):
    """PostgreSQL's percentile_cont(0.5): the median of a number, computed in the database."""

    function = "percentile_cont"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()
    allow_distinct = False


def _days_between(start: str, end: str) -> Func:
    return Func(F(end) - F(start), template="EXTRACT(EPOCH FROM %(expressions)s)", output_field=FloatField())


def _uses_percentile() -> bool:
    return connection.vendor == "postgresql"


def _median_annotations() -> dict:
    """Median aggregates for the database that has them (PostgreSQL), else none."""
    if not _uses_percentile():
        return {}
    return {
        "median_response": Median(
            _days_between("created_at", "first_response_at"), filter=Q(first_response_at__isnull=False)
        ),
        "median_resolution": Median(
            _days_between("created_at", "resolved_at"),
            filter=Q(status__in=RESOLVED_STATUSES, resolved_at__isnull=False),
        ),
    }


def _python_medians(qs: QuerySet, group: list[str]) -> dict:
    """{group values (a tuple): (median response, median resolution) in seconds}, computed
    in Python from the durations (the databases without percentile_cont)."""
    response: dict = defaultdict(list)
    resolution: dict = defaultdict(list)
    rows = (
        qs.filter(Q(first_response_at__isnull=False) | Q(resolved_at__isnull=False))
        .values_list("created_at", "first_response_at", "resolved_at", "status", *group)
        .order_by()
        .iterator(chunk_size=5000)
    )
    for row in rows:
        created, first, resolved, status = row[0], row[1], row[2], row[3]
        key = tuple(row[4:])
        if first is not None:
            response[key].append((first - created).total_seconds())
        if resolved is not None and status in RESOLVED_STATUSES:
            resolution[key].append((resolved - created).total_seconds())
    keys = set(response) | set(resolution)
    return {
        k: (
            statistics.median(response[k]) if response.get(k) else None,
            statistics.median(resolution[k]) if resolution.get(k) else None,
        )
        for k in keys
    }


def _figures(qs: QuerySet, group: list[str]) -> list[dict]:
    """The figures per combination of `group` fields (one row for no field): counts, and
    the medians — by percentile_cont in PostgreSQL, else through `_python_medians` (the seam)."""
    rows = list(qs.values(*group).annotate(**_counts()).order_by(*group)) if group else [qs.aggregate(**_counts())]
    if not _uses_percentile():
        found = _python_medians(qs, group)
        for row in rows:
            row["median_response"], row["median_resolution"] = found.get(tuple(row[f] for f in group), (None, None))
    return rows


# --- computing --------------------------------------------------------------------------------------


def _counts() -> dict:
    resolved = Q(status__in=RESOLVED_STATUSES)
    return {
        "received": Count("id"),
        "in_progress": Count("id", filter=Q(status__in=list(OPEN_STATUSES))),
        "resolved": Count("id", filter=resolved),
        "set_aside": Count("id", filter=Q(status=Status.SET_ASIDE)),
        "with_deadline": Count("id", filter=resolved & Q(resolved_on_time__isnull=False)),
        "on_time": Count("id", filter=resolved & Q(resolved_on_time=True)),
        "responded": Count("id", filter=Q(first_response_at__isnull=False)),
        "rated": Count("rating"),
        "rating_avg": Avg("rating"),
        **_median_annotations(),
    }


def _days(seconds: float | None) -> float | None:
    return None if seconds is None else round(float(seconds) / DAY_SECONDS, 1)


def _stat(period: str, dimension: str, key: str, label: str, row: dict, now: dt.datetime) -> ReportStat:
    return ReportStat(
        period=period,
        dimension=dimension,
        key=key,
        label=label[:200],
        received=row.get("received") or 0,
        in_progress=row.get("in_progress") or 0,
        resolved=row.get("resolved") or 0,
        set_aside=row.get("set_aside") or 0,
        with_deadline=row.get("with_deadline") or 0,
        on_time=row.get("on_time") or 0,
        responded=row.get("responded") or 0,
        median_response_days=_days(row.get("median_response")),
        median_resolution_days=_days(row.get("median_resolution")),
        rated=row.get("rated") or 0,
        rating_avg=None if row.get("rating_avg") is None else round(float(row["rating_avg"]), 2),
        computed_at=now,
    )


def _names() -> tuple[dict, dict]:
    from kotapintar.agencies.models import Agency
    from kotapintar.regions.models import Region

    agencies = {a.pk: (a.code, a.name) for a in Agency.objects.only("id", "code", "name")}
    districts = dict(Region.objects.filter(level=Region.Level.DISTRICT).values_list("code", "name"))
    return agencies, districts


def _month_rows(qs: QuerySet) -> list[dict]:
    """Counts per month of filing (WIB), oldest first; `month` is a date."""
    found = []
    rows = (
        qs.annotate(month=TruncMonth("created_at", tzinfo=WIB))
        .values("month")
        .annotate(
            received=Count("id"),
            in_progress=Count("id", filter=Q(status__in=list(OPEN_STATUSES))),
            resolved=Count("id", filter=Q(status__in=RESOLVED_STATUSES)),
            set_aside=Count("id", filter=Q(status=Status.SET_ASIDE)),
        )
        .order_by("month")
    )
    for row in rows:
        month = row["month"]
        if isinstance(month, dt.datetime) and timezone.is_aware(month):
            month = month.astimezone(WIB)
        found.append({**row, "month": month})
    return found


class _Builder:
    """Turns grouped figures into ReportStat rows (names looked up once)."""

    def __init__(self, now: dt.datetime):
        self.now = now
        self.agencies, self.districts = _names()
        self.rows: list[ReportStat] = []

    def city(self, period: str, row: dict) -> None:
        self.rows.append(_stat(period, ReportStat.Dimension.CITY, "", "", row, self.now))

    def agency(self, period: str, row: dict) -> None:
        pk = row["responsible_agency_id"]
        code, name = self.agencies.get(pk, (str(pk), ""))
        self.rows.append(_stat(period, ReportStat.Dimension.AGENCY, code, name, row, self.now))

    def district(self, period: str, row: dict) -> None:
        code = row["district_id"]
        name = self.districts.get(code, code)
        self.rows.append(_stat(period, ReportStat.Dimension.DISTRICT, code, name, row, self.now))

    def month(self, period: str, row: dict) -> None:
        key = f"{row['month']:%Y-%m}"
        self.rows.append(_stat(period, ReportStat.Dimension.MONTH, key, key, row, self.now))


def _reports() -> QuerySet[Report]:
    return Report.objects.exclude(status=Status.MERGED)


def _rolling(build: _Builder, period: Period) -> None:
    qs = _reports().filter(created_at__gte=period.start, created_at__lt=period.end)
    build.city(period.key, _figures(qs, [])[0])
    for row in _figures(qs.filter(responsible_agency__isnull=False), ["responsible_agency_id"]):
        build.agency(period.key, row)
    for row in _figures(qs.filter(district__isnull=False), ["district_id"]):
        build.district(period.key, row)
    for row in _month_rows(qs):
        build.month(period.key, row)


def _years(build: _Builder, years: list[Period]) -> None:
    """Every calendar year at once: one pass per dimension grouped by year (not one per year)."""
    if not years:
        return
    qs = (
        _reports()
        .filter(created_at__gte=min(p.start for p in years), created_at__lt=max(p.end for p in years))
        .annotate(year=ExtractYear("created_at", tzinfo=WIB))
    )
    keys = {p.key for p in years}
    seen = set()
    for row in _figures(qs, ["year"]):
        seen.add(str(row["year"]))
        build.city(str(row["year"]), row)
    for key in sorted(keys - seen):
        build.city(key, {})  # a year without reports still has its (empty) figures
    for row in _figures(qs.filter(responsible_agency__isnull=False), ["year", "responsible_agency_id"]):
        build.agency(str(row["year"]), row)
    for row in _figures(qs.filter(district__isnull=False), ["year", "district_id"]):
        build.district(str(row["year"]), row)
    for row in _month_rows(qs):
        build.month(str(row["month"].year), row)


@dataclass
class RefreshResult:
    periods: int
    stat_rows: int
    map_cells: int
    seconds: float
    computed_at: dt.datetime


def compute_rows(now: dt.datetime | None = None) -> list[ReportStat]:
    """Every ReportStat row, computed from the reports (not saved)."""
    now = now or timezone.now()
    first = Report.objects.aggregate(first=Min("created_at"))["first"]
    build = _Builder(now)
    found = periods(now, first_year=first.astimezone(WIB).year if first else None)
    for period in found:
        if not period.key.isdigit():
            _rolling(build, period)
    _years(build, [p for p in found if p.key.isdigit()])
    return build.rows


def _lock_refresh() -> None:
    """Serialise two refreshes (the periodic one and an on-demand one) on PostgreSQL, and
    give the grouping queries of this transaction enough memory to sort and hash without
    spilling to disk; SQLite serialises writing transactions by itself."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK])
            cursor.execute("SET LOCAL work_mem = '64MB'")


def _insert_select(model, columns: dict[str, str], queryset: QuerySet) -> int:
    """INSERT INTO model's table SELECT the queryset's aliases (`columns`: alias → column):
    the rows never travel through Python."""
    sql, params = queryset.query.sql_with_params()
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    targets = ", ".join(quote(c) for c in columns.values())
    sources = ", ".join(f"cells.{quote(a)}" for a in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({targets}) SELECT {sources} FROM ({sql}) AS cells",  # noqa: S608 (ORM-compiled)
            params,
        )
        return cursor.rowcount


def _rebuild_map_cells() -> int:
    """Replace the map cells (per category, status, kecamatan) and their per-cell totals."""
    from .transparency import OPEN_PUBLIC, map_cells_queryset

    ReportMapCell.objects.all().delete()
    ReportMapTotal.objects.all().delete()
    cells = _insert_select(
        ReportMapCell,
        {
            "iy": "iy",
            "ix": "ix",
            "category_id": "category_id",
            "status": "status",
            "district_code": "district_code",
            "n": "count",
            "slat": "sum_lat",
            "slng": "sum_lng",
        },
        map_cells_queryset(),
    )
    totals = (
        ReportMapCell.objects.values("iy", "ix")
        .annotate(
            n=Sum("count"),
            o=Coalesce(Sum("count", filter=Q(status__in=OPEN_PUBLIC)), 0),
            slat=Sum("sum_lat"),
            slng=Sum("sum_lng"),
        )
        .order_by()
    )
    _insert_select(
        ReportMapTotal,
        {"iy": "iy", "ix": "ix", "n": "count", "o": "open_count", "slat": "sum_lat", "slng": "sum_lng"},
        totals,
    )
    return cells


def refresh(now: dt.datetime | None = None) -> RefreshResult:
    """Recompute the public statistics and the map cells and replace them atomically."""
    started = time.monotonic()
    now = now or timezone.now()
    with transaction.atomic():
        _lock_refresh()
        rows = compute_rows(now)
        ReportStat.objects.all().delete()
        ReportStat.objects.bulk_create(rows, batch_size=500)
        cells = _rebuild_map_cells()
    seconds = time.monotonic() - started
    cache.delete(LOCK_KEY)
    from .transparency import forget_map_cache

    forget_map_cache()
    return RefreshResult(
        periods=len({r.period for r in rows}),
        stat_rows=len(rows),
        map_cells=max(cells, 0),
        seconds=seconds,
        computed_at=now,
    )


@shared_task(name="reports.refresh_public_stats", ignore_result=True)
def refresh_public_stats() -> dict:
    """Periodic (every 4 minutes, settings.CELERY_BEAT_SCHEDULE) and on demand."""
    with context.bind(request_id="reports-public-stats"):
        try:
            result = refresh()
        finally:
            cache.delete(LOCK_KEY)
    logger.info(
        "public report statistics: %d rows, %d map cells in %.2f s", result.stat_rows, result.map_cells, result.seconds
    )
    return {"rows": result.stat_rows, "cells": result.map_cells, "seconds": round(result.seconds, 3)}


def last_computed() -> dt.datetime | None:
    return ReportStat.objects.filter(dimension=ReportStat.Dimension.CITY).aggregate(at=Max("computed_at"))["at"]


def ensure_fresh(now: dt.datetime | None = None) -> dt.datetime | None:
    """Queue a refresh when the figures are missing or older than MAX_AGE (at most one at a
    time). With a broker the page keeps showing the previous figures meanwhile; in the
    embedded mode (tasks run in-process) the refresh happens now. Returns the time of
    the figures that are now in the table."""
    now = now or timezone.now()
    at = last_computed()
    if at is not None and now - at <= MAX_AGE:
        return at
    if cache.add(LOCK_KEY, 1, timeout=int(MAX_AGE.total_seconds())):
        refresh_public_stats.delay()
        at = last_computed()
    return at


# --- reading (the page) -------------------------------------------------------------------------------


@dataclass
class StatsView:
    period: str
    period_label: str
    computed_at: dt.datetime | None
    city: ReportStat | None
    agencies: list[ReportStat] = field(default_factory=list)
    districts: list[ReportStat] = field(default_factory=list)
    months: list[ReportStat] = field(default_factory=list)

    @property
    def available(self) -> bool:
        return self.city is not None


def available_periods() -> list[tuple[str, str]]:
    """(key, label) of the periods in the table: rolling ones first, then years, newest first."""
    keys = set(
        ReportStat.objects.filter(dimension=ReportStat.Dimension.CITY).values_list("period", flat=True).distinct()
    )
    rolling = [k for k, _days in ROLLING if k in keys]
    years = sorted((k for k in keys if k.isdigit()), reverse=True)
    if not rolling:
        rolling = [k for k, _days in ROLLING]
    return [(k, period_label(k)) for k in [*rolling, *years]]


def read(period: str = DEFAULT_PERIOD) -> StatsView:
    """The figures of one period, from the rollup table only."""
    rows = list(ReportStat.objects.filter(period=period))
    view = StatsView(period=period, period_label=period_label(period), computed_at=None, city=None)
    for row in rows:
        if row.dimension == ReportStat.Dimension.CITY:
            view.city = row
            view.computed_at = row.computed_at
        elif row.dimension == ReportStat.Dimension.AGENCY:
            view.agencies.append(row)
        elif row.dimension == ReportStat.Dimension.DISTRICT:
            view.districts.append(row)
        elif row.dimension == ReportStat.Dimension.MONTH:
            view.months.append(row)
    view.agencies.sort(key=lambda r: (-r.received, r.label))
    view.districts.sort(key=lambda r: r.label)
    view.months.sort(key=lambda r: r.key)
    return view


#: Labels of the figures (pages, charts, the JSON API's documentation).
FIGURE_LABELS = {
    "received": gettext_lazy("Received"),
    "in_progress": gettext_lazy("In progress"),
    "resolved": gettext_lazy("Resolved"),
    "set_aside": gettext_lazy("Set aside"),
    "on_time_share": gettext_lazy("Resolved on time"),
    "median_response_days": gettext_lazy("Median days to first follow-up"),
    "median_resolution_days": gettext_lazy("Median days to resolution"),
    "rating_avg": gettext_lazy("Average rating"),
}
