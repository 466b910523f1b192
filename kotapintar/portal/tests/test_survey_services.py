"""The satisfaction survey: offered once per case, answered once, anonymous, validated in Indonesian."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import translation

from kotapintar.core.errors import NotAllowed
from kotapintar.core.models import AuditLog, Notification
from kotapintar.portal import services, skm
from kotapintar.portal.models import SatisfactionSurvey, SurveyResponse
from kotapintar.testing.accounts import make_user

ALL_FOUR = dict.fromkeys(skm.KEYS, 4)


def _offer(user, service, case_id="17", **extra):
    return services.survey_offer(user=user, case_kind="permit", case_id=case_id, service=service, **extra)


def test_offer_creates_one_survey_per_case_and_notifies_once(citizen, reklame, other_agency, run_on_commit):
    with run_on_commit():
        first = _offer(citizen, reklame, case_label="Izin Reklame 503/IR/2026/0001", case_url="/perizinan/1/")
    with run_on_commit():
        again = _offer(citizen, reklame)
        also_again = _offer(make_user(), reklame, agency=other_agency)

    assert first.pk == again.pk == also_again.pk
    assert SatisfactionSurvey.objects.count() == 1
    assert first.respondent == citizen and first.agency == reklame.agency and first.is_pending
    # One in-app message and one e-mail, with the link to the questionnaire, however often offered.
    inbox = Notification.objects.filter(recipient=citizen, channel="inbox", kind="portal.survey_offered")
    assert inbox.count() == 1
    assert inbox.get().url == f"/layanan/survei/{first.pk}/"
    assert "Izin Penyelenggaraan Reklame" in inbox.get().subject
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [citizen.email]
    assert AuditLog.objects.filter(action="survey.offer", object_id=str(first.pk)).count() == 1


def test_offer_uses_the_serving_agency_when_given(citizen, reklame, other_agency):
    survey = _offer(citizen, reklame, agency=other_agency)
    assert survey.agency == other_agency


def test_no_offer_without_an_account_to_ask(reklame, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    assert _offer(None, reklame) is None
    assert _offer(AnonymousUser(), reklame) is None
    gone = make_user(is_active=False)
    assert _offer(gone, reklame) is None
    assert SatisfactionSurvey.objects.count() == 0


def test_offer_refuses_a_malformed_case_reference(citizen, reklame):
    with pytest.raises(ValueError):
        services.survey_offer(user=citizen, case_kind="Permit Type!", case_id="1", service=reklame)
    with pytest.raises(ValueError):
        services.survey_offer(user=citizen, case_kind="permit", case_id="", service=reklame)


def test_answer_is_stored_without_the_person_and_only_once(citizen, reklame):
    survey = _offer(citizen, reklame)
    scores = dict(zip(skm.KEYS, [4, 3, 2, 4, 3, 4, 4, 1, 3], strict=True))
    response = services.survey_answer(
        user=citizen, survey=survey, scores=scores, suggestions="  Antrean terlalu lama. "
    )

    assert response.scores == (4, 3, 2, 4, 3, 4, 4, 1, 3)
    assert response.suggestions == "Antrean terlalu lama."
    assert (response.service, response.agency) == (reklame, reklame.agency)
    # Nothing on the answer points back to the person or the case.
    linked = {f.name for f in SurveyResponse._meta.get_fields() if f.is_relation}
    assert linked == {"service", "agency"}
    survey.refresh_from_db()
    assert survey.status == "answered" and survey.answered_at is not None

    with translation.override("id"), pytest.raises(services.SurveyAlreadyAnswered) as caught:
        services.survey_answer(user=citizen, survey=survey, scores=ALL_FOUR)
    assert "sudah mengisi survei ini" in caught.value.message
    assert SurveyResponse.objects.count() == 1


def test_the_audit_row_says_answered_never_how(citizen, reklame):
    survey = _offer(citizen, reklame)
    services.survey_answer(user=citizen, survey=survey, scores=ALL_FOUR, suggestions="rahasia")
    row = AuditLog.objects.get(action="survey.answer")
    assert row.after == {"status": "answered"}
    assert "rahasia" not in str(row.before) + str(row.after) + row.object_label


def test_only_the_respondent_may_answer(citizen, reklame):
    survey = _offer(citizen, reklame)
    with pytest.raises(NotAllowed):
        services.survey_answer(user=make_user(), survey=survey, scores=ALL_FOUR)
    assert SurveyResponse.objects.count() == 0


@pytest.mark.parametrize(
    ("scores", "field", "message"),
    [
        ({**ALL_FOUR, "fee": None}, "fee", "Pilih salah satu dari empat jawaban untuk “Biaya/tarif”."),
        ({k: v for k, v in ALL_FOUR.items() if k != "requirements"}, "requirements", "“Persyaratan”"),
        ({**ALL_FOUR, "facilities": 5}, "facilities", "Jawaban untuk “Sarana dan prasarana” adalah salah satu"),
        ({**ALL_FOUR, "procedure": 0}, "procedure", "(1 sampai 4)"),
        ({**ALL_FOUR, "product": "empat"}, "product", "Produk spesifikasi jenis pelayanan"),
        ({**ALL_FOUR, "staff_behaviour": True}, "staff_behaviour", "Perilaku pelaksana"),
    ],
)
def test_invalid_answers_say_what_to_fix_and_save_nothing(citizen, reklame, scores, field, message):
    survey = _offer(citizen, reklame)
    with translation.override("id"), pytest.raises(services.SurveyAnswerInvalid) as caught:
        services.survey_answer(user=citizen, survey=survey, scores=scores)
    assert message in caught.value.errors[field][0]
    assert "Survei belum lengkap" in caught.value.message
    assert SurveyResponse.objects.count() == 0
    survey.refresh_from_db()
    assert survey.is_pending and survey.answered_at is None


def test_too_long_suggestions_are_refused(citizen, reklame):
    survey = _offer(citizen, reklame)
    with translation.override("id"), pytest.raises(services.SurveyAnswerInvalid) as caught:
        services.survey_answer(user=citizen, survey=survey, scores=ALL_FOUR, suggestions="x" * 2001)
    assert caught.value.errors["suggestions"] == ["Saran paling banyak 2000 karakter; Anda menulis 2001."]
    assert SurveyResponse.objects.count() == 0


def test_scores_given_as_digit_strings_are_accepted(citizen, reklame):
    survey = _offer(citizen, reklame)
    response = services.survey_answer(user=citizen, survey=survey, scores=dict.fromkeys(skm.KEYS, "3"))
    assert response.scores == (3,) * 9


def test_a_closed_survey_cannot_be_answered(citizen, reklame):
    survey = _offer(citizen, reklame)
    SatisfactionSurvey.objects.filter(pk=survey.pk).update(status="closed")
    with translation.override("id"), pytest.raises(services.DomainError) as caught:
        services.survey_answer(user=citizen, survey=survey, scores=ALL_FOUR)
    assert caught.value.code == "survey_closed"
    assert SurveyResponse.objects.count() == 0


def test_database_refuses_a_score_outside_1_to_4(reklame):
    from django.db import IntegrityError, transaction

    values = dict.fromkeys(SurveyResponse.SCORE_FIELDS, 4)
    values["u3"] = 5
    with pytest.raises(IntegrityError), transaction.atomic():
        SurveyResponse.objects.create(service=reklame, agency=reklame.agency, answered_on="2026-01-05", **values)
