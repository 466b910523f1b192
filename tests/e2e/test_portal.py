"""The portal in a real browser on a 360-px phone: a resident searches the catalogue, opens a
service, answers the satisfaction survey offered for a case, and the agency's published IKM
changes. Every page is checked with axe-core; screenshots go to test-results/screenshots/."""

from __future__ import annotations

import re

import pytest
from django.db import transaction
from django.utils import timezone

from kotapintar.agencies.models import Agency
from kotapintar.agencies.services import agency_import
from kotapintar.portal import services
from kotapintar.portal.models import ServiceStandard, SurveyResponse
from kotapintar.testing.accounts import PASSWORD, make_user

# Five earlier answers for DPMPTSP this year (the publication threshold), all "3":
# IKM 3.0000 -> 75.00 (C). The resident then answers "4" to all nine questions:
# six respondents, totals 5 x 3 + 4 = 19 per element -> NRR 3.1667 -> 25 x 19/6 = 79.1667
# -> 79.17 (B).
EARLIER = 5


@pytest.fixture
def catalogue(semarang):
    with transaction.atomic():
        agency_import(actor=None)
        services.service_catalogue_import(actor=None)
    dpmptsp = Agency.objects.get(code="DPMPTSP")
    reklame = ServiceStandard.objects.get(slug="izin-reklame")
    today = timezone.localdate()
    for _ in range(EARLIER):
        SurveyResponse.objects.create(
            service=reklame, agency=dpmptsp, answered_on=today, **{f"u{i}": 3 for i in range(1, 10)}
        )
    return reklame


def _sign_in(phone, live_server, user):
    phone.visit(f"{live_server.url}/accounts/login/?next=/layanan/saya/", "login")
    phone.locator("#id_username").fill(user.email)
    phone.locator("#id_password").fill(PASSWORD)
    phone.locator("main form button[type=submit]").click()
    phone.wait_for_url(re.compile(r".*/layanan/saya/$"))


@pytest.mark.django_db(transaction=True)
def test_resident_searches_answers_the_survey_and_the_ikm_changes(phone, live_server, catalogue):
    reklame = catalogue
    resident = make_user(full_name="Sari Pemohon")

    # 1. The catalogue on a phone: search as you type (htmx), then open the service.
    phone.visit(f"{live_server.url}/layanan/", "catalogue")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.locator("#id_q").fill("reklame")
    status = phone.locator("#result-count")
    status.filter(has_text="ditemukan untuk “reklame”").wait_for()  # swapped in by htmx, announced (role=status)
    assert "reklame" in phone.url  # the search is in the address bar (shareable, back button works)
    names = phone.locator("[data-testid=service-item] h2").all_inner_texts()
    assert names[0] == "Izin Penyelenggaraan Reklame"  # the name match first
    assert "Penerbitan KTP Elektronik" not in names
    phone.check("search")
    phone.get_by_role("link", name="Izin Penyelenggaraan Reklame").click()
    phone.wait_for_url(re.compile(r".*/layanan/izin-reklame/$"))
    phone.check("service")
    detail = phone.locator("[data-testid=service-detail]").inner_text()
    assert "5 hari kerja" in detail and "Persyaratan" in detail and "Prosedur" in detail
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360

    # 2. The agency's published index before.
    phone.visit(f"{live_server.url}/layanan/ikm/?kind=year&agency=DPMPTSP", "ikm-before")
    assert phone.locator("[data-testid=headline-ikm]").inner_text() == "75,00"
    assert phone.locator("[data-testid=headline-grade]").inner_text() == "C"
    phone.wait_for_function("document.querySelector('#chart-compare').width > 0")  # Chart.js drew

    # 3. The permit is issued: the permits app offers the survey for that case.
    with transaction.atomic():
        survey = services.survey_offer(
            user=resident,
            case_kind="permit",
            case_id="4711",
            service=reklame,
            case_label="Izin Reklame 503/IR/2026/0042",
        )

    # 4. The resident finds it in "Layanan Saya" and answers it.
    _sign_in(phone, live_server, resident)
    phone.check("my-services")
    section = phone.locator("[data-testid=section-surveys]")
    assert "Izin Reklame 503/IR/2026/0042" in section.inner_text()
    section.get_by_role("link", name=re.compile("Isi survei")).click()
    phone.wait_for_url(re.compile(rf".*/layanan/survei/{survey.pk}/$"))
    phone.check("survey")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360

    # Sending too early shows what is missing, next to each question.
    phone.get_by_role("button", name="Kirim jawaban saya").click()
    phone.wait_for_load_state("load")
    phone.check("survey-errors")
    assert phone.locator("[data-testid=question-requirements] .invalid-feedback").is_visible()

    for key in (
        "requirements",
        "procedure",
        "service_time",
        "fee",
        "product",
        "staff_competence",
        "staff_behaviour",
        "complaints",
        "facilities",
    ):
        group = phone.locator(f"[data-testid=question-{key}]")
        group.locator(".skm-answer label").nth(3).click()  # the fourth answer: score 4 (tap on the label)
        assert group.locator("input[type=radio]").nth(3).is_checked()
    phone.locator("#id_suggestions").fill("Prosesnya cepat, terima kasih.")
    phone.get_by_role("button", name="Kirim jawaban saya").click()
    phone.wait_for_load_state("load")
    phone.check("thanks")
    assert phone.locator("[data-testid=survey-answered]").is_visible()

    # 5. The agency's published index now counts the answer.
    phone.visit(f"{live_server.url}/layanan/ikm/?kind=year&agency=DPMPTSP", "ikm-after")
    assert phone.locator("[data-testid=headline-ikm]").inner_text() == "79,17"
    assert phone.locator("[data-testid=headline-grade]").inner_text() == "B"
    assert "6 responden" in phone.locator("[data-testid=ikm-headline]").inner_text()
    assert SurveyResponse.objects.count() == EARLIER + 1


@pytest.mark.django_db(transaction=True)
def test_ikm_page_on_a_desktop_with_charts_and_tables(page, live_server, catalogue):
    page.visit(f"{live_server.url}/layanan/ikm/", "ikm-desktop")
    page.wait_for_function("document.querySelector('#chart-trend').width > 0")
    assert page.locator("[data-testid=table-agencies] tbody tr").count() == 1
    assert page.locator("[data-testid=table-elements] tbody tr").count() == 9
    page.get_by_role("link", name="Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu").click()
    page.wait_for_url(re.compile(r".*agency=DPMPTSP.*"))
    page.check("ikm-agency")
    assert "Izin Penyelenggaraan Reklame" in page.locator("[data-testid=table-services]").inner_text()
