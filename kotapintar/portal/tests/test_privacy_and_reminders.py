"""Personal data (export, erase) and expiry reminders (30 and 7 days before, once each)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from kotapintar.accounts import privacy
from kotapintar.core.models import Notification
from kotapintar.portal import registry, services
from kotapintar.portal.models import SatisfactionSurvey, SurveyResponse
from kotapintar.testing.accounts import make_user
from kotapintar.testing.portal import answer_survey


def test_export_lists_surveys_offered_but_not_the_answers(citizen, reklame, ktp):
    answered = services.survey_offer(user=citizen, case_kind="permit", case_id="1", service=reklame, case_label="A")
    answer_survey(answered, scores=2, suggestions="sangat pribadi")
    services.survey_offer(user=citizen, case_kind="report", case_id="9", service=ktp)

    data = privacy.export_user_data(citizen)["sections"]["satisfaction_surveys"]
    assert {row["status"] for row in data} == {"answered", "pending"}
    assert "sangat pribadi" not in str(data)
    summary = {s.key: text for s, text in privacy.summaries(citizen)}["satisfaction_surveys"]
    assert summary.startswith("2 survei ditawarkan")


def test_erasing_an_account_unlinks_surveys_and_keeps_the_anonymous_answers(citizen, reklame, ktp):
    answered = services.survey_offer(user=citizen, case_kind="permit", case_id="1", service=reklame, case_label="A")
    answer_survey(answered)
    pending = services.survey_offer(user=citizen, case_kind="report", case_id="9", service=ktp, case_label="B")

    with transaction.atomic():
        privacy.erase_user_data(citizen)

    answered.refresh_from_db()
    pending.refresh_from_db()
    assert answered.respondent is None and answered.case_label == "" and answered.status == "answered"
    assert pending.respondent is None and pending.status == "closed"
    assert SurveyResponse.objects.count() == 1  # the published index does not change
    # The case still cannot be surveyed twice.
    again = services.survey_offer(user=make_user(), case_kind="permit", case_id="1", service=reklame)
    assert again.pk == answered.pk and SatisfactionSurvey.objects.count() == 2


def _source(items):
    def load(first_day, last_day):
        return [i for i in items if first_day <= i.expires_on <= last_day]

    return load


def test_expiry_reminders_30_then_7_days_before_once_each(citizen, run_on_commit):
    today = dt.date(2026, 3, 2)
    holder_item = registry.ExpiringItem(
        kind="permit",
        id="55",
        holder=citizen,
        label="Izin Reklame 503/IR/2026/0007",
        expires_on=today + dt.timedelta(days=30),
        url="/perizinan/izin/55/",
    )
    item = registry.ExpiringItem
    far = item(kind="permit", id="56", holder=citizen, label="Jauh", expires_on=today + dt.timedelta(60))
    expired = item(kind="permit", id="57", holder=citizen, label="Lewat", expires_on=today - dt.timedelta(1))
    nobody = registry.ExpiringItem(kind="permit", id="58", holder=None, label="Tanpa akun", expires_on=today)
    registry.register_expiry_source("test", _source([holder_item, far, expired, nobody]))
    try:
        with run_on_commit():
            assert services.expiry_reminders_send(today=today) == 2  # in-app + e-mail
            assert services.expiry_reminders_send(today=today) == 0  # the same day again
            assert services.expiry_reminders_send(today=today + dt.timedelta(days=10)) == 0  # still the 30-day one
            assert services.expiry_reminders_send(today=today + dt.timedelta(days=23)) == 2  # 7 days left
            assert services.expiry_reminders_send(today=today + dt.timedelta(days=29)) == 0
    finally:
        registry.unregister_expiry_source("test")

    inbox = Notification.objects.filter(recipient=citizen, channel="inbox").order_by("created_at", "id")
    assert [n.subject for n in inbox] == [
        "Izin Reklame 503/IR/2026/0007 berakhir dalam 30 hari",
        "Izin Reklame 503/IR/2026/0007 berakhir dalam 7 hari",
    ]
    assert inbox[0].url == "/perizinan/izin/55/"
    assert "01-04-2026" in inbox[0].body


def test_a_renewed_item_is_reminded_again_and_a_broken_source_does_not_stop_the_others(citizen):
    today = dt.date(2026, 3, 2)
    first = registry.ExpiringItem(kind="permit", id="60", holder=citizen, label="Izin", expires_on=today)

    def broken(first_day, last_day):
        raise RuntimeError("permits down")

    registry.register_expiry_source("a-broken", broken)
    registry.register_expiry_source("b-ok", _source([first]))
    try:
        assert services.expiry_reminders_send(today=today) == 2
        renewed = registry.ExpiringItem(
            kind="permit", id="60", holder=citizen, label="Izin", expires_on=today + dt.timedelta(days=365)
        )
        registry.register_expiry_source("b-ok", _source([renewed]))
        assert services.expiry_reminders_send(today=today + dt.timedelta(days=340)) == 2
    finally:
        registry.unregister_expiry_source("a-broken")
        registry.unregister_expiry_source("b-ok")
    subjects = list(Notification.objects.filter(channel="inbox").values_list("subject", flat=True))
    assert "Izin berakhir hari ini" in subjects
