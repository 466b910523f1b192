"""The permits API: catalogue, applicants' applications, staff actions, errors in the platform's body."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from kotapintar.permits.models import Application, Permit, Status
from kotapintar.testing.accounts import make_user
from kotapintar.testing.core import login_verified
from kotapintar.testing.permits import ANSWERS, apply_for, pdf_upload, png_upload, run_until


@pytest.fixture
def api(permit_office) -> APIClient:
    client = APIClient()
    client.force_login(permit_office.applicant)
    return client


def staff_api(user) -> APIClient:
    client = APIClient()
    login_verified(client, user)
    return client


def test_catalogue_is_public(permit_office):
    data = APIClient().get("/api/v1/permits/types/").json()
    reklame = next(t for t in data if t["code"] == "REKLAME")
    assert reklame["service_days"] == 5 and reklame["fee_rule"] == "per_unit"
    assert [s["deadline_days"] for s in reklame["steps"]] == [0, 1, 1, 1, 1, 1]
    assert {d["key"] for d in reklame["documents"]} >= {"ktp", "npwp"}
    sip = APIClient().get("/api/v1/permits/types/SIP/").json()
    assert sum(s["deadline_days"] for s in sip["steps"]) == 9


def test_applicant_flow_through_the_api(api, permit_office):
    response = api.post(
        "/api/v1/permits/applications/",
        {
            "permit_type": "REKLAME",
            "client_key": "k1",
            "holder_name": "CV Maju",
            "holder_address": "Jl. A",
            "data": ANSWERS["REKLAME"],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    again = api.post("/api/v1/permits/applications/", {"permit_type": "REKLAME", "client_key": "k1"}, format="json")
    assert again.status_code == 200 and again.json()["id"] == pk  # idempotent
    # Submitting without documents names what is missing.
    response = api.post(f"/api/v1/permits/applications/{pk}/submit/")
    assert response.status_code == 400
    assert "doc_ktp" in response.json()["error"]["fields"]
    response = api.post(
        f"/api/v1/permits/applications/{pk}/documents/",
        {"requirement": "ktp", "file": png_upload("x.png")},
        format="multipart",
    )
    assert response.status_code == 201 and response.json()["content_type"] == "image/png"
    bad = api.post(
        f"/api/v1/permits/applications/{pk}/documents/",
        {"requirement": "land_consent", "file": png_upload("x.png")},
        format="multipart",
    )
    assert bad.status_code == 400 and "file" in bad.json()["error"]["fields"]
    for key in ("npwp", "site_photo", "design", "land_consent"):
        assert (
            api.post(
                f"/api/v1/permits/applications/{pk}/documents/",
                {"requirement": key, "file": pdf_upload()},
                format="multipart",
            ).status_code
            == 201
        )
    response = api.patch(f"/api/v1/permits/applications/{pk}/", {"data": {"faces": "x"}}, format="json")
    assert response.status_code == 400 and "data.faces" in response.json()["error"]["fields"]
    response = api.post(f"/api/v1/permits/applications/{pk}/submit/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "in_process" and body["registration_number"].startswith("REG-REKLAME-")
    assert body["current_step"] and body["held_by"] and body["deadline"]["state"] in ("ok", "soon", "today")
    assert [e["kind"] for e in body["timeline"]][:2] == ["created", "submitted"]
    assert api.get("/api/v1/permits/applications/").json()["count"] == 1


def test_someone_elses_application_is_404(permit_office):
    application = apply_for(permit_office, "REKLAME")
    other = APIClient()
    other.force_login(make_user(full_name="Orang Lain"))
    response = other.get(f"/api/v1/permits/applications/{application.pk}/")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert other.post(f"/api/v1/permits/applications/{application.pk}/submit/").status_code == 404
    assert other.get("/api/v1/permits/applications/").json()["count"] == 0
    assert APIClient().get("/api/v1/permits/applications/").status_code == 401


def test_staff_actions_through_the_api(permit_office):
    application = apply_for(permit_office, "REKLAME")
    front = staff_api(permit_office.front)
    queue = front.get("/api/v1/permits/staff/applications/").json()
    assert [row["registration_number"] for row in queue["results"]] == [application.registration_number]
    # A wrong step answers 409 with the domain error; someone else's step 403.
    response = front.post(f"/api/v1/permits/staff/applications/{application.pk}/assess/", {}, format="json")
    assert response.status_code == 409 and response.json()["error"]["code"] == "invalid_transition"
    response = staff_api(permit_office.distaru).post(
        f"/api/v1/permits/staff/applications/{application.pk}/complete/", {}, format="json"
    )
    assert response.status_code == 403
    assert (
        front.post(f"/api/v1/permits/staff/applications/{application.pk}/complete/", {}, format="json").status_code
        == 200
    )
    response = staff_api(permit_office.distaru).post(
        f"/api/v1/permits/staff/applications/{application.pk}/review/",
        {"recommendation": "approve", "note": "ok", "survey_report": pdf_upload()},
        format="multipart",
    )
    assert response.status_code == 200, response.content
    response = front.post(f"/api/v1/permits/staff/applications/{application.pk}/assess/", {}, format="json")
    assert response.status_code == 200 and response.json()["assessment"]["amount"] == "7200000.00"
    treasury = staff_api(permit_office.treasury)
    response = treasury.post(
        f"/api/v1/permits/staff/applications/{application.pk}/record-payment/",
        {"amount": "7200000", "reference": "BJB-7"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert (
        front.post(f"/api/v1/permits/staff/applications/{application.pk}/approve/", {}, format="json").status_code
        == 200
    )
    response = staff_api(permit_office.head).post(f"/api/v1/permits/staff/applications/{application.pk}/sign/")
    assert response.status_code == 200 and response.json()["status"] == "issued" and response.json()["permit"]
    permit = Permit.objects.get()
    mine = APIClient()
    mine.force_login(permit_office.applicant)
    assert mine.get("/api/v1/permits/permits/").json()["results"][0]["status"] == "valid"
    response = staff_api(permit_office.head).post(
        f"/api/v1/permits/staff/permits/{permit.pk}/revoke/", {"reason": "Dicabut"}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "revoked"


def test_residents_cannot_use_the_staff_api(api, permit_office):
    application = apply_for(permit_office, "REKLAME")
    assert api.get("/api/v1/permits/staff/applications/").status_code == 403
    assert api.post(f"/api/v1/permits/staff/applications/{application.pk}/complete/").status_code == 403


def test_other_agencies_do_not_see_the_application(permit_office):
    application = apply_for(permit_office, "REKLAME")
    dinkes = staff_api(permit_office.dinkes)
    assert dinkes.get(f"/api/v1/permits/staff/applications/{application.pk}/").status_code == 404
    assert dinkes.get("/api/v1/permits/staff/applications/?scope=open").json()["count"] == 0


def test_resubmit_and_withdraw(api, permit_office):
    from kotapintar.permits import services

    application = apply_for(permit_office, "SIP")
    services.application_return(
        actor=permit_office.front, application=application, note="Jadwal praktik belum lengkap."
    )
    response = api.patch(
        f"/api/v1/permits/applications/{application.pk}/",
        {"data": {"schedule": "Senin-Sabtu 08.00-12.00"}},
        format="json",
    )
    assert response.status_code == 200
    assert (
        api.post(
            f"/api/v1/permits/applications/{application.pk}/resubmit/", {"note": "Sudah"}, format="json"
        ).status_code
        == 200
    )
    assert (
        api.post(f"/api/v1/permits/applications/{application.pk}/withdraw/", {"note": ""}, format="json").json()[
            "status"
        ]
        == "withdrawn"
    )
    assert Application.objects.get(pk=application.pk).status == Status.WITHDRAWN


def test_issued_permit_listed_only_when_released(api, permit_office):
    application = run_until(permit_office, apply_for(permit_office, "SIP"), "handover")
    assert api.get("/api/v1/permits/permits/").json()["count"] == 0
    assert api.get(f"/api/v1/permits/applications/{application.pk}/").json()["permit"] is None
