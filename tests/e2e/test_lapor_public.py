"""Lapor's public transparency pages in a real browser (no base-map tiles, as on an intranet):
the map shows clusters, then single reports when zoomed in; the list and the report page
never show who reported; the statistics page draws its charts and tables; a 360-px phone."""

from __future__ import annotations

import pytest

from kotapintar.reports.models import Privacy

REPORTER = "Wulan Pelaporsembunyi"
EMAIL = "wulan.sembunyi@example.test"
PHONE = "+6281355550009"


@pytest.fixture
def offline_tiles(settings):
    # Nothing listens on port 9: every tile fails at once.
    settings.MAP_TILE_URL = "http://127.0.0.1:9/{z}/{x}/{y}.png"


@pytest.fixture
def city_reports(lapor, make_report, make_user, officer):
    from kotapintar.reports import services

    citizen = make_user(full_name=REPORTER, email=EMAIL, phone=PHONE)
    lat, lng = lapor.point("Pleburan")
    made = []
    for i in range(4):
        made.append(
            make_report(
                status="dispositioned",
                reporter=citizen,
                privacy=Privacy.PUBLIC if i % 2 else Privacy.ANONYMOUS,
                point=(round(lat + 0.0004 * i, 6), round(lng + 0.0003 * i, 6)),
            )
        )
    services.report_follow_up(actor=officer, report=made[0], text="Petugas sudah meninjau lokasi.")
    lat2, lng2 = lapor.point("Mangkang Wetan")
    for i in range(3):
        made.append(
            make_report(
                status="resolved",
                category="DRAINASE",
                reporter_name=REPORTER,
                reporter_email=EMAIL,
                point=(round(lat2 + 0.0004 * i, 6), round(lng2 - 0.0003 * i, 6)),
            )
        )
    make_report(status="dispositioned", privacy=Privacy.CONFIDENTIAL, reporter=citizen)
    return made


def _no_identity(text: str):
    for secret in (REPORTER, EMAIL, PHONE, "Wulan", "Budi Petugas"):
        assert secret not in text, secret


@pytest.mark.django_db(transaction=True)
def test_map_clusters_then_points_and_the_list(page, live_server, city_reports, offline_tiles):
    page.visit(f"{live_server.url}/lapor/publik/", "map-and-list")
    page.wait_for_selector("#reports-map[data-mode=clusters]")
    page.wait_for_selector("#reports-map .kp-cluster")
    counts = sorted(int(e.inner_text()) for e in page.query_selector_all("#reports-map .kp-cluster"))
    assert counts == [3, 4]  # Mangkang Wetan, Pleburan; the confidential report is not counted
    assert "7 laporan" in page.get_by_test_id("map-summary").inner_text()
    assert page.get_by_test_id("map-notice").is_visible()  # the component's approximate-boundary note
    page.check("clusters")

    # Choose the biggest group (Pleburan) until the map shows single reports.
    for _ in range(6):
        if page.get_attribute("#reports-map", "data-mode") == "points":
            break
        loads = int(page.get_attribute("#reports-map", "data-loads"))
        biggest = page.evaluate(
            "() => { const c = [...document.querySelectorAll('#reports-map .kp-cluster')].map(e => +e.innerText);"
            " return c.indexOf(Math.max(...c)); }"
        )
        page.locator("#reports-map .kp-cluster").nth(biggest).click()
        page.wait_for_function(f"+document.getElementById('reports-map').dataset.loads > {loads}")
    page.wait_for_selector("#reports-map[data-mode=points]")
    page.wait_for_function("document.querySelectorAll('#reports-map path.kp-report-point').length === 4")
    page.check("points")
    page.locator("#reports-map path.kp-report-point").first.click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert "Buka halaman laporan" in popup.inner_text()

    rows = page.get_by_test_id("public-row")
    assert rows.count() == 7
    _no_identity(page.locator("main").inner_text())
    _no_identity(page.content())


@pytest.mark.django_db(transaction=True)
def test_report_page_shows_responsibility_but_not_the_reporter(page, live_server, city_reports, offline_tiles):
    report = city_reports[0]
    page.visit(f"{live_server.url}/lapor/publik/", "list")
    page.get_by_test_id("public-row").filter(has_text=report.tracking_number).get_by_role("link").click()
    page.wait_for_url(f"**/lapor/publik/{report.tracking_number}/")
    page.check("report")
    main = page.locator("main").inner_text()
    assert "Dinas Pekerjaan Umum" in main
    assert "Petugas sudah meninjau lokasi." in main
    assert "Semarang Selatan" in main
    assert page.get_by_test_id("deadline-badge").is_visible()
    assert page.get_by_test_id("support").is_visible()
    assert "sekitar 100 m" in main  # anonymous: the location is approximate
    _no_identity(page.content())


@pytest.mark.django_db(transaction=True)
def test_statistics_charts_and_tables(page, live_server, city_reports):
    page.visit(f"{live_server.url}/lapor/statistik/", "statistics")
    page.wait_for_selector("html[data-report-charts=ready]")
    assert page.locator("canvas").count() == 3
    for canvas in ("#chart-agencies", "#chart-districts", "#chart-months"):
        box = page.locator(canvas).bounding_box()
        assert box and box["width"] > 100 and box["height"] > 100, canvas
    assert page.get_by_test_id("headline-received").inner_text() == "8"
    agencies = page.get_by_test_id("table-agencies").inner_text()
    assert "Dinas Pekerjaan Umum" in agencies
    assert "Semarang Selatan" in page.get_by_test_id("table-districts").inner_text()
    assert "diperbarui" in page.get_by_test_id("computed-at").inner_text()
    page.check("statistics-drawn")
    page.get_by_label("Periode").select_option("30d")
    page.get_by_role("button", name="Tampilkan").click()
    page.wait_for_url("**period=30d")
    page.check("statistics-30d")
    _no_identity(page.content())


@pytest.mark.django_db(transaction=True)
def test_pages_fit_a_phone(phone, live_server, city_reports, offline_tiles):
    for path, label in (("/lapor/publik/", "phone-map"), ("/lapor/statistik/", "phone-stats")):
        phone.visit(f"{live_server.url}{path}", label)
        if "publik" in path:
            phone.wait_for_selector("#reports-map .kp-cluster")
        else:
            phone.wait_for_selector("html[data-report-charts=ready]")
        phone.check(label + "-ready")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 360, path
    report = city_reports[1]
    phone.visit(f"{live_server.url}/lapor/publik/{report.tracking_number}/", "phone-report")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
