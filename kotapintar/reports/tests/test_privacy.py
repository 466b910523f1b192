"""Privacy on every surface: no identity in public reads, confidential invisible, agencies
never see an anonymous reporter, personal-data export and erasure."""

from __future__ import annotations

import json

from kotapintar.accounts import privacy as registry
from kotapintar.reports import selectors, services
from kotapintar.reports.models import Follower, Privacy, Report

PUBLIC = "/api/v1/public/reports/"
IDENTITY_WORDS = ("Siti Warga", "siti@", "+62812", "hp-device-77", "reporter", "email", "phone", "device")


def _public_report(make_report, citizen, **kw):
    report = make_report(reporter=citizen, device_id="hp-device-77", status="dispositioned", **kw)
    return Report.objects.get(pk=report.pk)


def _assert_no_identity(payload: str):
    for word in IDENTITY_WORDS:
        assert word not in payload, word


def test_public_api_has_no_identity_fields_for_anonymous_reports(make_report, make_user, api):
    citizen = make_user(full_name="Siti Warga", email="siti@example.test", phone="+6281299990000")
    report = _public_report(make_report, citizen)
    listing = api.get(PUBLIC)
    assert listing.status_code == 200
    assert [r["tracking_number"] for r in listing.json()["results"]] == [report.tracking_number]
    detail = api.get(f"{PUBLIC}{report.tracking_number}/")
    assert detail.status_code == 200
    for response in (listing, detail):
        _assert_no_identity(json.dumps(response.json()))
    assert detail.json()["shown_name"] == ""
    assert {e["kind"] for e in detail.json()["timeline"]} >= {"submitted", "verified", "dispositioned"}


def test_the_name_appears_only_when_chosen_on_a_public_report(make_report, make_user, api):
    citizen = make_user(full_name="Siti Warga")
    report = _public_report(make_report, citizen, privacy=Privacy.PUBLIC, show_name=True)
    assert api.get(f"{PUBLIC}{report.tracking_number}/").json()["shown_name"] == "Siti Warga"


def test_confidential_and_unverified_reports_are_invisible_to_the_public(make_report, citizen, api):
    confidential = _public_report(make_report, citizen, privacy=Privacy.CONFIDENTIAL)
    unverified = make_report(reporter=citizen)
    set_aside = make_report(reporter=citizen, status="set_aside")
    for report in (confidential, unverified, set_aside):
        assert api.get(f"{PUBLIC}{report.tracking_number}/").status_code == 404
    assert api.get(PUBLIC).json()["results"] == []
    assert not selectors.public_reports().exists()


def test_agency_staff_never_see_an_anonymous_reporter_only_the_desk_does(
    make_report, citizen, officer, verifier, leadership, api_as
):
    report = _public_report(make_report, citizen)
    assert selectors.reporter_of(report, officer) is None
    assert selectors.reporter_of(report, leadership) is None
    assert selectors.reporter_of(report, verifier).name == "Siti Warga"
    detail = api_as(officer).get(f"/api/v1/reports/{report.tracking_number}/").json()
    assert detail["reporter"] is None
    _assert_no_identity(json.dumps(detail["timeline"]))
    named = _public_report(make_report, citizen, privacy=Privacy.PUBLIC)
    assert selectors.reporter_of(named, officer).name == "Siti Warga"


def test_staff_timeline_hides_the_anonymous_reporter_as_actor(make_report, citizen, officer):
    report = _public_report(make_report, citizen)
    services.report_request_info(actor=officer, report=report, text="Di sebelah mana tepatnya?")
    services.report_reply(report=report, text="Depan masjid.", actor=citizen)
    names = {e.actor_name for e in selectors.timeline(report, officer)}
    assert "Siti Warga" not in names


def test_public_timeline_has_agency_names_never_staff_names(make_report, officer, api):
    report = make_report(status="dispositioned")
    services.report_follow_up(actor=officer, report=report, text="Sedang diperbaiki.")
    detail = api.get(f"{PUBLIC}{report.tracking_number}/").json()
    follow_up = next(e for e in detail["timeline"] if e["kind"] == "follow_up")
    assert follow_up["agency_name"] == "Dinas Pekerjaan Umum"
    assert "Budi Petugas" not in json.dumps(detail)
    assert "actor_name" not in follow_up


def test_public_list_filters_and_bbox(make_report, lapor, api):
    inside = make_report(status="verified")
    lat, lng = lapor.point("Pleburan")
    box = f"{lat - 0.01},{lng - 0.01},{lat + 0.01},{lng + 0.01}"
    assert [r["tracking_number"] for r in api.get(PUBLIC, {"bbox": box}).json()["results"]] == [inside.tracking_number]
    assert api.get(PUBLIC, {"bbox": "1,2,0,3"}).status_code == 400
    assert api.get(PUBLIC, {"category": "PJU"}).json()["results"] == []


def test_export_and_erase_personal_data(make_report, citizen, make_user):
    report = make_report(reporter=citizen, status="verified", privacy=Privacy.PUBLIC, show_name=True)
    followed = make_report(status="verified")
    services.report_support(user=citizen, report=followed)
    data = registry.export_user_data(citizen)["sections"]["reports"]
    assert [r["tracking_number"] for r in data["reports"]] == [report.tracking_number]
    assert data["following"][0]["tracking_number"] == followed.tracking_number
    registry.erase_user_data(citizen)
    report.refresh_from_db()
    followed.refresh_from_db()
    assert report.reporter is None and report.public_name == "" and not report.show_name
    assert report.status == "verified"  # the city's record stays
    assert not Follower.objects.filter(user=citizen).exists()
    assert followed.support_count == 0
