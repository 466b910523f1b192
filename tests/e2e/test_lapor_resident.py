"""Lapor for residents, in a real browser on a 360-px phone (axe-core on every page):
filing with a map tap and a photo, the category suggestion, the tracking number; the
follow-up question, the resolution and the rating on "Laporan Saya"; filing without an
account and opening the tracking link; refusals shown next to their fields; and the form
without JavaScript. The desk's and the agency's steps are played through the services
(their pages are tested with the staff UI)."""

from __future__ import annotations

import pytest
from django.test import Client

from kotapintar.reports import services
from kotapintar.reports.models import Report, ReportPhoto, Status
from kotapintar.testing.reports import jpeg_bytes, load_lapor

TEXT = "Jalan berlubang besar di depan SD Pleburan, sudah dua minggu, motor sering jatuh."


@pytest.fixture
def offline_tiles(settings):
    # Nothing listens on port 9: tiles fail at once, as on an intranet without internet.
    settings.MAP_TILE_URL = "http://127.0.0.1:9/{z}/{x}/{y}.png"


@pytest.fixture
def lapor_city(semarang, agency, other_agency):
    return load_lapor(semarang)


def _sign_in(page, live_server, user):
    client = Client()
    client.force_login(user, backend="kotapintar.accounts.backends.EmailOrPhoneBackend")
    cookie = client.cookies["sessionid"].value
    page.context.add_cookies([{"name": "sessionid", "value": cookie, "url": live_server.url}])


def _tap_map_at(page, lat: float, lng: float) -> None:
    """Tap the map where the point is (computed by the map itself), like a finger would."""
    page.wait_for_function("window.KotaPintarMap && KotaPintarMap.get('report-map')")
    spot = page.evaluate(
        "([lat, lng]) => { const m = KotaPintarMap.get('report-map').map;"
        " m.setView([lat, lng], 16, {animate: false}); const p = m.latLngToContainerPoint([lat, lng]);"
        " return {x: p.x, y: p.y}; }",
        [lat, lng],
    )
    page.locator("#report-map").click(position=spot)


