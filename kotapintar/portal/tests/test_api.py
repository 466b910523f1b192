"""Portal API: public catalogue and IKM; a resident's own surveys."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from kotapintar.portal import services, skm
from kotapintar.portal.ikm import compute_ikm
from kotapintar.portal.models import SurveyResponse
from kotapintar.testing.accounts import make_user


@pytest.fixture
def api():
    return APIClient()


def _as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_services_list_is_public_and_searchable(api, reklame, ktp):
    body = api.get("/api/v1/services/").json()
    assert [s["slug"] for s in body["results"]] == ["izin-reklame", "ktp-el"]
    first = body["results"][0]
    assert first["agency"] == {"code": "DPU", "name": "Dinas Pekerjaan Umum"}
    assert (first["fee_kind"], first["fee_amount"], first["is_online"]) == ("tariff", None, True)
    assert first["page_url"].endswith("/layanan/izin-reklame/")

    assert [s["slug"] for s in api.get("/api/v1/services/", {"q": "billboard"}).json()["results"]] == ["izin-reklame"]
    assert [s["slug"] for s in api.get("/api/v1/services/", {"agency": "DLH"}).json()["results"]] == ["ktp-el"]
    by_category = api.get("/api/v1/services/", {"category": "permits"}).json()["results"]
    assert [s["slug"] for s in by_category] == ["izin-reklame"]
    assert [s["slug"] for s in api.get("/api/v1/services/", {"online": "false"}).json()["results"]] == ["ktp-el"]


def test_service_detail(api, reklame):
    body = api.get("/api/v1/services/izin-reklame/").json()
    assert body["requirements"] == ["KTP-el pemohon", "Desain reklame"]
    assert body["procedure"] == ["Isi formulir", "Periksa berkas", "Terbitkan izin"]
    assert body["fee_note"] == "Sesuai tarif pajak reklame."
    assert api.get("/api/v1/services/tidak-ada/").status_code == 404


def test_categories(api):
    body = api.get("/api/v1/services/categories/").json()
    assert {"code": "permits", "label": "Perizinan"} in body


def test_ikm_endpoint_is_the_published_figure(api, reklame, agency, min_respondents):
    rows = [[4, 4, 3, 4, 4, 4, 4, 3, 4], [3, 3, 2, 4, 3, 4, 4, 3, 3]]
    for scores in rows:
        SurveyResponse.objects.create(
            service=reklame,
            agency=agency,
            answered_on=dt.date(2026, 5, 2),
            **{f"u{i}": s for i, s in enumerate(scores, start=1)},
        )
    expected = compute_ikm(rows)
    body = api.get("/api/v1/ikm/", {"period": "2026-Q2", "agency": agency.code}).json()
    assert body["period"]["key"] == "2026-Q2" and body["period"]["start"] == "2026-04-01"
    assert body["period"]["end"] == "2026-06-30"
    assert (body["respondents"], body["published"]) == (2, True)
    assert body["unit_ikm"] == str(expected.unit_ikm) and body["grade"] == expected.grade
    assert [e["nrr"] for e in body["elements"]] == [str(v) for v in expected.element_nrr]

    service_body = api.get("/api/v1/ikm/", {"period": "2026", "service": "izin-reklame"}).json()
    assert service_body["service"] == {"slug": "izin-reklame", "name": reklame.name}
    assert service_body["unit_ikm"] == str(expected.unit_ikm)

    breakdown = api.get("/api/v1/ikm/breakdown/", {"period": "2026-05", "by": "service"}).json()
    assert breakdown["min_respondents"] == 1
    assert [r["service"]["slug"] for r in breakdown["results"]] == ["izin-reklame"]

    min_respondents(5)
    hidden = api.get("/api/v1/ikm/", {"period": "2026-Q2", "agency": agency.code}).json()
    assert (hidden["respondents"], hidden["published"], hidden["unit_ikm"], hidden["elements"]) == (2, False, None, [])


def test_ikm_endpoint_explains_bad_parameters(api, reklame):
    response = api.get("/api/v1/ikm/", {"period": "2026-Q5", "agency": "NOPE"})
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert "YYYY-Q1" in fields["period"][0]
    assert "NOPE" in fields["agency"][0]


def test_questionnaire_is_public(api):
    body = api.get("/api/v1/surveys/questions/").json()
    assert [q["code"] for q in body] == [f"U{i}" for i in range(1, 10)]
    assert body[3]["answers"][3] == {"score": 4, "label": "Gratis"}


def test_surveys_are_the_callers_own(citizen, reklame, ktp):
    mine = services.survey_offer(user=citizen, case_kind="report", case_id="1", service=reklame)
    theirs = services.survey_offer(user=make_user(), case_kind="report", case_id="2", service=ktp)
    client = _as(citizen)
    body = client.get("/api/v1/surveys/").json()
    assert [s["id"] for s in body["results"]] == [mine.pk]
    assert body["results"][0]["status"] == "pending"
    assert client.get(f"/api/v1/surveys/{theirs.pk}/").status_code == 404
    assert client.post(f"/api/v1/surveys/{theirs.pk}/answer/", {"scores": {}}, format="json").status_code == 404
    assert APIClient().get("/api/v1/surveys/").status_code == 401


def test_answer_through_the_api_once(citizen, reklame):
    survey = services.survey_offer(user=citizen, case_kind="report", case_id="1", service=reklame)
    client = _as(citizen)
    payload = {"scores": dict.fromkeys(skm.KEYS, 4), "suggestions": "Mantap"}
    response = client.post(f"/api/v1/surveys/{survey.pk}/answer/", payload, format="json")
    assert response.status_code == 201
    assert response.json()["status"] == "answered"
    assert SurveyResponse.objects.get().scores == (4,) * 9

    again = client.post(f"/api/v1/surveys/{survey.pk}/answer/", payload, format="json")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "survey_already_answered"
    assert SurveyResponse.objects.count() == 1


def test_incomplete_answer_says_which_question_and_saves_nothing(citizen, reklame):
    survey = services.survey_offer(user=citizen, case_kind="report", case_id="1", service=reklame)
    scores = dict.fromkeys(skm.KEYS, 4) | {"service_time": 7}
    del scores["facilities"]
    response = _as(citizen).post(f"/api/v1/surveys/{survey.pk}/answer/", {"scores": scores}, format="json")
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert fields["scores.facilities"] == ["Pilih salah satu dari empat jawaban untuk “Sarana dan prasarana”."]
    assert "Waktu penyelesaian" in fields["scores.service_time"][0]
    assert SurveyResponse.objects.count() == 0


def test_schema_documents_the_portal_api(api):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path in ("/api/v1/services/", "/api/v1/services/{slug}/", "/api/v1/ikm/", "/api/v1/surveys/{id}/answer/"):
        assert path in schema["paths"], path
    params = {p["name"] for p in schema["paths"]["/api/v1/ikm/"]["get"]["parameters"]}
    assert {"period", "agency", "service"} <= params
