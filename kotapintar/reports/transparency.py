"""Public reads of the transparency pages: map clusters and points, the keyset-paged list,
one report's public page, and the rows of the open-data exports.

Everything here starts from the public queryset of reports.selectors (verified, not
confidential, not set aside; identity columns never loaded) and adds only what the public
may see. The reporter appears nowhere except `shown_name`, when the person chose to show
their name on a public report.

Location of anonymous reports (docs/lapor.md, "Transparansi"): the point is rounded to a
0.001° grid (about 110 m; at most ~80 m from the true point) and the free-text
address/landmark is left out, so an anonymous report filed at home does not point at the
house. Public reports (the reporter chose "public") keep their exact point and address.
The same rule — `public_location()` in Python, `public_coordinate()` in SQL — serves the
map (clusters and points), the report page and the exports.

Map: `map_data(bbox, zoom, filters)` answers clusters (counts per grid cell, GROUP BY on
floored coordinates) below zoom 15, and at most 500 newest points from zoom 15 on. Cells
are 360/2^(z+2) degrees (64 px at zoom z), merged further until a viewport holds at most
400 of them. Without a date filter the clusters come from the pre-aggregated
ReportMapCell table (reports.stats, refreshed every few minutes); with one, from the
reports themselves (the (is_public, created_at) index narrows them). Answers are cached
for a minute, keyed by the grid cells they cover, so panning reuses them; a refresh of
the rollup makes them stale at once (a generation number in every key). Unfiltered, the
clusters come from ReportMapTotal (one row per fine cell), the smallest table of all.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import math
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Case, Count, F, FloatField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, Floor
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kotapintar.core import geo
from kotapintar.core.calendar import WIB
from kotapintar.core.errors import DomainError

from . import selectors
from .models import Privacy, Report, Status
from .models_stats import ReportMapCell, ReportMapTotal
from .tracking import normalise_tracking_number

#: Anonymous reports: coordinates rounded to 1/BLUR_SCALE degree.
BLUR_SCALE = 1000
#: The finest map cell (zoom 14): 360/2^16 degrees, about 610 m north–south.
FINE_ZOOM = 14
FINE_CELL = 360.0 / 2**16
#: From this zoom on the map gets individual reports.
POINTS_ZOOM = 15
MAX_POINTS = 500
MAX_CELLS = 400
PAGE_SIZE = 20
MAP_CACHE_SECONDS = 60

#: Statuses the public can filter on, and two groups.
PUBLIC_STATUSES = (Status.VERIFIED, Status.DISPOSITIONED, Status.IN_PROGRESS, Status.RESOLVED, Status.CLOSED)
STATUS_GROUPS = {
    "open": (Status.VERIFIED, Status.DISPOSITIONED, Status.IN_PROGRESS),
    "done": (Status.RESOLVED, Status.CLOSED),
}
OPEN_PUBLIC = STATUS_GROUPS["open"]


class PublicQueryError(DomainError):
    """A public map or list request that cannot be answered as asked."""

    status_code = 400
    code = "invalid"


# --- location ------------------------------------------------------------------------------------


def blur(value: float) -> float:
    """Round to the 1/BLUR_SCALE-degree grid (the same arithmetic as the SQL below)."""
    return math.floor(value * BLUR_SCALE + 0.5) / BLUR_SCALE


@dataclass(frozen=True)
class PublicLocation:
    lat: float
    lng: float
    address: str
    approximate: bool


def public_location(privacy: str, lat: float, lng: float, address: str = "") -> PublicLocation:
    """Where the public sees a report: exact for public reports, blurred (and without the
    address) for anonymous ones."""
    if privacy == Privacy.PUBLIC:
        return PublicLocation(lat, lng, address, False)
    return PublicLocation(blur(lat), blur(lng), "", True)


def public_coordinate(field: str) -> Case:
    """SQL for the public value of `lat` or `lng` (see public_location)."""
    rounded = Floor(F(field) * Value(float(BLUR_SCALE)) + Value(0.5)) / Value(float(BLUR_SCALE))
    return Case(When(privacy=Privacy.PUBLIC, then=F(field)), default=rounded, output_field=FloatField())


# --- filters ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicFilters:
    """What the public pages and the map filter on (already validated: forms_public)."""

    category: str = ""  # category code
    status: str = ""  # "", a group ("open", "done") or one of PUBLIC_STATUSES
    district: str = ""  # kecamatan code
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def statuses(self) -> list[str] | None:
        if not self.status:
            return None
        return list(STATUS_GROUPS.get(self.status, (self.status,)))

    def selector_kwargs(self) -> dict[str, Any]:
        """Arguments of selectors.public_reports()."""
        found: dict[str, Any] = {}
        if self.statuses():
            found["status"] = self.statuses()
        if self.category:
            found["category"] = self.category
        if self.district:
            found["district"] = self.district
        if self.date_from:
            found["created_from"] = self.date_from
        if self.date_to:
            found["created_to"] = self.date_to
        return found

    @property
    def has_dates(self) -> bool:
        return bool(self.date_from or self.date_to)

    def cache_key(self) -> str:
        return "|".join(
            [
                self.category,
                self.status,
                self.district,
                self.date_from.isoformat() if self.date_from else "",
                self.date_to.isoformat() if self.date_to else "",
            ]
        )

    def query(self) -> dict[str, str]:
        """As URL query parameters (for links keeping the filters)."""
        found = {"category": self.category, "status": self.status, "district": self.district}
        if self.date_from:
            found["date_from"] = self.date_from.isoformat()
        if self.date_to:
            found["date_to"] = self.date_to.isoformat()
        return {k: v for k, v in found.items() if v}


def _by_category(qs: QuerySet[Report], code: str) -> QuerySet[Report]:
    """Filter on the category's id (known from the cached category list), not on a join to
    its code: the planner can then use the (category, created_at) index."""
    category = selectors.category_by_code(code)
    return qs.filter(category_id=category.pk if category else -1)


def _public(filters: PublicFilters | None) -> QuerySet[Report]:
    kwargs = filters.selector_kwargs() if filters else {}
    code = kwargs.pop("category", "")
    qs = selectors.public_reports(**kwargs)
    return _by_category(qs, code) if code else qs


def public_base(filters: PublicFilters | None = None) -> QuerySet[Report]:
    """Public reports for the map and the list: merged duplicates left out (their report is
    shown), newest first, identity columns never loaded."""
    return _public(filters).exclude(status=Status.MERGED)


def map_cells_queryset() -> QuerySet:
    """Public reports per fine cell, category, status and kecamatan (for ReportMapCell).
    Column names: iy, ix, category_id, status, district_code, n, slat, slng."""
    blat, blng = public_coordinate("lat"), public_coordinate("lng")
    return (
        Report.objects.filter(is_public=True)
        .exclude(privacy=Privacy.CONFIDENTIAL)
        .exclude(status=Status.MERGED)
        .annotate(
            iy=Floor(public_coordinate("lat") / Value(FINE_CELL)),
            ix=Floor(public_coordinate("lng") / Value(FINE_CELL)),
            district_code=Coalesce(F("district_id"), Value("")),
        )
        .values("iy", "ix", "category_id", "status", "district_code")
        .annotate(n=Count("id"), slat=Sum(blat), slng=Sum(blng))
        .order_by()
    )


# --- the map ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BBox:
    south: float
    west: float
    north: float
    east: float

    @classmethod
    def parse(cls, text: str) -> BBox:
        """ "south,west,north,east" in degrees (Leaflet's toBBoxString order is west,south,…;
        we use the lat-first order of the public reports API)."""
        try:
            south, west, north, east = (float(x) for x in (text or "").split(","))
        except ValueError:
            raise PublicQueryError(
                _("Give the map area as four numbers: south, west, north, east (degrees).")
            ) from None
        if not all(math.isfinite(v) for v in (south, west, north, east)):
            raise PublicQueryError(_("The map area must be given in degrees."))
        if not (-90 <= south < north <= 90 and -180 <= west < east <= 180):
            raise PublicQueryError(
                _("The map area is not valid: south must be below north and west left of east, in degrees.")
            )
        return cls(south, west, north, east)

    def clamp_to_city(self) -> BBox | None:
        """The part of the box over the city (plus a small margin); None when outside it."""
        bounds = geo.city_bounds()
        if bounds is None:
            return self
        margin = 0.01
        south = max(self.south, bounds.min_lat - margin)
        north = min(self.north, bounds.max_lat + margin)
        west = max(self.west, bounds.min_lng - margin)
        east = min(self.east, bounds.max_lng + margin)
        if south >= north or west >= east:
            return None
        return BBox(south, west, north, east)


@dataclass(frozen=True)
class Grid:
    factor: int  # fine cells per side of a cluster cell
    cy0: int
    cy1: int
    cx0: int
    cx1: int

    @property
    def size(self) -> float:
        return FINE_CELL * self.factor

    @property
    def cells(self) -> int:
        return (self.cy1 - self.cy0 + 1) * (self.cx1 - self.cx0 + 1)


def grid_for(bbox: BBox, zoom: int) -> Grid:
    """The cluster grid of a zoom level over a box, coarsened to at most MAX_CELLS cells."""
    factor = 2 ** max(FINE_ZOOM - min(zoom, FINE_ZOOM), 0)
    while True:
        size = FINE_CELL * factor
        grid = Grid(
            factor,
            math.floor(bbox.south / size),
            math.floor(bbox.north / size),
            math.floor(bbox.west / size),
            math.floor(bbox.east / size),
        )
        if grid.cells <= MAX_CELLS:
            return grid
        factor *= 2


def _cell_index(expression, factor: int):
    """floor(floor(x / FINE_CELL) / factor): the same cells whether from reports or ReportMapCell."""
    fine = Floor(expression / Value(FINE_CELL))
    return Floor(fine / Value(float(factor))) if factor > 1 else fine


def _clusters_from_reports(grid: Grid, filters: PublicFilters) -> list[dict]:
    size = grid.size
    margin = 1.0 / BLUR_SCALE
    qs = (
        public_base(filters)
        .filter(
            lat__gte=grid.cy0 * size - margin,
            lat__lt=(grid.cy1 + 1) * size + margin,
            lng__gte=grid.cx0 * size - margin,
            lng__lt=(grid.cx1 + 1) * size + margin,
        )
        .annotate(blat=public_coordinate("lat"), blng=public_coordinate("lng"))
        .annotate(cy=_cell_index(F("blat"), grid.factor), cx=_cell_index(F("blng"), grid.factor))
        .values("cy", "cx")
        .annotate(
            n=Count("id"),
            slat=Sum("blat"),
            slng=Sum("blng"),
            open=Count("id", filter=Q(status__in=OPEN_PUBLIC)),
        )
        .order_by()
    )
    return list(qs)


def _clusters_from_rollup(grid: Grid, filters: PublicFilters) -> list[dict]:
    f = grid.factor
    qs = ReportMapCell.objects.filter(
        iy__gte=grid.cy0 * f, iy__lte=(grid.cy1 + 1) * f - 1, ix__gte=grid.cx0 * f, ix__lte=(grid.cx1 + 1) * f - 1
    )
    if filters.category:
        category = selectors.category_by_code(filters.category)
        qs = qs.filter(category_id=category.pk if category else -1)
    if filters.statuses():
        qs = qs.filter(status__in=filters.statuses())
    if filters.district:
        qs = qs.filter(district_code=filters.district)
    qs = (
        qs.annotate(cy=_cell_index_int("iy", f), cx=_cell_index_int("ix", f))
        .values("cy", "cx")
        .annotate(
            n=Sum("count"),
            slat=Sum("sum_lat"),
            slng=Sum("sum_lng"),
            open=Sum("count", filter=Q(status__in=OPEN_PUBLIC)),
        )
        .order_by()
    )
    return list(qs)


def _clusters_from_totals(grid: Grid) -> list[dict]:
    """The unfiltered map: per-cell totals only (a few thousand rows for a whole city)."""
    f = grid.factor
    qs = (
        ReportMapTotal.objects.filter(
            iy__gte=grid.cy0 * f, iy__lte=(grid.cy1 + 1) * f - 1, ix__gte=grid.cx0 * f, ix__lte=(grid.cx1 + 1) * f - 1
        )
        .annotate(cy=_cell_index_int("iy", f), cx=_cell_index_int("ix", f))
        .values("cy", "cx")
        .annotate(n=Sum("count"), slat=Sum("sum_lat"), slng=Sum("sum_lng"), open=Sum("open_count"))
        .order_by()
    )
    return list(qs)


def _cell_index_int(field: str, factor: int):
    return Floor(F(field) / Value(float(factor))) if factor > 1 else F(field)


def _cluster_features(rows: list[dict], grid: Grid) -> tuple[list[dict], int]:
    size = grid.size
    features, total = [], 0
    for row in rows:
        cy, cx, n = int(row["cy"]), int(row["cx"]), int(row["n"] or 0)
        if not n or not (grid.cy0 <= cy <= grid.cy1 and grid.cx0 <= cx <= grid.cx1):
            continue
        total += n
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "Point",
                    "coordinates": [round(row["slng"] / n, 5), round(row["slat"] / n, 5)],
                },
                "properties": {
                    "cluster": True,
                    "count": n,
                    "open": int(row["open"] or 0),
                    "bounds": [
                        [round(cy * size, 6), round(cx * size, 6)],
                        [round((cy + 1) * size, 6), round((cx + 1) * size, 6)],
                    ],
                },
            }
        )
    features.sort(key=lambda f: (f["properties"]["bounds"][0][0], f["properties"]["bounds"][0][1]))
    return features, total


def _category_name(name: str, name_en: str) -> str:
    if name_en and (translation.get_language() or "id").startswith("en"):
        return name_en
    return name


def _status_label(status: str) -> str:
    return str(Status(status).label)


class _DetailPath:
    """The public page's path of a tracking number, without one reverse() per row."""

    def __init__(self) -> None:
        marker = "TRACKING0"
        self.template = reverse("reports:public_detail", kwargs={"tracking_number": marker}).replace(marker, "{}")

    def __call__(self, number: str) -> str:
        return self.template.format(number)


