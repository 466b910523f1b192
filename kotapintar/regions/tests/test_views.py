"""The public /wilayah/ page and the map component."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from kotapintar.regions.services import regions_import

LEGEND = "Batas wilayah perkiraan (demo), bukan batas resmi"


def map_options(html: str) -> dict:
    match = re.search(r'<script id="city-map-options" type="application/json">(.*?)</script>', html, re.S)
    assert match, "the map options are missing"
    return json.loads(match.group(1))


def test_page_shows_map_legend_and_lists(client, semarang, settings):
    settings.MAP_TILE_URL = "https://tiles.example.test/{z}/{x}/{y}.png"

    response = client.get(reverse("regions:index"))

    assert response.status_code == 200
    html = response.content.decode()
    assert LEGEND in html
    assert "Kota Semarang" in html
    # Every kecamatan and kelurahan is listed in the page itself (useful without tiles or JS).
    for district in semarang.districts:
        assert district.name in html
    for village in semarang.villages:
        assert village.name.replace("'", "&#x27;") in html
    assert "16 kecamatan" in html
    options = map_options(html)
    assert options["tiles"]["url"] == settings.MAP_TILE_URL
    urls = [layer["url"] for layer in options["layers"]]
    assert urls == [
        "/api/v1/regions/city/boundaries.geojson?level=district",
        "/api/v1/regions/city/boundaries.geojson?level=village",
    ]
    assert options["bounds"][0][0] < options["bounds"][1][0]  # south < north
    assert 'data-kp-map="city-map-options"' in html
    assert "js/map.js" in html and "vendor/leaflet/leaflet.js" in html


def test_page_in_english(client, semarang):
    client.cookies["kotapintar_language"] = "en"

    html = client.get(reverse("regions:index")).content.decode()

    assert "Approximate area boundaries (demo), not official boundaries" in html


def test_page_without_tile_url_still_has_boundaries(client, semarang, settings):
    settings.MAP_TILE_URL = ""

    html = client.get(reverse("regions:index")).content.decode()

    options = map_options(html)
    assert options["tiles"] is None
    assert len(options["layers"]) == 2
    assert LEGEND in html


def test_official_boundaries_show_no_demo_legend(client, semarang):
    from kotapintar.regions.models import Region

    Region.objects.update(boundary_approximate=False)

    html = client.get(reverse("regions:index")).content.decode()

    assert LEGEND not in html
    assert "Batas kecamatan" in html


@pytest.mark.django_db
def test_page_for_a_city_without_boundaries_lists_its_areas(client, settings):
    settings.CITY_CODE = "34.71"
    regions_import(only_prefix="34.71")

    response = client.get(reverse("regions:index"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Kota Yogyakarta" in html
    assert "Mantrijeron" in html
    assert LEGEND not in html
    assert "Belum ada batas wilayah" in html
    assert map_options(html)["layers"] == []


@pytest.mark.django_db
def test_main_navigation_links_to_the_page(client):
    html = client.get(reverse("home")).content.decode()

    assert f'href="{reverse("regions:index")}"' in html
    assert "Wilayah" in html
