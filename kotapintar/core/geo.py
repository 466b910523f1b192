"""Point → kelurahan/kecamatan of the configured city (settings.CITY_CODE).

    from kotapintar.core import geo
    loc = geo.locate(-6.9826, 110.4093)   # Location(village_code="33.74.01.1004", ...) or None
    geo.locate_district(lat, lng)          # Area(code, name) or None
    geo.locate_many(lats, lngs)            # vectorised: a list of Location | None
    geo.inside_city(lat, lng), geo.city_bounds()

The index is built lazily once per process from the boundaries in the regions table: one
shapely STRtree per layer (kelurahan, kecamatan, the city itself) over prepared polygons, plus
a uniform grid over the city where every cell knows either the one polygon that covers it
entirely (answered without any geometry test, the common case) or the few polygons that
cross it (tested in code order). A point on a border shared by two areas therefore always
resolves to the area with the lower code, in both the single and the vectorised path.

Reloading: the boundary import bumps a version in the Django cache after commit (and drops
this process's index at once). Every process compares its index with that version at most
every CHECK_INTERVAL seconds, never per call. When the cache key is missing (cache cleared,
or a per-process local-memory cache that another process cannot reach) the version falls
back to the database (latest boundary_updated_at and count), cached for VERSION_TTL seconds.
A city without boundaries simply answers None.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import shapely
from django.conf import settings
from django.core.cache import cache
from shapely.geometry import shape

CHECK_INTERVAL = 2.0  # seconds between two version checks in one process
VERSION_TTL = 30  # seconds the database-derived version stays in the cache
VERSION_KEY = "geo:boundaries-version:{city}"
GRID_CELLS = 40_000  # cells of the lookup grid over a layer's extent (about 100 m for Semarang)


@dataclass(frozen=True, slots=True)
class Location:
    """The kelurahan (and its kecamatan) a point lies in."""

    village_code: str
    village_name: str
    district_code: str
    district_name: str
    approximate: bool = False  # the boundary used is approximate (demo), not official


@dataclass(frozen=True, slots=True)
class Area:
    """A kecamatan (or the city) a point lies in."""

    code: str
    name: str


class Bounds(NamedTuple):
    min_lat: float
    min_lng: float
    max_lat: float
    max_lng: float


# The ufunc without shapely's Python wrapper: half the cost per call on the hot path.
_intersects_xy = getattr(shapely.lib, "intersects_xy", shapely.intersects_xy)


class _Layer:
    """Polygons of one level with their answers, an STRtree and a lookup grid."""

    def __init__(self, geoms: list, entries: list):
        self.entries = entries
        self.geoms = np.array(geoms, dtype=object)
        self.size = len(geoms)
        if not geoms:
            # An empty extent (x0 > x1) makes every range check fail: lookups answer None.
            self.x0 = self.y0 = 1.0
            self.x1 = self.y1 = 0.0
            self.bounds = None
            self.lookup = lambda x, y: None
            return
        shapely.prepare(self.geoms)
        self.tree = shapely.STRtree(self.geoms)
        x0, y0, x1, y1 = (float(v) for v in shapely.total_bounds(self.geoms))
        self.bounds = (x0, y0, x1, y1)
        w = max(x1 - x0, 1e-9)
        h = max(y1 - y0, 1e-9)
        # Pad the far edges so that the maximum coordinate still falls inside the last cell.
        x1 += w * 1e-9
        y1 += h * 1e-9
        w, h = x1 - x0, y1 - y0
        cell = math.sqrt(w * h / GRID_CELLS)
        nx = max(1, min(1024, math.ceil(w / cell)))
        ny = max(1, min(1024, math.ceil(h / cell)))
        self.x0, self.y0, self.x1, self.y1 = x0, y0, x1, y1
        self.nx, self.ny = nx, ny
        self.sx, self.sy = nx / w, ny / h

        edge = self._edge_cells()
        ncells = nx * ny
        owner = np.full(ncells, -1, dtype=np.int64)
        # Cells no boundary passes through lie wholly inside one polygon (or outside all):
        # their centre decides. Polygons in descending order so the lowest code wins
        # should bad data make two overlap.
        cx = x0 + (np.arange(nx) + 0.5) / self.sx
        cy = y0 + (np.arange(ny) + 0.5) / self.sy
        for i in range(self.size - 1, -1, -1):
            gx0, gy0, gx1, gy1 = shapely.bounds(self.geoms[i])
            i0, i1 = np.searchsorted(cx, [gx0, gx1])
            j0, j1 = np.searchsorted(cy, [gy0, gy1])
            if i0 >= i1 or j0 >= j1:
                continue
            xs, ys = np.meshgrid(cx[i0:i1], cy[j0:j1])
            inside = shapely.contains_xy(self.geoms[i], xs, ys)
            block = owner.reshape(ny, nx)[j0:j1, i0:i1]
            block[inside & ~edge.reshape(ny, nx)[j0:j1, i0:i1]] = i
        owner[edge] = -1
        # Cells a boundary crosses keep the polygons whose bounding box touches them, in
        # ascending index (= code) order; a lookup tests them one by one.
        candidates: list[tuple[int, ...] | None] = [None] * ncells
        edge_cells = np.nonzero(edge)[0]
        if len(edge_cells):
            ex, ey = edge_cells % nx, edge_cells // nx
            boxes = shapely.box(x0 + ex / self.sx, y0 + ey / self.sy, x0 + (ex + 1) / self.sx, y0 + (ey + 1) / self.sy)
            hits = self.tree.query(boxes)
            order = np.lexsort((hits[1], hits[0]))
            which, geom_idx = hits[0][order], hits[1][order]
            positions = np.arange(len(edge_cells))
            starts = np.searchsorted(which, positions, side="left")
            ends = np.searchsorted(which, positions, side="right")
            for k, s, e in zip(edge_cells.tolist(), starts.tolist(), ends.tolist(), strict=True):
                if e > s:
                    candidates[k] = tuple(geom_idx[s:e].tolist())
        edge &= np.array([c is not None for c in candidates], dtype=bool)
        self.owner_np = owner
        self.edge_np = edge
        self.owner = owner.tolist()
        self.candidates = candidates
        self.lookup = self._make_lookup()

    def _edge_cells(self) -> np.ndarray:
        """Cells (flat mask) that some polygon boundary passes through.

        Every boundary segment is sampled at most half a cell apart, with the same
        coordinate → cell mapping as lookups; when two consecutive samples sit in
        diagonal neighbours, both cells beside the diagonal are marked too, so no cell
        the segment merely clips at a corner is missed.
        """
        nx, ny = self.nx, self.ny
        rings = shapely.get_rings(self.geoms)
        coords, ring_of = shapely.get_coordinates(rings, return_index=True)
        same = ring_of[:-1] == ring_of[1:]
        a, b = coords[:-1][same], coords[1:][same]
        span = np.maximum(np.abs(b[:, 0] - a[:, 0]) * self.sx, np.abs(b[:, 1] - a[:, 1]) * self.sy)
        steps = np.ceil(span * 2).astype(np.int64) + 1  # samples per segment, both ends included
        seg = np.repeat(np.arange(len(a)), steps)
        first = np.cumsum(steps) - steps
        t = (np.arange(len(seg)) - np.repeat(first, steps)) / np.maximum(np.repeat(steps - 1, steps), 1)
        px = a[seg, 0] + (b[seg, 0] - a[seg, 0]) * t
        py = a[seg, 1] + (b[seg, 1] - a[seg, 1]) * t
        ix = np.clip(((px - self.x0) * self.sx).astype(np.int64), 0, nx - 1)
        iy = np.clip(((py - self.y0) * self.sy).astype(np.int64), 0, ny - 1)
        mask = np.zeros(nx * ny, dtype=bool)
        mask[iy * nx + ix] = True
        pair = seg[:-1] == seg[1:]
        mask[iy[1:][pair] * nx + ix[:-1][pair]] = True
        mask[iy[:-1][pair] * nx + ix[1:][pair]] = True
        return mask

    def _make_lookup(self):
        """`lookup(x=lng, y=lat)`: the entry of the polygon containing the point (lowest code
        on shared borders), or None. A closure over locals: this is the per-request hot path."""
        x0, y0, x1, y1 = self.x0, self.y0, self.x1, self.y1
        sx, sy, nx = self.sx, self.sy, self.nx
        owner, candidates, entries, geoms = self.owner, self.candidates, self.entries, list(self.geoms)

        def lookup(x: float, y: float):
            # NaN fails every comparison, so it ends up here as "outside".
            if not (x0 <= x < x1 and y0 <= y < y1):
                return None
            k = int((y - y0) * sy) * nx + int((x - x0) * sx)
            i = owner[k]
            if i >= 0:
                return entries[i]
            cands = candidates[k]
            if cands is not None:
                for i in cands:
                    if _intersects_xy(geoms[i], x, y):
                        return entries[i]
            return None

        return lookup

    def lookup_many(self, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
        """Index of the polygon containing each point (-1 for none), lowest code on borders."""
        n = len(xs)
        result = np.full(n, -1, dtype=np.int64)
        if not self.size or not n:
            return result
        inside = (xs >= self.x0) & (xs < self.x1) & (ys >= self.y0) & (ys < self.y1)
        pos = np.nonzero(inside)[0]
        k = ((ys[pos] - self.y0) * self.sy).astype(np.int64) * self.nx + ((xs[pos] - self.x0) * self.sx).astype(
            np.int64
        )
        result[pos] = self.owner_np[k]
        need = pos[self.edge_np[k]]
        if len(need):
            points = shapely.points(xs[need], ys[need])
            hits = self.tree.query(points, predicate="intersects")
            if hits.shape[1]:
                order = np.lexsort((hits[1], hits[0]))
                which, geom_idx = hits[0][order], hits[1][order]
                first = np.unique(which, return_index=True)[1]
                result[need[which[first]]] = geom_idx[first]
        return result


class GeoIndex:
    """The three layers of one city at one boundaries version."""

    def __init__(self, city_code: str, version: str):
        from kotapintar.regions.models import Region

        self.city_code = city_code
        self.version = version
        district_names = dict(
            Region.objects.filter(parent_id=city_code, level=Region.Level.DISTRICT).values_list("code", "name")
        )
        rows = (
            Region.objects.filter(_city_q(city_code), boundary__isnull=False)
            .order_by("code")
            .values_list("code", "level", "name", "parent_id", "boundary", "boundary_approximate")
        )
        layers: dict[int, tuple[list, list]] = {2: ([], []), 3: ([], []), 4: ([], [])}
        for code, level, name, parent_id, boundary, approximate in rows:
            if level not in layers:
                continue
            try:
                geom = shape(boundary)
            except Exception:  # noqa: S112  (a damaged row must not take every lookup down)
                continue
            if level == 4:
                entry: Any = Location(code, name, parent_id or "", district_names.get(parent_id, ""), approximate)
            else:
                entry = Area(code, name)
            layers[level][0].append(geom)
            layers[level][1].append(entry)
        self.city = _Layer(*layers[2])
        self.districts = _Layer(*layers[3])
        self.villages = _Layer(*layers[4])
        self.village_lookup = self.villages.lookup


def _city_q(city_code: str):
    from django.db.models import Q

    return Q(code=city_code) | Q(code__startswith=city_code + ".")


def _db_version(city_code: str) -> str:
    from django.db.models import Count, Max

    from kotapintar.regions.models import Region

    agg = Region.objects.filter(_city_q(city_code), boundary_updated_at__isnull=False).aggregate(
        latest=Max("boundary_updated_at"), count=Count("code")
    )
    latest = agg["latest"].isoformat() if agg["latest"] else "-"
    return f"{latest}|{agg['count']}"


def boundaries_version(city_code: str | None = None) -> str:
    """A string that changes whenever the city's boundaries change (shared by all processes)."""
    city_code = city_code or settings.CITY_CODE
    key = VERSION_KEY.format(city=city_code)
    version = cache.get(key)
    if version is None:
        version = _db_version(city_code)
        cache.set(key, version, VERSION_TTL)
    return version


