"""The payment gateway callback: only signed, fresh, exact and once — through the real endpoint."""

from __future__ import annotations

import json
import threading
import time
from decimal import Decimal

import pytest
from django.db import close_old_connections, connection
from django.test import Client

from kotapintar.permits import gateway
from kotapintar.permits.models import FeeAssessment, GatewayEvent, Payment, Stage, Status
from kotapintar.testing.permits import apply_for, make_permit_office, run_until

URL = "/api/v1/payments/callback/"


@pytest.fixture
def assessment(permit_office) -> FeeAssessment:
    application = run_until(permit_office, apply_for(permit_office, "REKLAME"), "awaiting_payment")
    return application.assessments.get()


def body(assessment, **changes) -> bytes:
    data = {
        "event_id": "evt-001",
        "status": "paid",
        "payment_code": assessment.payment_code,
        "amount": str(assessment.amount),
        "paid_at": "2026-11-29T03:15:00Z",
        "reference": "BJB-88231",
    }
    data.update(changes)
    return json.dumps(data).encode()


def post(
    raw: bytes, *, timestamp: int | None = None, secret: bytes | None = None, signature: str | None = None, client=None
):
    timestamp = int(time.time()) if timestamp is None else timestamp
    signature = signature if signature is not None else gateway.sign(raw, timestamp, secret)
    return (client or Client()).post(
        URL,
        data=raw,
        content_type="application/json",
        HTTP_X_KP_TIMESTAMP=str(timestamp),
        HTTP_X_KP_SIGNATURE=signature,
    )


def test_a_signed_callback_pays_and_moves_the_application_on(assessment, settings):
    response = post(body(assessment))
    assert response.status_code == 200, response.content
    assert response.json() == {
        "result": "paid",
        "payment_code": assessment.payment_code,
        "amount": "7200000.00",
        "application": assessment.application.registration_number,
    }
    payment = Payment.objects.get()
    assert (
        payment.amount == Decimal("7200000") and payment.channel == "gateway" and payment.gateway_event_id == "evt-001"
    )
    application = assessment.application
    application.refresh_from_db()
    assert application.status == Status.IN_PROCESS and application.current_step.stage == Stage.DECISION
    assert str(payment.paid_at).startswith("2026-11-29 03:15")


def test_the_secret_comes_from_settings(assessment, settings):
    assert gateway.secret() == b"rahasia-gateway-uji"
    response = post(body(assessment), secret=b"another-secret")
    assert response.status_code == 401


def test_forged_or_missing_signatures_are_refused(assessment):
    raw = body(assessment)
    assert post(raw, signature="sha256=" + "0" * 64).status_code == 401
    response = Client().post(URL, data=raw, content_type="application/json")
    assert response.status_code == 401 and response.json()["error"]["code"] == "invalid_signature"
    # The signature covers the body: changing the amount after signing breaks it.
    timestamp = int(time.time())
    signature = gateway.sign(raw, timestamp)
    tampered = body(assessment, amount="1")
    assert post(tampered, timestamp=timestamp, signature=signature).status_code == 401
    # ... and the timestamp.
    assert post(raw, timestamp=timestamp + 1, signature=signature).status_code == 401
    assert not Payment.objects.exists() and not GatewayEvent.objects.exists()


def test_a_replay_outside_the_time_window_is_refused(assessment, settings):
    settings.PAYMENT_CALLBACK_WINDOW_SECONDS = 300
    response = post(body(assessment), timestamp=int(time.time()) - 301)
    assert response.status_code == 401 and response.json()["error"]["code"] == "stale"
    assert post(body(assessment), timestamp=int(time.time()) + 400).status_code == 401
    assert not Payment.objects.exists()


def test_the_same_event_twice_gives_the_same_answer_and_one_payment(assessment):
    raw = body(assessment)
    first = post(raw)
    second = post(raw, timestamp=int(time.time()) + 1)  # a retry: newly signed, same event
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert Payment.objects.count() == 1 and GatewayEvent.objects.count() == 1


def test_the_same_event_id_with_other_content_is_refused(assessment):
    assert post(body(assessment)).status_code == 200
    response = post(body(assessment, reference="OTHER"))
    assert response.status_code == 409 and response.json()["error"]["code"] == "event_conflict"


def test_a_wrong_amount_is_refused_and_remembered(assessment):
    response = post(body(assessment, amount="7000000"))
    assert response.status_code == 400 and response.json()["error"]["code"] == "amount_mismatch"
    assert not Payment.objects.exists()
    assessment.refresh_from_db()
    assert assessment.status == FeeAssessment.Status.UNPAID
    assert GatewayEvent.objects.get().outcome == "amount_mismatch"
    assert post(body(assessment, amount="7000000")).status_code == 400  # replayed: same answer
    assert post(body(assessment, event_id="evt-002")).status_code == 200  # the right amount later


def test_float_amounts_with_more_than_cents_are_invalid(assessment):
    raw = body(assessment).replace(b'"7200000.00"', b"7200000.001").replace(b'"7200000"', b"7200000.001")
    assert post(raw).status_code == 400


def test_unknown_payment_code(assessment):
    response = post(body(assessment, payment_code="999999"))
    assert response.status_code == 404 and response.json()["error"]["code"] == "unknown_code"


def test_a_second_payment_of_a_paid_fee_is_acknowledged_not_recorded(assessment):
    assert post(body(assessment)).status_code == 200
    response = post(body(assessment, event_id="evt-002"))
    assert response.status_code == 200 and response.json()["result"] == "already_paid"
    assert Payment.objects.count() == 1
    assert GatewayEvent.objects.get(event_id="evt-002").outcome == "already_paid"


def test_malformed_bodies(assessment):
    assert post(b"not json").status_code == 400
    assert post(json.dumps(["a"]).encode()).status_code == 400
    assert post(json.dumps({"event_id": "x"}).encode()).status_code == 400


def test_the_simulated_gateway_sends_a_signed_callback(assessment, settings):
    result = gateway.simulate_payment(assessment)
    assert result.ok and result.body["result"] == "paid"
    event = GatewayEvent.objects.get()
    assert event.event_id.startswith("SIM-")
    settings.PAYMENT_SIMULATED_GATEWAY = False
    from kotapintar.core.errors import DomainError

    with pytest.raises(DomainError):
        gateway.simulate_payment(assessment)


@pytest.mark.django_db(transaction=True)
def test_concurrent_deliveries_of_one_event_pay_once(settings):
    settings.PAYMENT_SIMULATED_GATEWAY = True
    settings.PAYMENT_GATEWAY_SECRET = "rahasia-gateway-uji"
    settings.PERMIT_SIGNING_KEYS = []
    office = make_permit_office()
    application = run_until(office, apply_for(office, "REKLAME"), "awaiting_payment")
    raw = body(application.assessments.get())
    answers: list = []
    barrier = threading.Barrier(4)

    def deliver():
        try:
            barrier.wait(timeout=30)
            for attempt in range(50):
                response = post(raw, client=Client(raise_request_exception=False))
                if response.status_code != 500:
                    answers.append((response.status_code, response.json()))
                    return
                time.sleep(0.02 * (attempt + 1))  # SQLite's shared-cache test database may be locked
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(answers) == 4
    assert {status for status, _ in answers} == {200}
    assert all(answer == answers[0][1] for _, answer in answers)
    assert Payment.objects.count() == 1 and GatewayEvent.objects.count() == 1
