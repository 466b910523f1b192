"""The geo index (kotapintar.core.geo) over the demo boundaries of Semarang."""

from __future__ import annotations

import json
import math
import random
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone
from shapely.geometry import Point, shape

from kotapintar.core import geo
from kotapintar.regions.models import Region
from kotapintar.regions.services import boundaries_import


def test_every_kelurahan_is_found_at_a_point_inside_it(semarang):
    assert len(semarang.villages) == 177
    for village in semarang.villages:
        lat, lng = semarang.point_in(village.code)

        loc = geo.locate(lat, lng)

        assert loc is not None, village.code
        assert loc.village_code == village.code
        assert loc.village_name == village.name
        assert loc.district_code == village.parent_id
        assert loc.district_name == next(d.name for d in semarang.districts if d.code == village.parent_id)
        assert loc.approximate is True


def test_known_kelurahan_by_name(semarang):
    pleburan = semarang.village("Pleburan")
    lat, lng = semarang.point_in(pleburan.code)

    loc = geo.locate(lat, lng)

    assert (loc.village_name, loc.district_name) == ("Pleburan", "Semarang Selatan")
    assert geo.locate_district(lat, lng) == geo.Area("33.74.07", "Semarang Selatan")


def test_decimal_coordinates_from_model_fields_work(semarang):
    lat, lng = semarang.point_in("33.74.07.1005")

    loc = geo.locate(Decimal(f"{lat:.7f}"), Decimal(f"{lng:.7f}"))

    assert loc.village_code == "33.74.07.1005"
    assert geo.locate_district(Decimal(f"{lat:.7f}"), Decimal(f"{lng:.7f}")).code == "33.74.07"
    assert geo.inside_city(Decimal(f"{lat:.7f}"), Decimal(f"{lng:.7f}")) is True
    assert geo.locate_many([Decimal(f"{lat:.7f}")], [Decimal(f"{lng:.7f}")]) == [loc]


@pytest.mark.parametrize(
    ("lat", "lng"),
    [
        (-6.2088, 106.8456),  # Jakarta
        (-6.90, 110.42),  # the Java Sea north of the harbour
        (-7.20, 110.40),  # Ungaran, south of the city
        (0.0, 0.0),
        (math.nan, 110.42),
        (-6.99, math.inf),
    ],
)
def test_points_outside_the_city_answer_none(semarang, lat, lng):
    assert geo.locate(lat, lng) is None
    assert geo.locate_district(lat, lng) is None
    assert geo.inside_city(lat, lng) is False
    assert geo.locate_many([lat], [lng]) == [None]


def test_city_bounds_and_inside_city(semarang):
    bounds = geo.city_bounds()

    assert -7.13 < bounds.min_lat < bounds.max_lat < -6.92
    assert 110.26 < bounds.min_lng < bounds.max_lng < 110.51
    assert geo.inside_city(*semarang.point_in("33.74.16")) is True


def test_locate_many_agrees_with_locate(semarang):
    bounds = geo.city_bounds()
    rng = random.Random(7)
    lats = [rng.uniform(bounds.min_lat - 0.01, bounds.max_lat + 0.01) for _ in range(3000)]
    lngs = [rng.uniform(bounds.min_lng - 0.01, bounds.max_lng + 0.01) for _ in range(3000)]

    many = geo.locate_many(lats, lngs)

    assert many == [geo.locate(lat, lng) for lat, lng in zip(lats, lngs, strict=True)]
    assert sum(1 for m in many if m) > 1000  # most points of the box are in the city
    assert any(m is None for m in many)


def test_locate_agrees_with_a_plain_polygon_test(semarang):
    polygons = [(v.code, shape(Region.objects.get(code=v.code).boundary)) for v in semarang.villages]
    rng = random.Random(11)
    bounds = geo.city_bounds()
    for _ in range(200):
        lat = rng.uniform(bounds.min_lat, bounds.max_lat)
        lng = rng.uniform(bounds.min_lng, bounds.max_lng)
        expected = next((code for code, poly in polygons if poly.contains(Point(lng, lat))), None)
        loc = geo.locate(lat, lng)
        assert (loc.village_code if loc else None) == expected


