"""Reads of area data. Area codes and boundaries are public: nothing here depends on the user."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet

from kotapintar.core import geo

from .models import Region


def city() -> Region | None:
    """The kabupaten/kota this instance serves (settings.CITY_CODE)."""
    return Region.objects.filter(code=settings.CITY_CODE, level=Region.Level.REGENCY).first()


def city_name() -> str:
    if settings.CITY_NAME:
        return settings.CITY_NAME
    key = f"regions:city_name:{settings.CITY_CODE}"
    name = cache.get(key)
    if name is None:
        region = city()
        name = region.name if region else ""
        if name:
            cache.set(key, name, 3600)
    return name


def _below(code: str) -> Q:
    """Every area under `code`. (Not a range on the key: under a non-C collation PostgreSQL
    may sort "." and "/" by other rules; LIKE 'x%' uses the key's pattern index there.)"""
    return Q(code__startswith=code + ".")


def city_districts() -> QuerySet[Region]:
    """The kecamatan of the city, by name (without the boundary geometry, which is large and
    loaded only when asked for: `.boundary` on a row, or city_boundaries_geojson)."""
    return (
        Region.objects.filter(parent_id=settings.CITY_CODE, level=Region.Level.DISTRICT)
        .defer("boundary")
        .order_by("name")
    )


def city_villages() -> QuerySet[Region]:
    """The kelurahan/desa of the city, by name (without the boundary geometry, as above)."""
    return (
        Region.objects.filter(_below(settings.CITY_CODE), level=Region.Level.VILLAGE).defer("boundary").order_by("name")
    )


def district_villages(district_code: str) -> QuerySet[Region]:
    """The kelurahan/desa of one kecamatan of the city, by name (empty for another city's)."""
    if not district_code.startswith(settings.CITY_CODE + "."):
        return Region.objects.none()
    return Region.objects.filter(parent_id=district_code, level=Region.Level.VILLAGE).order_by("name")


@dataclass(frozen=True)
class DistrictEntry:
    district: Region
    villages: list[Region]


def city_tree() -> list[DistrictEntry]:
    """Kecamatan by name, each with its kelurahan by name (two queries, no boundaries loaded)."""
    districts = list(city_districts())
    villages: dict[str, list[Region]] = {d.code: [] for d in districts}
    for village in city_villages():
        villages.setdefault(village.parent_id, []).append(village)
    return [DistrictEntry(d, villages.get(d.code, [])) for d in districts]


def city_boundary_status() -> dict:
    """How many of the city's kecamatan/kelurahan have boundaries and whether any is approximate."""
    rows = Region.objects.filter(_below(settings.CITY_CODE), boundary__isnull=False).values_list(
        "level", "boundary_approximate"
    )
    status = {"districts": 0, "villages": 0, "approximate": False}
    for level, approximate in rows:
        if level == Region.Level.DISTRICT:
            status["districts"] += 1
        elif level == Region.Level.VILLAGE:
            status["villages"] += 1
        status["approximate"] = status["approximate"] or approximate
    status["any"] = bool(status["districts"] or status["villages"])
    return status


def regions_public() -> QuerySet[Region]:
    """All areas for lists: boundaries not loaded, `has_boundary` annotated."""
    return (
        Region.objects.defer("boundary")
        .annotate(
            has_boundary=ExpressionWrapper(Q(boundary__isnull=False), output_field=BooleanField()),
        )
        .order_by("code")
    )


def region_search(queryset: QuerySet[Region], text: str) -> QuerySet[Region]:
    """Name contains the text, or code starts with it (dots optional)."""
    text = text.strip()
    if not text:
        return queryset
    condition = Q(name__icontains=text)
    if text.replace(".", "").isdigit():
        condition |= Q(code__startswith=text)
    return queryset.filter(condition)


def ancestors(region: Region) -> list[Region]:
    """Province → regency → district above an area (one query)."""
    parts = region.code.split(".")
    codes = [".".join(parts[:i]) for i in range(1, len(parts))]
    if not codes:
        return []
    found = {r.code: r for r in Region.objects.filter(code__in=codes).defer("boundary")}
    return [found[c] for c in codes if c in found]


GEOJSON_LEVELS = {"district": Region.Level.DISTRICT, "village": Region.Level.VILLAGE}


def city_boundaries_geojson(level: str) -> dict:
    """The city's kecamatan or kelurahan as a GeoJSON FeatureCollection (cached per version)."""
    level_value = GEOJSON_LEVELS[level]
    version = geo.boundaries_version()
    key = f"regions:geojson:{settings.CITY_CODE}:{level}:{version}"
    data = cache.get(key)
    if data is not None:
        return data
    district_names = dict(city_districts().values_list("code", "name"))
    features = []
    approximate = False
    for region in Region.objects.filter(_below(settings.CITY_CODE), level=level_value, boundary__isnull=False).order_by(
        "code"
    ):
        approximate = approximate or region.boundary_approximate
        properties = {
            "code": region.code,
            "name": region.name,
            "level": level,
            "approximate": region.boundary_approximate,
            "source": region.boundary_source,
        }
        if level_value == Region.Level.VILLAGE:
            properties["district_code"] = region.parent_id
            properties["district_name"] = district_names.get(region.parent_id, "")
        features.append({"type": "Feature", "id": region.code, "properties": properties, "geometry": region.boundary})
    data = {"type": "FeatureCollection", "approximate": approximate, "features": features}
    cache.set(key, data, 3600)
    return data
