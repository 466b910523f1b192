"""A closed report brings its reporter the satisfaction survey (SKM) — once."""

from __future__ import annotations

import datetime as dt

import pytest

from kotapintar.portal.models import SatisfactionSurvey
from kotapintar.reports import services
from kotapintar.reports.models import Privacy, Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def lapor_service(agency, make_service):
    return make_service(agency, name="Pengaduan Lapor", slug="pengaduan-lapor", online_kind="report", online_code="")


def surveys_of(report):
    return SatisfactionSurvey.objects.filter(case_kind="report", case_id=str(report.pk))


def test_closing_a_report_offers_the_survey_once(make_report, citizen, officer, lapor_service):
    report = make_report(reporter=citizen, status="resolved", privacy=Privacy.ANONYMOUS)
    report = services.report_confirm(report=report, actor=citizen)
    assert report.status == Status.CLOSED
    survey = surveys_of(report).get()
    assert survey.respondent == citizen
    assert survey.service == lapor_service
    assert survey.agency_id == report.responsible_agency_id

    # Reopened, resolved and closed again: still the one survey of this report.
    report = services.report_reopen(report=report, reason="Lubangnya muncul lagi.", actor=citizen)
    report = services.report_resolve(actor=officer, report=report, text="Sudah ditambal ulang dengan aspal baru.")
    report = services.report_confirm(report=report, actor=citizen)
    assert report.status == Status.CLOSED
    assert surveys_of(report).count() == 1


def test_auto_close_offers_the_survey_too(make_report, citizen, lapor_service):
    report = make_report(reporter=citizen, status="resolved")
    closed = services.report_auto_close(report=report, now=report.auto_close_due + dt.timedelta(days=1))
    assert closed is not None and closed.status == Status.CLOSED
    assert surveys_of(report).get().respondent == citizen


def test_a_catalogue_without_a_lapor_service_does_not_stop_closing(make_report, citizen):
    report = make_report(reporter=citizen, status="resolved")
    assert services.report_confirm(report=report, actor=citizen).status == Status.CLOSED
    assert not surveys_of(report).exists()


def test_a_report_filed_without_an_account_gets_no_survey(make_report, lapor_service):
    report = make_report(reporter=None, status="resolved", reporter_email="tanpa.akun@example.test")
    closed = services.report_auto_close(report=report, now=report.auto_close_due + dt.timedelta(days=1))
    assert closed.status == Status.CLOSED
    assert not surveys_of(report).exists()
