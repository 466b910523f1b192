"""Portal pages: catalogue, service page, Layanan Saya (own items only), the survey form."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kotapintar.core import dashboard, navigation
from kotapintar.portal import registry, services, skm
from kotapintar.portal.models import SurveyResponse
from kotapintar.testing.accounts import make_user


def _offer(user, service, case_id="1", **extra):
    return services.survey_offer(user=user, case_kind="report", case_id=case_id, service=service, **extra)


def _login(user) -> Client:
    client = Client()
    client.force_login(user, backend="kotapintar.accounts.backends.EmailOrPhoneBackend")
    return client


# --- catalogue ---------------------------------------------------------------------------------


def test_catalogue_lists_and_searches(client, reklame, ktp):
    page = client.get("/layanan/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Izin Penyelenggaraan Reklame" in html and "Penerbitan KTP Elektronik" in html
    assert "2 layanan" in html

    found = client.get("/layanan/", {"q": "reklame"}).content.decode()
    assert "Izin Penyelenggaraan Reklame" in found and "Penerbitan KTP Elektronik" not in found
    assert "1 layanan ditemukan untuk “reklame”" in found


def test_htmx_search_answers_the_results_only_with_the_count_out_of_band(client, reklame, ktp):
    page = client.get("/layanan/", {"q": "elektronik"}, HTTP_HX_REQUEST="true")
    html = page.content.decode()
    assert "<html" not in html
    assert 'id="result-count"' in html and 'hx-swap-oob="true"' in html
    assert "Penerbitan KTP Elektronik" in html and "Izin Penyelenggaraan Reklame" not in html


def test_no_results_suggests_what_to_do(client, reklame):
    html = client.get("/layanan/", {"q": "zzzz"}).content.decode()
    assert 'data-testid="no-results"' in html and "Tampilkan semua layanan" in html


def test_an_unknown_agency_in_a_link_keeps_the_search(client, reklame, ktp):
    html = client.get("/layanan/", {"q": "reklame", "agency": "DULU-ADA"}).content.decode()
    assert "Izin Penyelenggaraan Reklame" in html and "Penerbitan KTP Elektronik" not in html


def test_filter_by_agency_code_and_category(client, reklame, ktp, other_agency):
    html = client.get("/layanan/", {"agency": other_agency.code}).content.decode()
    assert "Penerbitan KTP Elektronik" in html and "Izin Penyelenggaraan Reklame" not in html
    html = client.get("/layanan/", {"category": "permits"}).content.decode()
    assert "Izin Penyelenggaraan Reklame" in html and "Penerbitan KTP Elektronik" not in html


def test_service_page_shows_the_standard(client, reklame):
    html = client.get("/layanan/izin-reklame/").content.decode()
    for text in ("KTP-el pemohon", "Periksa berkas", "5 hari kerja", "Sesuai tarif pajak reklame.", "Lapor melalui"):
        assert text in html
    assert "<ol>" in html  # the procedure is an ordered list


def test_online_form_links_when_the_target_resolves_and_falls_back_when_not(client, reklame):
    original = registry.online_resolver("permit")
    try:
        registry.register_online_target("permit", lambda code: f"/perizinan/ajukan/{code}/")
        html = client.get("/layanan/izin-reklame/").content.decode()
        assert 'href="/perizinan/ajukan/REKLAME/"' in html and "Ajukan secara daring" in html

        registry.register_online_target("permit", lambda code: None)
        html = client.get("/layanan/izin-reklame/").content.decode()
        assert 'data-testid="online-unavailable"' in html

        def broken(code):
            raise RuntimeError("permits app is down")

        registry.register_online_target("permit", broken)
        assert client.get("/layanan/izin-reklame/").status_code == 200
    finally:
        registry.register_online_target("permit", original)


def test_external_link_and_report_targets(client, agency):
    from kotapintar.testing.portal import make_service

    make_service(agency, slug="nib", online_kind="link", online_code="https://oss.go.id/")
    html = client.get("/layanan/nib/").content.decode()
    assert 'href="https://oss.go.id/"' in html and 'rel="noopener"' in html


def test_unpublished_or_unknown_service_is_404(client, reklame):
    from kotapintar.portal.models import ServiceStandard

    ServiceStandard.objects.filter(pk=reklame.pk).update(is_published=False)
    assert client.get("/layanan/izin-reklame/").status_code == 404
    assert client.get("/layanan/tidak-ada/").status_code == 404


def test_navigation_and_home_tiles(client, citizen, reklame):
    labels = [str(item.label) for item in navigation.items_for(citizen)]
    mine = [str(item.label) for item in navigation.items_for(citizen, navigation.USER_MENU)]
    assert "Layanan" in labels and "Layanan Saya" not in labels
    assert mine[0] == "Layanan Saya"  # first in the account menu: everything the person has going on
    anonymous_labels = [str(i.label) for i in navigation.items_for(None)]
    anonymous_mine = [str(i.label) for i in navigation.items_for(None, navigation.USER_MENU)]
    assert "Layanan" in anonymous_labels and "Layanan Saya" not in anonymous_labels + anonymous_mine
    assert {"portal.catalogue", "portal.ikm"} <= {t.key for t in dashboard.tiles_for(citizen)}
    assert "portal.mine" not in {t.key for t in dashboard.tiles_for(None)}


# --- Layanan Saya ----------------------------------------------------------------------------------


def test_my_services_needs_signing_in(client):
    response = client.get("/layanan/saya/")
    assert response.status_code == 302 and "/accounts/" in response["Location"]


def test_my_services_shows_only_my_own_surveys(citizen, reklame, ktp):
    mine = _offer(citizen, reklame, case_id="1", case_label="Laporan LAP-1")
    _offer(make_user(full_name="Orang Lain"), ktp, case_id="2", case_label="Laporan LAP-2")

    html = _login(citizen).get("/layanan/saya/").content.decode()
    assert "Laporan LAP-1" in html and "Laporan LAP-2" not in html
    assert f'href="/layanan/survei/{mine.pk}/"' in html
    assert 'data-testid="section-surveys"' in html


def test_sections_registered_by_other_apps_are_shown_and_a_broken_one_is_contained(citizen, settings):
    def broken(user):
        raise RuntimeError("boom")

    registry.register_section("test-ok", "Bagian Uji", "portal/sections/failed.html", lambda user: {"count": 3})
    registry.register_section("test-broken", "Bagian Rusak", "portal/sections/failed.html", broken)
    registry.register_section("test-hidden", "Bagian Tersembunyi", "portal/sections/failed.html", lambda user: None)
    try:
        settings.DEBUG = False
        html = _login(citizen).get("/layanan/saya/").content.decode()
    finally:
        for key in ("test-ok", "test-broken", "test-hidden"):
            registry.unregister_section(key)
    assert "Bagian Uji" in html and "Bagian Rusak" in html and "Bagian Tersembunyi" not in html
    assert 'data-testid="section-test-broken"' in html


# --- the survey --------------------------------------------------------------------------------------


def test_someone_elses_survey_is_404(citizen, reklame):
    theirs = _offer(make_user(), reklame)
    client = _login(citizen)
    assert client.get(f"/layanan/survei/{theirs.pk}/").status_code == 404
    answers = dict.fromkeys(skm.KEYS, "4")
    assert client.post(f"/layanan/survei/{theirs.pk}/", answers).status_code == 404
    assert client.get("/layanan/survei/999999/").status_code == 404
    assert SurveyResponse.objects.count() == 0


def test_survey_form_is_accessible_radio_groups(citizen, reklame):
    survey = _offer(citizen, reklame)
    html = _login(citizen).get(f"/layanan/survei/{survey.pk}/").content.decode()
    assert html.count("<fieldset") == 9 and html.count("<legend") == 9
    assert html.count('type="radio"') == 36
    # The regulation's wording of the answers.
    for text in ("Tidak sesuai", "Sangat mudah", "Sangat cepat", "Gratis", "Sopan dan ramah", "Dikelola dengan baik"):
        assert text in html


def test_survey_answered_through_the_page(citizen, reklame, run_on_commit):
    survey = _offer(citizen, reklame)
    client = _login(citizen)
    data = dict.fromkeys(skm.KEYS, "3") | {"suggestions": "Ruang tunggu perlu kipas."}
    response = client.post(f"/layanan/survei/{survey.pk}/", data, follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Terima kasih" in html and 'data-testid="survey-answered"' in html
    assert SurveyResponse.objects.get().scores == (3,) * 9
    # A second post does not count twice.
    client.post(f"/layanan/survei/{survey.pk}/", data)
    assert SurveyResponse.objects.count() == 1


def test_missing_answers_are_shown_next_to_each_question_and_nothing_is_saved(citizen, reklame):
    survey = _offer(citizen, reklame)
    data = {key: "4" for key in skm.KEYS if key not in ("fee", "facilities")}
    response = _login(citizen).post(f"/layanan/survei/{survey.pk}/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Pilih salah satu dari empat jawaban untuk “Biaya/tarif”." in html
    assert "Pilih salah satu dari empat jawaban untuk “Sarana dan prasarana”." in html
    assert 'aria-describedby="id_fee_error"' in html and 'aria-invalid="true"' in html
    # What was chosen stays chosen.
    assert html.count("checked") == 7
    assert SurveyResponse.objects.count() == 0


@pytest.mark.parametrize("value", ["0", "5", "x"])
def test_out_of_range_answers_are_refused(citizen, reklame, value):
    survey = _offer(citizen, reklame)
    data = dict.fromkeys(skm.KEYS, "4") | {"procedure": value}
    response = _login(citizen).post(f"/layanan/survei/{survey.pk}/", data)
    assert response.status_code == 400
    assert "Sistem, mekanisme, dan prosedur" in response.content.decode()
    assert SurveyResponse.objects.count() == 0


def test_survey_link_in_the_notification_opens_the_form(citizen, reklame):
    from kotapintar.core.models import Notification

    _offer(citizen, reklame)
    url = Notification.objects.get(recipient=citizen, channel="inbox").url
    survey = citizen.satisfaction_surveys.get()
    assert url == reverse("portal:survey", kwargs={"pk": survey.pk})
    assert _login(citizen).get(url).status_code == 200


# --- suggestions for staff ------------------------------------------------------------------------


def test_agency_staff_read_their_agencys_anonymous_suggestions_only(
    staff_client, officer, other_officer, citizen, reklame, ktp
):
    from kotapintar.testing.portal import answer_survey

    answer_survey(_offer(citizen, reklame, case_id="1"), suggestions="Loket reklame perlu kursi.")
    answer_survey(_offer(citizen, ktp, case_id="2"), suggestions="Antrean KTP terlalu panjang.")
    answer_survey(_offer(citizen, reklame, case_id="3"))  # no suggestion

    html = staff_client(officer).get("/layanan/saran/").content.decode()
    assert "Loket reklame perlu kursi." in html and "Antrean KTP" not in html
    assert citizen.full_name not in html
    other = staff_client(other_officer).get("/layanan/saran/").content.decode()
    assert "Antrean KTP terlalu panjang." in other and "Loket reklame" not in other
    assert _login(citizen).get("/layanan/saran/").status_code == 404

    card = staff_client(officer).get("/staff/").content.decode()
    assert "Loket reklame perlu kursi." in card