@pytest.mark.django_db(transaction=True)
def test_a_resident_files_on_a_phone_and_follows_it_to_the_rating(
    phone, live_server, lapor_city, citizen, officer, offline_tiles
):
    _sign_in(phone, live_server, citizen)
    phone.visit(f"{live_server.url}/lapor/", "form")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360

    # Typing brings the category suggestions; one tap chooses the category.
    phone.locator("#id_text").fill(TEXT)
    suggestion = phone.locator("[data-testid=category-suggestions] button").first
    suggestion.wait_for()
    assert suggestion.inner_text().strip() == "Jalan rusak / berlubang"
    suggestion.click()
    assert phone.locator("#id_category").input_value() == "JALAN"
    assert phone.locator("#text-counter").inner_text().startswith(f"{len(TEXT)} / 4.000")

    # A tap on the map marks the place; kelurahan and kecamatan fill themselves in.
    lat, lng = lapor_city.point("Pleburan")
    _tap_map_at(phone, lat, lng)
    phone.get_by_text("Kelurahan Pleburan, Kecamatan Semarang Selatan").wait_for()
    assert phone.locator("#id_village option:checked").inner_text() == "Pleburan"
    assert abs(float(phone.locator("#id_lat").input_value()) - lat) < 0.001

    # A photo, previewed before sending.
    phone.locator("#id_photos").set_input_files(
        [{"name": "lubang.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes((800, 600), gps=True)}]
    )
    phone.locator("#photo-previews img").wait_for()
    assert phone.get_by_label("Anonim").is_checked()  # the safe choice, preselected
    phone.check("form-filled")

    phone.get_by_role("button", name="Kirim laporan").click()
    phone.wait_for_url("**/lapor/terkirim/**")
    phone.check("confirmation")
    number = phone.locator("[data-testid=tracking-number]").inner_text().strip()
    report = Report.objects.get(tracking_number=number)
    assert report.reporter == citizen and report.village.name == "Pleburan"
    assert ReportPhoto.objects.filter(report=report).count() == 1

    # The desk routes it; the agency asks a question.
    report = services.report_disposition(actor=None, report=report)
    services.report_request_info(actor=officer, report=report, text="Lubangnya di lajur kiri atau kanan?")

    phone.visit(f"{live_server.url}/lapor/saya/", "my-reports")
    item = phone.locator("[data-testid=my-reports] li").first
    assert "Perlu tindakan Anda" in item.inner_text()
    assert report.responsible_agency.name in item.inner_text()
    assert item.locator("[data-testid=deadline-badge]").inner_text().strip() == "Tepat waktu"
    item.get_by_role("link").click()
    phone.check("detail-question")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert "lajur kiri atau kanan" in phone.locator("[data-testid=question]").inner_text()
    phone.get_by_label("Jawaban Anda").fill("Lajur kiri, dekat tiang listrik.")
    phone.get_by_role("button", name="Kirim jawaban").click()
    phone.get_by_text("Jawaban Anda sudah dikirim ke OPD.").wait_for()
    phone.check("answered")

    # The agency resolves it; the resident confirms and rates it (keyboard on the stars).
    services.report_resolve(actor=officer, report=report, text="Lubang sudah ditambal dengan aspal.")
    phone.reload()
    phone.check("resolved")
    assert "Lubang sudah ditambal" in phone.locator("[data-testid=timeline]").inner_text()
    phone.get_by_role("button", name="Ya, sudah selesai").click()
    phone.get_by_text("laporan ditutup karena sudah selesai").wait_for()
    assert Report.objects.get(pk=report.pk).status == Status.CLOSED
    phone.get_by_role("radio", name="3 – cukup").focus()
    phone.keyboard.press("ArrowRight")
    assert phone.get_by_role("radio", name="4 – baik").is_checked()
    phone.get_by_label("Komentar (tidak wajib)").fill("Cepat, terima kasih.")
    phone.get_by_role("button", name="Kirim penilaian").click()
    phone.locator("[data-testid=my-rating]").wait_for()
    phone.check("rated")
    assert "4 dari 5" in phone.locator("[data-testid=my-rating]").inner_text()
    assert Report.objects.get(pk=report.pk).rating == 4


@pytest.mark.django_db(transaction=True)
def test_without_an_account_the_tracking_link_works(phone, live_server, lapor_city, offline_tiles):
    phone.visit(f"{live_server.url}/lapor/", "form-anonymous")
    phone.locator("#id_text").fill("Sampah menumpuk di TPS Pasar Peterongan, tidak diangkut sejak Jumat.")
    phone.locator("#id_category").select_option("ASPIRASI")
    assert phone.get_by_role("radio", name="Aspirasi").is_checked()  # the category's usual kind
    phone.locator("#id_category").select_option("SAMPAH")
    assert phone.get_by_role("radio", name="Pengaduan").is_checked()
    assert not phone.get_by_label("Tampilkan nama saya", exact=False).is_visible()  # only for public reports
    phone.get_by_role("radio", name="Publik").check()
    assert phone.get_by_label("Tampilkan nama saya", exact=False).is_visible()
    phone.get_by_role("radio", name="Anonim").check()
    # The lists instead of the map: choose kecamatan, then one of its kelurahan.
    phone.locator("#id_district").select_option(label="Semarang Selatan")
    assert "Pleburan" in phone.locator("#id_village").inner_text()
    assert "Tugu" not in phone.locator("#id_village").inner_text()
    phone.locator("#id_village").select_option(label="Peterongan")
    phone.get_by_label("Email").fill("warga@example.test")
    phone.get_by_role("button", name="Kirim laporan").click()
    phone.wait_for_url("**/lapor/terkirim/**")
    phone.check("confirmation-anonymous")
    link = phone.locator("[data-testid=tracking-url]").input_value()
    assert "token=" in link
    report = Report.objects.get()
    assert report.village.name == "Peterongan" and report.reporter is None

    # The link opens the report in another browser (no account, no cookie).
    other = phone.context.browser.new_context(locale="id-ID", viewport={"width": 360, "height": 740})
    try:
        tab = other.new_page()
        tab.goto(link)
        assert report.title in tab.locator("h1").inner_text()
        assert "Menunggu verifikasi" in tab.locator("#reporter-panel").inner_text()
    finally:
        other.close()
    phone.visit(link, "tracking-page")


@pytest.mark.django_db(transaction=True)
def test_refusals_are_shown_next_to_the_field_and_nothing_is_stored(phone, live_server, lapor_city, offline_tiles):
    phone.visit(f"{live_server.url}/lapor/", "form-errors")
    phone.locator("#id_category").select_option("JALAN")
    phone.locator("#id_address").fill("Jl. Merdeka 1")
    phone.locator("#id_photos").set_input_files(
        [{"name": "lubang.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()}]
    )
    # Empty text, and a point outside the city typed as coordinates (Jakarta).
    phone.locator("summary", has_text="Koordinat").click()
    phone.locator("#id_lat").fill("-6.2")
    phone.locator("#id_lng").fill("106.8")
    phone.locator("#id_lng").press("Tab")
    phone.get_by_text("Titik ini berada di luar Kota Semarang").wait_for()
    phone.get_by_role("button", name="Kirim laporan").click()
    phone.locator("[data-testid=error-summary]").wait_for()
    phone.check("errors")
    assert phone.locator("#id_text_error").inner_text().strip() == "Jelaskan masalahnya: isi laporan masih kosong."
    assert phone.locator("#id_text").get_attribute("aria-invalid") == "true"
    assert "di luar Kota Semarang" in phone.locator("#location-error").inner_text()
    assert Report.objects.count() == 0
    # Nothing typed or chosen was lost: address, category, and the photo with JavaScript.
    assert phone.locator("#id_address").input_value() == "Jl. Merdeka 1"
    assert phone.locator("#id_category").input_value() == "JALAN"
    assert phone.evaluate("document.getElementById('id_photos').files.length") == 1

    # Corrected, the same page sends it.
    phone.locator("#id_text").fill(TEXT)
    lat, lng = lapor_city.point("Pleburan")
    _tap_map_at(phone, lat, lng)
    phone.get_by_text("Kelurahan Pleburan").wait_for()
    phone.get_by_role("button", name="Kirim laporan").click()
    phone.wait_for_url("**/lapor/terkirim/**")
    phone.check("sent-after-errors")
    assert ReportPhoto.objects.filter(report=Report.objects.get()).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_form_works_without_javascript(browser, live_server, lapor_city, request):
    from tests.e2e.conftest import PHONE, A11yPage

    context = browser.new_context(locale="id-ID", java_script_enabled=False, **PHONE)
    page = A11yPage(context.new_page(), request.node.name)
    try:
        page.goto(f"{live_server.url}/lapor/")
        assert not page.locator("#report-map").is_visible()  # no map without JavaScript: the lists instead
        page.locator("#id_text").fill("Lampu penerangan jalan di Jl. Pandanaran mati sejak tiga malam.")
        page.get_by_role("button", name="Kirim laporan").click()
        # Suggestions on submit: the category is missing, the engine proposes some.
        assert page.locator("#id_category_error").inner_text().strip() == "Pilih kategori laporan."
        page.locator("[data-testid=category-suggestions]").wait_for()
        page.locator("#id_category").select_option("PJU")
        page.locator("#id_district").select_option(label="Semarang Tengah")
        page.locator("#id_village").select_option(label="Pekunden")
        page.get_by_role("button", name="Kirim laporan").click()
        page.wait_for_url("**/lapor/terkirim/**")
        assert Report.objects.get().village.name == "Pekunden"
        page.screenshot("no-js-confirmation")
    finally:
        context.close()