_lock = threading.Lock()
_index: GeoIndex | None = None
_next_check = 0.0
_monotonic = time.monotonic


def reset() -> None:
    """Drop this process's index; the next lookup rebuilds it."""
    global _index, _next_check
    with _lock:
        _index = None
        _next_check = 0.0


def boundaries_changed() -> None:
    """Called after commit by the boundary import: tell every process, rebuild here."""
    city_code = settings.CITY_CODE
    cache.set(VERSION_KEY.format(city=city_code), _db_version(city_code), VERSION_TTL)
    reset()


def _refresh() -> GeoIndex:
    global _index, _next_check
    with _lock:
        now = _monotonic()
        index = _index
        if index is not None and now < _next_check:
            return index  # another thread has just checked
        city_code = settings.CITY_CODE
        version = boundaries_version(city_code)
        if index is None or index.version != version or index.city_code != city_code:
            index = GeoIndex(city_code, version)
            _index = index
        _next_check = now + CHECK_INTERVAL
        return index


def get_index() -> GeoIndex:
    index = _index
    if index is None or _monotonic() >= _next_check:
        index = _refresh()
    return index


def locate(lat: float, lng: float) -> Location | None:
    """The kelurahan (with its kecamatan) of the city containing the point, or None."""
    index = _index
    if index is None or _monotonic() >= _next_check:
        index = _refresh()
    # float(): callers pass Decimal fields (coordinates are stored as decimals).
    return index.village_lookup(float(lng), float(lat))


