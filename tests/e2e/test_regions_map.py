"""The /wilayah/ page in a real browser: boundaries drawn with no base-map tiles, legend,
lists, accessibility (axe-core), and a 360-px phone."""

from __future__ import annotations

import pytest

LEGEND = "Batas wilayah perkiraan (demo), bukan batas resmi"


@pytest.fixture
def offline_tiles(settings):
    # Nothing listens on port 9: every tile fails at once, as on an intranet without internet.
    settings.MAP_TILE_URL = "http://127.0.0.1:9/{z}/{x}/{y}.png"


@pytest.mark.django_db(transaction=True)
def test_map_draws_boundaries_when_tiles_fail(page, live_server, semarang, offline_tiles):
    page.goto(f"{live_server.url}/wilayah/")
    page.wait_for_function("document.querySelectorAll('#city-map path.leaflet-interactive').length >= 16")
    page.get_by_role("status").filter(has_text="Peta dasar tidak dapat dimuat").wait_for()
    page.check("map")

    assert page.locator("[data-testid=map-notice]").inner_text().strip() == LEGEND
    assert page.locator("#city-map path.leaflet-interactive").count() == 16  # kecamatan only at city zoom
    # The kelurahan layer can be switched on from the layer control.
    page.get_by_role("checkbox", name="Kelurahan", exact=True).check()
    page.wait_for_function("document.querySelectorAll('#city-map path.leaflet-interactive').length >= 16 + 177")
    # The lists work without the map: open a kecamatan and read its kelurahan.
    page.get_by_text("Semarang Selatan", exact=True).click()
    assert page.get_by_text("Pleburan").is_visible()


@pytest.mark.django_db(transaction=True)
def test_page_fits_a_phone(phone, live_server, semarang, offline_tiles):
    phone.goto(f"{live_server.url}/wilayah/")
    phone.wait_for_function("document.querySelectorAll('#city-map path.leaflet-interactive').length >= 16")
    phone.check("phone")

    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert phone.get_by_text(LEGEND).is_visible()