def _points(bbox: BBox, filters: PublicFilters) -> tuple[list[dict], bool]:
    margin = 1.0 / BLUR_SCALE
    rows = list(
        public_base(filters)
        .filter(
            lat__gte=bbox.south - margin,
            lat__lte=bbox.north + margin,
            lng__gte=bbox.west - margin,
            lng__lte=bbox.east + margin,
        )
        .values(
            "tracking_number",
            "title",
            "status",
            "privacy",
            "lat",
            "lng",
            "created_at",
            "category__code",
            "category__name",
            "category__name_en",
            "district__name",
        )
        .order_by("-created_at", "-id")[: MAX_POINTS + 1]
    )
    truncated = len(rows) > MAX_POINTS
    path = _DetailPath()
    features = []
    for row in rows[:MAX_POINTS]:
        where = public_location(row["privacy"], row["lat"], row["lng"])
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [where.lng, where.lat]},
                "properties": {
                    "cluster": False,
                    "tracking_number": row["tracking_number"],
                    "title": row["title"],
                    "category": _category_name(row["category__name"], row["category__name_en"]),
                    "category_code": row["category__code"],
                    "status": row["status"],
                    "status_label": _status_label(row["status"]),
                    "open": row["status"] in OPEN_PUBLIC,
                    "district": row["district__name"] or "",
                    "created_at": timezone.localtime(row["created_at"], WIB).isoformat(),
                    "approximate": where.approximate,
                    "url": path(row["tracking_number"]),
                },
            }
        )
    return features, truncated


