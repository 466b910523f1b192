"""Portal fixtures shared by every app's tests (e.g. the permits and reports apps offering surveys).

- `make_service(agency, **fields)`: a published catalogue entry created through the service
  (slug, name, texts default to something valid);
- `portal_service`: one such entry of the `agency` fixture;
- `answer_survey(survey, scores=4, suggestions="")`: the respondent answers through the service
  (an int gives that score to every element; a list gives the nine scores U1..U9).

    def test_issue_offers_survey(agency, citizen, make_service):
        service = make_service(agency, online_kind="permit", online_code="REKLAME")
        ...
        survey = SatisfactionSurvey.objects.get(case_kind="permit", case_id=str(app.pk))
"""

from __future__ import annotations

import itertools

import pytest

_seq = itertools.count(1)


def make_service(agency, **fields):
    from kotapintar.portal import services

    n = next(_seq)
    values = {
        "slug": f"layanan-uji-{n}",
        "name": f"Layanan Uji {n}",
        "agency": agency,
        "category": "other",
        "summary": "Layanan untuk pengujian.",
        "service_time_days": 3,
        "product": "Dokumen hasil layanan.",
        "complaint_channel": "Lapor melalui menu Lapor.",
    }
    values.update(fields)
    return services.service_standard_create(actor=None, **values)


def answer_survey(survey, scores=4, suggestions: str = ""):
    from kotapintar.portal import services, skm

    values = [scores] * len(skm.KEYS) if isinstance(scores, int) else list(scores)
    return services.survey_answer(
        user=survey.respondent, survey=survey, scores=dict(zip(skm.KEYS, values, strict=True)), suggestions=suggestions
    )


@pytest.fixture(name="make_service")
def make_service_fixture(db):
    return make_service


@pytest.fixture
def portal_service(agency):
    return make_service(agency, name="Layanan Uji DPU", slug="layanan-uji-dpu")


@pytest.fixture(name="answer_survey")
def answer_survey_fixture(db):
    return answer_survey