def test_point_on_a_shared_border_resolves_to_the_lower_code_every_time(semarang):
    # A vertex shared by two neighbouring kelurahan of the demo data.
    shapes = {v.code: shape(Region.objects.get(code=v.code).boundary) for v in semarang.villages}
    a, b = "33.74.01.1001", None
    vertices_a = set(shapes[a].exterior.coords)
    for code, polygon in shapes.items():
        if code != a and vertices_a & set(polygon.exterior.coords):
            b = code
            shared = sorted(vertices_a & set(polygon.exterior.coords))[0]
            break
    assert b is not None
    lng, lat = shared
    expected = min(
        code for code, poly in shapes.items() if poly.intersects(shape({"type": "Point", "coordinates": shared}))
    )

    answers = {geo.locate(lat, lng).village_code for _ in range(3)}
    geo.reset()
    answers.add(geo.locate(lat, lng).village_code)
    answers.add(geo.locate_many([lat], [lng])[0].village_code)

    assert answers == {expected}


def test_lookups_do_not_query_the_database_between_checks(semarang, django_assert_num_queries):
    lat, lng = semarang.point_in("33.74.10")
    geo.locate(lat, lng)  # builds the index

    with django_assert_num_queries(0):
        for _ in range(100):
            geo.locate(lat, lng)
        geo.locate_many([lat] * 10, [lng] * 10)


def _move_boundary(code: str, dx: float) -> dict:
    region = Region.objects.get(code=code)
    geometry = json.loads(json.dumps(region.boundary))

    def shift(value):
        if isinstance(value[0], (int, float)):
            return [value[0] + dx, value[1]]
        return [shift(v) for v in value]

    geometry["coordinates"] = shift(geometry["coordinates"])
    return geometry


def test_boundary_import_reloads_the_index_in_this_process(semarang, tmp_path, run_on_commit):
    # Move Tugu's first kelurahan 1 degree east, far outside the city.
    code = semarang.villages[-1].code
    lat, lng = semarang.point_in(code)
    assert geo.locate(lat, lng).village_code == code
    moved = _move_boundary(code, 1.0)
    path = tmp_path / "moved.geojson"
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [{"type": "Feature", "properties": {"code": code}, "geometry": moved}],
            }
        )
    )

    with run_on_commit():
        boundaries_import(path=path, level=4)

    assert geo.locate(lat, lng) is None
    assert geo.locate(lat, lng + 1.0).village_code == code
    assert geo.get_index().version == geo.boundaries_version()


def test_another_process_change_is_seen_within_the_check_interval(semarang, monkeypatch):
    """Another process imported boundaries: this one learns it from the shared version."""
    clock = [1000.0]
    monkeypatch.setattr(geo, "_monotonic", lambda: clock[0])
    geo.reset()
    code = semarang.villages[0].code
    lat, lng = semarang.point_in(code)
    assert geo.locate(lat, lng).village_code == code

    # What the other process's import did: new boundary in the database, version bumped.
    Region.objects.filter(code=code).update(boundary=_move_boundary(code, 1.0), boundary_updated_at=timezone.now())
    cache.set(geo.VERSION_KEY.format(city="33.74"), geo._db_version("33.74"), geo.VERSION_TTL)

    clock[0] += geo.CHECK_INTERVAL / 2
    assert geo.locate(lat, lng).village_code == code  # not checked yet: still the old index
    clock[0] += geo.CHECK_INTERVAL
    assert geo.locate(lat, lng) is None  # checked, rebuilt
    assert geo.locate(lat, lng + 1.0).village_code == code


def test_without_the_cache_key_the_version_comes_from_the_database(semarang, monkeypatch):
    clock = [5000.0]
    monkeypatch.setattr(geo, "_monotonic", lambda: clock[0])
    geo.reset()
    code = semarang.villages[0].code
    lat, lng = semarang.point_in(code)
    assert geo.locate(lat, lng).village_code == code

    Region.objects.filter(code=code).update(boundary=_move_boundary(code, 1.0), boundary_updated_at=timezone.now())
    cache.clear()  # e.g. a local-memory cache in another process never saw the bump
    clock[0] += geo.CHECK_INTERVAL + 1

    assert geo.locate(lat, lng) is None


def test_city_without_boundaries_answers_none(db, settings):
    from kotapintar.regions.services import regions_import

    settings.CITY_CODE = "33.74"
    regions_import(only_prefix="33.74")

    assert geo.locate(-6.99, 110.42) is None
    assert geo.locate_many([-6.99], [110.42]) == [None]
    assert geo.inside_city(-6.99, 110.42) is False
    assert geo.city_bounds() is None