GENERATION_KEY = "reports:map:generation"


def forget_map_cache() -> None:
    """Make every cached map answer stale (after a rollup refresh)."""
    cache.set(GENERATION_KEY, time.time_ns(), None)


def _generation() -> str:
    return str(cache.get(GENERATION_KEY, 0))


def _empty(mode: str) -> dict:
    return {"type": "FeatureCollection", "mode": mode, "total": 0, "truncated": False, "features": []}


def map_data(bbox: BBox, zoom: int, filters: PublicFilters) -> dict:
    """The map's answer for a viewport: a GeoJSON FeatureCollection of clusters or points,
    with `mode`, `total`, `truncated`, `source` and (clusters) `cell` in degrees."""
    zoom = max(0, min(int(zoom), 22))
    mode = "points" if zoom >= POINTS_ZOOM else "clusters"
    area = bbox.clamp_to_city()
    if area is None:
        return _empty(mode)
    language = translation.get_language() or "id"
    if mode == "points":
        key = "reports:map:p:{}:{}:{}:{}:{}:{}:{}".format(
            _generation(),
            language,
            *(round(v, 3) for v in (area.south, area.west, area.north, area.east)),
            filters.cache_key(),
        )
        found = cache.get(key)
        if found is None:
            features, truncated = _points(area, filters)
            found = {
                "type": "FeatureCollection",
                "mode": mode,
                "source": "live",
                "total": len(features),
                "truncated": truncated,
                "features": features,
            }
            cache.set(key, found, MAP_CACHE_SECONDS)
        return found
    grid = grid_for(area, zoom)
    from . import stats

    cells = f"{grid.factor}:{grid.cy0}:{grid.cy1}:{grid.cx0}:{grid.cx1}"
    key = f"reports:map:c:{_generation()}:{cells}:{filters.cache_key()}"
    found = cache.get(key)
    if found is None:
        computed = stats.last_computed()
        use_rollup = not filters.has_dates and computed is not None
        if not use_rollup:
            rows = _clusters_from_reports(grid, filters)
        elif filters == PublicFilters():
            rows = _clusters_from_totals(grid)
        else:
            rows = _clusters_from_rollup(grid, filters)
        features, total = _cluster_features(rows, grid)
        found = {
            "type": "FeatureCollection",
            "mode": mode,
            "source": "rollup" if use_rollup else "live",
            "cell": grid.size,
            "total": total,
            "truncated": False,
            "features": features,
        }
        if use_rollup:
            found["computed_at"] = computed.isoformat()
        cache.set(key, found, MAP_CACHE_SECONDS)
    return found