def locate_many(lats, lngs) -> list[Location | None]:
    """`locate` for many points at once (sequences or numpy arrays of equal length)."""
    index = get_index()
    ys = np.asarray(lats, dtype=float)
    xs = np.asarray(lngs, dtype=float)
    if xs.shape != ys.shape:
        raise ValueError("lats and lngs must have the same length")
    found = index.villages.lookup_many(xs.ravel(), ys.ravel())
    entries = index.villages.entries
    return [entries[i] if i >= 0 else None for i in found.tolist()]


def locate_district(lat: float, lng: float) -> Area | None:
    """The kecamatan containing the point: from kecamatan boundaries if loaded, else from
    the kelurahan ones; or None."""
    index = get_index()
    lat, lng = float(lat), float(lng)
    if index.districts.size:
        return index.districts.lookup(lng, lat)
    loc = index.villages.lookup(lng, lat)
    return Area(loc.district_code, loc.district_name) if loc else None


def inside_city(lat: float, lng: float) -> bool:
    """Whether the point lies in the city (its own boundary, else its kecamatan/kelurahan)."""
    index = get_index()
    for layer in (index.city, index.districts, index.villages):
        if layer.size:
            return layer.lookup(float(lng), float(lat)) is not None
    return False


def city_bounds() -> Bounds | None:
    """South-west and north-east corners of the city's loaded boundaries, or None."""
    index = get_index()
    for layer in (index.city, index.districts, index.villages):
        if layer.bounds:
            x0, y0, x1, y1 = layer.bounds
            return Bounds(y0, x0, y1, x1)
    return None
