"""The JSON API: filing (JSON, multipart, Idempotency-Key), lists by role, actions, errors."""

from __future__ import annotations

import json

import pytest

from kotapintar.core.models import AuditLog
from kotapintar.reports.models import Report, ReportPhoto, Status
from kotapintar.testing.reports import jpeg_bytes, upload

URL = "/api/v1/reports/"


def _body(lapor, **kw):
    lat, lng = lapor.point("Pleburan")
    body = {"category": "JALAN", "text": "Jalan berlubang dekat Simpang Lima.", "lat": lat, "lng": lng}
    body.update(kw)
    return body


def test_file_a_report_without_an_account(api, lapor):
    response = api.post(URL, _body(lapor), format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["created"] is True and data["status"] == "submitted"
    report = Report.objects.get(tracking_number=data["tracking_number"])
    assert data["tracking_token"] in data["tracking_url"] and data["tracking_url"].startswith("http://testserver/")
    assert report.channel == "api" and report.reporter is None
    # The tracking link opens the report's detail, without the reporter's own data.
    detail = api.get(f"{URL}{report.tracking_number}/?token={data['tracking_token']}")
    assert detail.status_code == 200
    assert detail.json()["reporter"] is None
    assert "reply" in detail.json()["allowed_actions"]


def test_idempotency_key_gives_one_report_201_then_200(api, lapor):
    headers = {"HTTP_IDEMPOTENCY_KEY": "5f0c1c9e-1f7d-4c1b-9a5e-6f1d2a3b4c5d"}
    first = api.post(URL, _body(lapor, device_id="hp-1"), format="json", **headers)
    again = api.post(URL, _body(lapor, device_id="hp-1"), format="json", **headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["tracking_number"] == again.json()["tracking_number"]
    assert again.json()["created"] is False
    assert Report.objects.count() == 1
    conflict = api.post(URL, _body(lapor, device_id="hp-1", text="Lain sama sekali."), format="json", **headers)
    assert conflict.status_code == 409
    assert conflict.json()["error"]["code"] == "idempotency_conflict"


def test_multipart_with_photos_and_open311_style_attributes(api, lapor, commit):
    from kotapintar.reports import selectors, services

    services.category_attribute_save(
        actor=None,
        category=lapor.category("JALAN"),
        code="lajur",
        datatype="multivaluelist",
        description="Lajur",
        values=[{"key": "kiri", "name": "Kiri"}, {"key": "kanan", "name": "Kanan"}],
    )
    selectors.forget_categories()
    body = _body(lapor)
    body["photos"] = [upload(jpeg_bytes(gps=True)), upload(jpeg_bytes(), "dua.png")]
    body["attribute[lajur][]"] = ["kiri", "kanan"]
    with commit():
        response = api.post(URL, body, format="multipart")
    assert response.status_code == 201, response.content
    report = Report.objects.get(tracking_number=response.json()["tracking_number"])
    assert report.attributes == {"lajur": ["kiri", "kanan"]}
    assert ReportPhoto.objects.filter(report=report).count() == 2


def test_errors_name_the_fields_in_indonesian_and_store_nothing(api, lapor):
    response = api.post(URL, _body(lapor, text="", lat=-7.6, lng=110.0), format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert set(error["fields"]) >= {"text", "location"}
    assert "di luar" in " ".join(error["fields"]["location"])
    assert Report.objects.count() == 0


def test_unknown_category_and_bad_json(api, lapor):
    response = api.post(URL, _body(lapor, category="NOPE"), format="json")
    assert response.status_code == 400 and "category" in response.json()["error"]["fields"]
    response = api.post(URL, "{not json", content_type="application/json")
    assert response.status_code == 400 and response.json()["error"]["code"] == "parse_error"


def test_rate_limit_answers_429_with_retry_after(api, lapor, settings, commit):
    settings.REPORTS_ANONYMOUS_RATE = {"ip": (1, 3600), "device": (100, 3600)}
    with commit():
        assert api.post(URL, _body(lapor), format="json").status_code == 201
    response = api.post(URL, _body(lapor), format="json")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response.json()["error"]["code"] == "throttled"


def test_lists_by_role(make_report, api_as, citizen, verifier, officer, other_officer):
    mine = make_report(reporter=citizen)
    routed = make_report(status="dispositioned")
    waiting = make_report()

    def numbers(client, query=""):
        response = client.get(URL + query)
        assert response.status_code == 200, response.content
        return {row["tracking_number"] for row in response.json()["results"]}

    assert numbers(api_as(citizen)) == {mine.tracking_number}
    assert numbers(api_as(verifier)) == {mine.tracking_number, waiting.tracking_number}
    assert numbers(api_as(verifier), "?queue=all") == {
        mine.tracking_number,
        waiting.tracking_number,
        routed.tracking_number,
    }
    assert numbers(api_as(officer)) == {routed.tracking_number}
    assert numbers(api_as(other_officer)) == set()
    row = api_as(officer).get(URL).json()["results"][0]
    assert row["deadline"]["stage"] == "response" and row["responsible_agency"]["code"] == "DPU"


def test_list_requires_sign_in(api):
    response = api.get(URL)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_hidden_reports_answer_404_not_403(make_report, api_as, citizen, make_user, other_officer):
    report = make_report(reporter=citizen)
    stranger = make_user()
    for client in (api_as(stranger), api_as(other_officer)):
        assert client.get(f"{URL}{report.tracking_number}/").status_code == 404
    assert api_as(citizen).get(f"{URL}{report.tracking_number}/").status_code == 200
    assert api_as(citizen).get(f"{URL}LPR-26-ZZZZZZ/").status_code == 404


def test_desk_and_agency_actions_through_the_api(make_report, api_as, verifier, officer, citizen):
    report = make_report(reporter=citizen)
    desk = api_as(verifier)
    base = f"{URL}{report.tracking_number}/"
    response = desk.post(base + "disposition/", {"note": "Mohon segera."}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "dispositioned"
    # An anonymous report: even the desk sees the reporter only on an audited request with a reason.
    assert response.json()["reporter"] is None
    assert desk.post(base + "reveal-reporter/", {"reason": ""}, format="json").status_code == 400
    revealed = desk.post(base + "reveal-reporter/", {"reason": "Perlu konfirmasi lokasi."}, format="json")
    assert revealed.status_code == 200 and revealed.json()["name"] == "Siti Warga"
    assert AuditLog.objects.filter(action="report.reveal_reporter", object_id=str(report.pk)).count() == 1

    agency = api_as(officer)
    assert agency.post(base + "note/", {"text": "Cek gudang aspal."}, format="json").status_code == 201
    response = agency.post(
        base + "follow-up/",
        {"text": "Sedang dikerjakan.", "photos": [upload(jpeg_bytes())], "photo_kinds": ["before"]},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    response = agency.post(base + "resolve/", {"text": ""}, format="json")
    assert response.status_code == 400 and "text" in response.json()["error"]["fields"]
    response = agency.post(base + "resolve/", {"text": "Selesai ditambal."}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "resolved"
    detail = response.json()
    assert detail["reporter"] is None  # an anonymous report: the agency never sees who filed it
    kinds = [e["kind"] for e in detail["timeline"]]
    assert "note" in kinds  # staff see internal notes


def test_wrong_transition_answers_409(make_report, api_as, verifier):
    report = make_report(status="resolved")
    response = api_as(verifier).post(f"{URL}{report.tracking_number}/verify/", {}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_transition"
    assert "Selesai ditangani" in response.json()["error"]["message"]


def test_agency_may_see_but_not_triage(make_report, api_as, officer):
    report = make_report(status="dispositioned")
    response = api_as(officer).post(
        f"{URL}{report.tracking_number}/set-aside/", {"reason": "incomplete"}, format="json"
    )
    assert response.status_code == 403
    assert Report.objects.get(pk=report.pk).status == Status.DISPOSITIONED


def test_reporter_actions_with_the_tracking_token(make_report, api):
    report = make_report(status="resolved")
    base = f"{URL}{report.tracking_number}/"
    assert api.post(base + "rate/", {"rating": 5, "token": "nope"}, format="json").status_code == 404
    response = api.post(
        base + "rate/", {"rating": 5, "comment": "Mantap", "token": report.tracking_token}, format="json"
    )
    assert response.status_code == 200 and response.json()["rating"] == 5
    response = api.post(base + "confirm/", {"token": report.tracking_token}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "closed"


def test_follow_a_public_report(make_report, api_as, make_user):
    report = make_report(status="dispositioned")
    resident = api_as(make_user())
    response = resident.post(f"{URL}{report.tracking_number}/follow/", {}, format="json")
    assert response.status_code == 200
    assert response.json() == {"following": True, "supports": True, "support_count": 1, "follower_count": 1}
    unverified = make_report()
    assert resident.post(f"{URL}{unverified.tracking_number}/follow/", {}, format="json").status_code == 404


def test_bulk_assign(make_report, api_as, agency_head, officer):
    reports = [make_report(status="dispositioned") for _ in range(2)]
    response = api_as(agency_head).post(
        URL + "bulk/",
        {
            "action": "assign",
            "reports": [r.tracking_number for r in reports] + ["LPR-26-AAAAAA"],
            "officer": officer.pk,
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    assert sorted(response.json()["done"]) == sorted(r.tracking_number for r in reports)
    assert [f["tracking_number"] for f in response.json()["failed"]] == ["LPR-26-AAAAAA"]


def test_duplicates_endpoint_for_staff(make_report, api_as, verifier, citizen):
    first = make_report()
    second = make_report(reporter=citizen)
    response = api_as(verifier).get(f"{URL}{second.tracking_number}/duplicates/")
    assert response.status_code == 200
    assert [row["tracking_number"] for row in response.json()] == [first.tracking_number]
    assert api_as(citizen).get(f"{URL}{second.tracking_number}/duplicates/").status_code == 404


def test_suggest_category_is_open_and_names_come_from_the_categories(api, lapor):
    response = api.post(
        URL + "suggest-category/", {"text": "lampu jalan di depan rumah mati sudah seminggu"}, format="json"
    )
    assert response.status_code == 200
    suggestions = response.json()["suggestions"]
    assert 1 <= len(suggestions) <= 3
    assert suggestions[0]["code"] == "PJU"
    assert suggestions[0]["name"] == "Lampu penerangan jalan mati"
    assert suggestions == sorted(suggestions, key=lambda s: -s["score"])
    assert api.post(URL + "suggest-category/", {"text": ""}, format="json").json() == {"suggestions": []}


def test_suggest_category_is_throttled(api, lapor, monkeypatch):
    from kotapintar.reports.api import views

    monkeypatch.setattr(views.SuggestThrottle, "rate", "2/min")
    codes = [
        api.post(URL + "suggest-category/", {"text": "sampah numpuk"}, format="json").status_code for _ in range(3)
    ]
    assert codes == [200, 200, 429]


def test_similar_reports_for_the_form(make_report, api, lapor, verifier):
    from kotapintar.reports import services

    report = make_report()
    services.report_verify(actor=verifier, report=report)
    lat, lng = lapor.point("Pleburan")
    response = api.get(URL + "similar/", {"category": "JALAN", "lat": lat, "lng": lng, "text": "jalan berlubang"})
    assert response.status_code == 200
    rows = response.json()
    assert [r["tracking_number"] for r in rows] == [report.tracking_number]
    assert set(rows[0]) == {
        "tracking_number", "title", "category", "status", "district", "created_at",
        "support_count", "distance_m", "similarity", "score", "reason",
    }  # fmt: skip


def test_categories_are_public_with_their_questions(api, lapor):
    response = api.get("/api/v1/categories/")
    assert response.status_code == 200
    codes = [c["code"] for c in response.json()]
    assert "JALAN" in codes and len(codes) == 23
    one = api.get("/api/v1/categories/lingkungan/").json()
    assert one["routing"] == "area" and one["default_agency"] is None


@pytest.mark.parametrize("path", ["", "?queue=triage", "?status=submitted,verified&overdue=true"])
def test_query_params_are_validated(api_as, verifier, path, lapor):
    assert api_as(verifier).get(URL + path).status_code == 200
    assert api_as(verifier).get(URL + "?created_from=kemarin").status_code == 400


def test_json_attribute_string_in_multipart(api, lapor):
    body = _body(lapor)
    body["attributes"] = json.dumps({})
    assert api.post(URL, body, format="multipart").status_code == 201