# --- the list (keyset pages) ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicRow:
    tracking_number: str
    title: str
    category_name: str
    status: str
    status_label: str
    district_name: str
    village_name: str
    agency_name: str
    created_at: dt.datetime
    support_count: int
    rating: int | None
    url: str


@dataclass(frozen=True)
class PublicPage:
    rows: list[PublicRow]
    next_cursor: str  # older reports
    prev_cursor: str  # newer reports
    is_first: bool


def encode_cursor(created_at: dt.datetime, pk: int) -> str:
    raw = f"{created_at.astimezone(dt.UTC).isoformat()}|{pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(text: str) -> tuple[dt.datetime, int]:
    try:
        padded = text + "=" * (-len(text) % 4)
        stamp, pk = base64.urlsafe_b64decode(padded.encode()).decode().split("|")
        moment = dt.datetime.fromisoformat(stamp)
        if timezone.is_naive(moment):
            raise ValueError
        return moment, int(pk)
    except (ValueError, UnicodeDecodeError, binascii.Error):
        raise PublicQueryError(_("This page link is not valid any more; start again from the first page.")) from None


def _row(report: Report, path: _DetailPath) -> PublicRow:
    return PublicRow(
        tracking_number=report.tracking_number,
        title=report.title,
        category_name=report.category.display_name,
        status=report.status,
        status_label=_status_label(report.status),
        district_name=report.district.name if report.district_id else "",
        village_name=report.village.name if report.village_id else "",
        agency_name=report.responsible_agency.name if report.responsible_agency_id else "",
        created_at=report.created_at,
        support_count=report.support_count,
        rating=report.rating,
        url=path(report.tracking_number),
    )


