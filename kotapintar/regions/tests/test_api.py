"""The public area API under /api/v1/regions/."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from kotapintar.regions.models import Region


@pytest.fixture
def api():
    return APIClient()


def test_list_is_public_and_paginated(api, semarang):
    response = api.get("/api/v1/regions/", {"page_size": 20})

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 195
    assert len(body["results"]) == 20
    assert body["next"]
    first = body["results"][0]
    assert first == {
        "code": "33",
        "name": "Jawa Tengah",
        "level": 1,
        "level_label": "Provinsi",
        "parent": None,
        "has_boundary": False,
        "boundary_approximate": False,
        "center": None,
    }


def test_filter_by_level_and_parent(api, semarang):
    response = api.get("/api/v1/regions/", {"level": 3, "parent": "33.74", "page_size": 50})

    body = response.json()
    assert body["count"] == 16
    assert {r["name"] for r in body["results"]} >= {"Semarang Tengah", "Tugu", "Mijen", "Gunungpati"}
    assert all(r["has_boundary"] and r["boundary_approximate"] for r in body["results"])
    tugu = next(r for r in body["results"] if r["name"] == "Tugu")
    assert set(tugu["center"]) == {"lat", "lng"}


def test_search_by_name_or_code(api, semarang):
    by_name = api.get("/api/v1/regions/", {"q": "pleburan"}).json()
    by_code = api.get("/api/v1/regions/", {"q": "33.74.07", "level": 4}).json()

    assert [r["code"] for r in by_name["results"]] == ["33.74.07.1005"]
    assert by_code["count"] == 10
    assert all(r["code"].startswith("33.74.07.") for r in by_code["results"])


def test_bad_level_filter_gets_the_error_body(api, semarang):
    response = api.get("/api/v1/regions/", {"level": 9})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert "level" in response.json()["error"]["fields"]


def test_detail_has_ancestors_children_and_bounds(api, semarang):
    response = api.get("/api/v1/regions/33.74.07.1005/")

    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Pleburan"
    assert [a["code"] for a in body["ancestors"]] == ["33", "33.74", "33.74.07"]
    assert body["ancestors"][2]["name"] == "Semarang Selatan"
    assert body["children_count"] == 0
    assert body["bounds"]["min_lat"] < body["center"]["lat"] < body["bounds"]["max_lat"]
    assert body["boundary_approximate"] is True
    assert api.get("/api/v1/regions/33.74/").json()["children_count"] == 16


def test_unknown_code_is_404_with_the_error_body(api, semarang):
    response = api.get("/api/v1/regions/33.74.99/")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_locate_answers_the_kelurahan_and_kecamatan(api, semarang):
    lat, lng = semarang.point_in("33.74.07.1005")

    response = api.get("/api/v1/regions/locate/", {"lat": lat, "lng": lng})

    assert response.status_code == 200
    assert response.json() == {
        "village": {"code": "33.74.07.1005", "name": "Pleburan"},
        "district": {"code": "33.74.07", "name": "Semarang Selatan"},
        "approximate": True,
    }


def test_locate_outside_the_city_is_404_with_the_error_body(api, semarang):
    response = api.get("/api/v1/regions/locate/", {"lat": -6.2088, "lng": 106.8456})

    assert response.status_code == 404
    error = response.json()["error"]
    assert error["code"] == "not_found"
    assert "kelurahan" in error["message"]
    assert error["fields"] == {}


@pytest.mark.parametrize("params", [{}, {"lat": "abc", "lng": "110.4"}, {"lat": "-95", "lng": "110.4"}])
def test_locate_needs_valid_coordinates(api, semarang, params):
    response = api.get("/api/v1/regions/locate/", params)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert "lat" in response.json()["error"]["fields"]


@pytest.mark.parametrize(("level", "count"), [("district", 16), ("village", 177)])
def test_city_boundaries_geojson(api, semarang, level, count):
    response = api.get("/api/v1/regions/city/boundaries.geojson", {"level": level})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/geo+json")
    data = response.json()
    assert data["type"] == "FeatureCollection"
    assert len(data["features"]) == count
    first = data["features"][0]
    assert first["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert first["properties"]["approximate"] is True
    assert first["properties"]["level"] == level
    if level == "village":
        assert first["properties"]["district_name"]


def test_city_boundaries_default_to_kecamatan_and_refuse_other_levels(api, semarang):
    assert len(api.get("/api/v1/regions/city/boundaries.geojson").json()["features"]) == 16
    response = api.get("/api/v1/regions/city/boundaries.geojson", {"level": "province"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_official_boundary_shows_as_not_approximate(api, semarang):
    Region.objects.filter(code="33.74.01").update(boundary_approximate=False)
    from django.core.cache import cache

    cache.clear()

    data = api.get("/api/v1/regions/city/boundaries.geojson").json()

    flags = {f["properties"]["code"]: f["properties"]["approximate"] for f in data["features"]}
    assert flags["33.74.01"] is False
    assert flags["33.74.02"] is True
