"""The portal with the real permits app: Layanan Saya sections, survey offered on issue,
expiry reminders from issued permits, and the catalogue's link to the application form."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from kotapintar.core.models import Notification
from kotapintar.portal import services
from kotapintar.portal.models import SatisfactionSurvey
from kotapintar.testing.permits import apply_for, run_until
from kotapintar.testing.portal import make_service


def _login(user) -> Client:
    client = Client()
    client.force_login(user, backend="kotapintar.accounts.backends.EmailOrPhoneBackend")
    return client


@pytest.fixture
def reklame_service(permit_office):
    return make_service(
        permit_office.agencies["DPMPTSP"],
        slug="izin-reklame",
        name="Izin Penyelenggaraan Reklame",
        online_kind="permit",
        online_code="REKLAME",
    )


def test_issuing_a_permit_offers_the_survey_once(permit_office, reklame_service, run_on_commit):
    application = apply_for(permit_office, "REKLAME")
    with run_on_commit():
        permit = run_until(permit_office, application, "issued")
    survey = SatisfactionSurvey.objects.get(case_kind="permit", case_id=str(application.pk))
    assert survey.respondent == permit_office.applicant
    assert (survey.service, survey.agency) == (reklame_service, permit_office.agencies["DPMPTSP"])
    assert application.registration_number in survey.case_label
    assert (
        Notification.objects.filter(
            recipient=permit_office.applicant, kind="portal.survey_offered", channel="inbox"
        ).count()
        == 1
    )
    assert permit.holder == permit_office.applicant


def test_my_services_shows_applications_permits_and_the_survey(permit_office, reklame_service):
    draft = apply_for(permit_office, "SIP", submit=False)
    issued = apply_for(permit_office, "REKLAME")
    permit = run_until(permit_office, issued, "issued")

    html = _login(permit_office.applicant).get("/layanan/saya/").content.decode()
    for section in ("permit_applications", "permits", "surveys"):
        assert f'data-testid="section-{section}"' in html
    assert f'href="/perizinan/permohonan/{draft.pk}/"' in html
    assert permit.number in html and "Berlaku" in html
    assert "Izin Penyelenggaraan Reklame" in html  # the survey waiting

    # Somebody else sees none of it.
    other = _login(permit_office.front).get("/layanan/saya/").content.decode()
    assert permit.number not in other and f"/perizinan/permohonan/{draft.pk}/" not in other


def test_permits_about_to_expire_are_flagged_and_reminded(permit_office, reklame_service):
    permit = run_until(permit_office, apply_for(permit_office, "REKLAME"), "issued")
    assert permit.valid_until is not None
    thirty_before = permit.valid_until - dt.timedelta(days=30)

    assert services.expiry_reminders_send(today=thirty_before) == 2
    assert services.expiry_reminders_send(today=thirty_before) == 0
    assert services.expiry_reminders_send(today=permit.valid_until - dt.timedelta(days=7)) == 2
    subjects = list(
        Notification.objects.filter(kind="portal.expiry_reminder", channel="inbox")
        .order_by("id")
        .values_list("subject", flat=True)
    )
    label = f"{permit.permit_type.name} {permit.number}"
    assert subjects == [f"{label} berakhir dalam 30 hari", f"{label} berakhir dalam 7 hari"]


def test_catalogue_links_open_permit_types_only(client, permit_office, reklame_service):
    html = client.get("/layanan/izin-reklame/").content.decode()
    assert 'href="/perizinan/ajukan/REKLAME/"' in html
    make_service(permit_office.agencies["DPMPTSP"], slug="izin-lain", online_kind="permit", online_code="TIDAKADA")
    html = client.get("/layanan/izin-lain/").content.decode()
    assert 'data-testid="online-unavailable"' in html