def public_list(filters: PublicFilters, *, after: str = "", before: str = "", size: int = PAGE_SIZE) -> PublicPage:
    """One page of public reports, newest first, by keyset on (created_at, id): the cost of
    a page does not grow with its depth. `after` gives older reports than a cursor,
    `before` newer ones."""
    qs = public_base(filters).defer("text")
    newer = bool(before) and not after
    if after or before:
        moment, pk = decode_cursor(after or before)
        if newer:
            # created_at >= moment narrows the index range; the OR breaks ties on id.
            qs = qs.filter(created_at__gte=moment).filter(Q(created_at__gt=moment) | Q(pk__gt=pk))
            qs = qs.order_by("created_at", "id")
        else:
            qs = qs.filter(created_at__lte=moment).filter(Q(created_at__lt=moment) | Q(pk__lt=pk))
    reports = list(qs[: size + 1])
    more = len(reports) > size
    if newer and not more:
        return public_list(filters, size=size)  # back at the newest reports: the first page
    reports = reports[:size]
    if newer:
        reports.reverse()
    path = _DetailPath()
    rows = [_row(r, path) for r in reports]
    has_older = more if not newer else True
    has_newer = (newer and more) or (not newer and bool(after))
    return PublicPage(
        rows=rows,
        next_cursor=encode_cursor(reports[-1].created_at, reports[-1].pk) if reports and has_older else "",
        prev_cursor=encode_cursor(reports[0].created_at, reports[0].pk) if reports and has_newer else "",
        is_first=not has_newer,
    )


# --- one report ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportPage:
    """What the public page of one report shows."""

    report: selectors.PublicReport
    approximate: bool
    deadline: dict
    due_label: str


def report_page(tracking_number: str) -> ReportPage:
    """The public page of a report; Http404 when it is not public (confidential, not yet
    verified, set aside) — exactly as for a number that does not exist."""
    number = normalise_tracking_number(tracking_number)
    report = selectors.public_reports().filter(tracking_number=number).first() if number else None
    if report is None:
        raise Http404("report")
    summary = selectors.public_summary(report, with_timeline=True, with_photos=True)
    where = public_location(report.privacy, report.lat, report.lng, report.address)
    # The name only when the person asked for it on a public report (belt and braces).
    shown = summary.shown_name if report.privacy == Privacy.PUBLIC and report.show_name else ""
    summary = replace(summary, lat=where.lat, lng=where.lng, address=where.address, shown_name=shown)
    badge = selectors.deadline_badge(report)
    stages = {
        "verify": _("Verification and routing due"),
        "response": _("First follow-up due"),
        "resolution": _("Resolution due"),
    }
    return ReportPage(
        report=summary, approximate=where.approximate, deadline=badge, due_label=stages.get(badge["stage"], "")
    )


# --- exports -------------------------------------------------------------------------------------------

EXPORT_FIELDS = (
    "id",
    "tracking_number",
    "created_at",
    "kind",
    "category__code",
    "category__name",
    "title",
    "text",
    "status",
    "district_id",
    "district__name",
    "village_id",
    "village__name",
    "responsible_agency__code",
    "responsible_agency__name",
    "privacy",
    "lat",
    "lng",
    "address",
    "first_response_at",
    "resolved_at",
    "closed_at",
    "resolution_due",
    "resolved_on_time",
    "support_count",
    "rating",
    "duplicate_of__tracking_number",
)

#: Columns of the CSV export and properties of the GeoJSON one, in order. Stable,
#: machine-readable names (open data); no identity, contact or staff field exists here.
EXPORT_COLUMNS = (
    "tracking_number",
    "filed_at",
    "kind",
    "category_code",
    "category",
    "title",
    "description",
    "status",
    "status_label",
    "kecamatan_code",
    "kecamatan",
    "kelurahan_code",
    "kelurahan",
    "agency_code",
    "agency",
    "lat",
    "lng",
    "location_precision",
    "address",
    "first_response_at",
    "resolved_at",
    "closed_at",
    "resolution_due",
    "resolved_on_time",
    "supporters",
    "rating",
    "duplicate_of",
    "url",
)


def export_queryset(filters: PublicFilters) -> QuerySet:
    """Public reports (merged ones included, with `duplicate_of`), newest first, as dicts."""
    return _public(filters).values(*EXPORT_FIELDS).order_by("-created_at", "-id")


def export_records(rows) -> Iterator[dict]:
    """Export records (EXPORT_COLUMNS, plus lat/lng as numbers) from export_queryset rows."""
    path = _DetailPath()
    base = settings.SITE_URL
    for row in rows:
        where = public_location(row["privacy"], row["lat"], row["lng"], row["address"])
        yield {
            "tracking_number": row["tracking_number"],
            "filed_at": row["created_at"],
            "kind": row["kind"],
            "category_code": row["category__code"],
            "category": row["category__name"],
            "title": row["title"],
            "description": row["text"],
            "status": row["status"],
            "status_label": _status_label(row["status"]),
            "kecamatan_code": row["district_id"] or "",
            "kecamatan": row["district__name"] or "",
            "kelurahan_code": row["village_id"] or "",
            "kelurahan": row["village__name"] or "",
            "agency_code": row["responsible_agency__code"] or "",
            "agency": row["responsible_agency__name"] or "",
            "lat": where.lat,
            "lng": where.lng,
            "location_precision": "approx_100m" if where.approximate else "exact",
            "address": where.address,
            "first_response_at": row["first_response_at"],
            "resolved_at": row["resolved_at"],
            "closed_at": row["closed_at"],
            "resolution_due": row["resolution_due"] if row["status"] in OPEN_PUBLIC else None,
            "resolved_on_time": row["resolved_on_time"],
            "supporters": row["support_count"],
            "rating": row["rating"],
            "duplicate_of": row["duplicate_of__tracking_number"] or "",
            "url": base + path(row["tracking_number"]),
        }


def _iso(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(WIB).isoformat()
    return value


def geojson_chunks(rows, *, flush_bytes: int = 64 * 1024) -> Iterator[bytes]:
    """A GeoJSON FeatureCollection, streamed in chunks of about 64 KB."""
    yield b'{"type":"FeatureCollection","features":['
    buffer: list[str] = []
    size = 0
    first = True
    for record in export_records(rows):
        properties = {k: _iso(v) for k, v in record.items() if k not in ("lat", "lng")}
        feature = json.dumps(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [record["lng"], record["lat"]]},
                "properties": properties,
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )
        piece = feature if first else "," + feature
        first = False
        buffer.append(piece)
        size += len(piece)
        if size >= flush_bytes:
            yield "".join(buffer).encode()
            buffer, size = [], 0
    buffer.append("]}")
    yield "".join(buffer).encode()
