"""The payment gateway's callback: signed, fresh, idempotent — and a simulated gateway for demos.

The gateway POSTs JSON to /api/v1/payments/callback/ when a payment code is paid:

    POST /api/v1/payments/callback/
    Content-Type: application/json
    X-KP-Timestamp: 1764400000                       (Unix seconds when it was sent)
    X-KP-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>." + raw body)>

    {"event_id": "evt_01J…", "status": "paid", "payment_code": "202600010000427",
     "amount": "7200000", "paid_at": "2026-11-29T03:15:00Z", "reference": "BJB-88231"}

It is accepted only when the signature matches the shared secret (settings.PAYMENT_GATEWAY_SECRET),
the timestamp is within PAYMENT_CALLBACK_WINDOW_SECONDS of now (an old message replayed later is
refused), and the amount is exactly the amount due. Every authenticated event is stored by
its event_id: the same event again gets the same answer and never a second payment; the same
event_id with other content is refused.

Answers: 200 {"result": "paid" | "already_paid", …}; 400 amount_mismatch / invalid;
401 invalid_signature / stale; 404 unknown_code; 409 event_conflict.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import time
import uuid
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from kotapintar.core import context
from kotapintar.core.errors import DomainError

from . import services
from .models import FeeAssessment, GatewayEvent

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-KP-Signature"
TIMESTAMP_HEADER = "X-KP-Timestamp"
SIGNATURE_PREFIX = "sha256="
MAX_BODY = 16 * 1024


@dataclass(frozen=True)
class CallbackResult:
    status: int
    body: dict

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


def _error(status: int, code: str, message: str) -> CallbackResult:
    return CallbackResult(status, {"error": {"code": code, "message": message, "fields": {}}})


def secret() -> bytes:
    """The shared secret; without one configured, a development secret derived from SECRET_KEY."""
    configured = getattr(settings, "PAYMENT_GATEWAY_SECRET", "")
    if configured:
        return configured.encode("utf-8")
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"kotapintar.permits.gateway", info=b"dev-gateway-secret-v1"
    ).derive(settings.SECRET_KEY.encode("utf-8"))


def sign(raw_body: bytes, timestamp: int | str, key: bytes | None = None) -> str:
    """The X-KP-Signature header value for this body and timestamp."""
    mac = hmac.new(key or secret(), f"{timestamp}.".encode("ascii") + raw_body, hashlib.sha256)
    return SIGNATURE_PREFIX + mac.hexdigest()


def _window() -> int:
    return int(getattr(settings, "PAYMENT_CALLBACK_WINDOW_SECONDS", 300))


def _parse(raw_body: bytes) -> dict:
    data = json.loads(raw_body.decode("utf-8"), parse_float=Decimal)
    if not isinstance(data, dict):
        raise ValueError("not an object")
    return data


def _amount(value) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise ValueError("amount")
    amount = Decimal(str(value))
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise ValueError("amount")
    return amount


def handle_callback(
    *, raw_body: bytes, timestamp: str | None, signature: str | None, now: float | None = None
) -> CallbackResult:
    """Check and apply one gateway callback. Never raises for bad input: the answer says what was wrong."""
    now = time.time() if now is None else now
    if not signature or not timestamp:
        return _error(401, "invalid_signature", _("The request is not signed."))
    try:
        sent = int(timestamp)
    except ValueError:
        return _error(401, "invalid_signature", _("The timestamp is not valid."))
    if not hmac.compare_digest(sign(raw_body, timestamp), signature.strip()):
        logger.warning("payment callback with a wrong signature refused")
        return _error(401, "invalid_signature", _("The signature does not match."))
    if abs(now - sent) > _window():
        logger.warning("payment callback outside the time window refused (sent %s, now %.0f)", sent, now)
        return _error(401, "stale", _("The request is too old or from the future: it may be a replay."))
    if len(raw_body) > MAX_BODY:
        return _error(400, "invalid", _("The request is too large."))
    try:
        data = _parse(raw_body)
        event_id = str(data["event_id"]).strip()
        payment_code = str(data["payment_code"]).strip()
        amount = _amount(data["amount"])
        status = str(data.get("status", "paid"))
        paid_at = parse_datetime(str(data.get("paid_at", ""))) if data.get("paid_at") else None
        reference = str(data.get("reference", ""))[:100]
    except (KeyError, ValueError, TypeError, UnicodeDecodeError, InvalidOperation):
        return _error(400, "invalid", _("The body must be JSON with event_id, payment_code and amount."))
    if not event_id or len(event_id) > 100 or not payment_code or len(payment_code) > 60:
        return _error(400, "invalid", _("event_id and payment_code are required."))
    if paid_at is not None and timezone.is_naive(paid_at):
        return _error(400, "invalid", _("paid_at must carry its time zone."))
    body_hash = hashlib.sha256(raw_body).hexdigest()

    stored = GatewayEvent.objects.filter(event_id=event_id).first()
    if stored is not None:
        return _replayed(stored, body_hash)
    try:
        # The payment and the stored event commit together: a retry finds the event.
        with context.bind(request_id=f"gateway-{event_id}"[:64]), transaction.atomic():
            result, outcome = _apply(event_id, payment_code, amount, status, paid_at, reference)
            GatewayEvent.objects.create(
                event_id=event_id,
                sent_at=dt.datetime.fromtimestamp(sent, tz=dt.UTC),
                payment_code=payment_code,
                amount=amount,
                body_sha256=body_hash,
                outcome=outcome,
                http_status=result.status,
                response=result.body,
            )
    except IntegrityError:
        # The same event was being handled at the same moment: answer what that one answered.
        return _replayed(GatewayEvent.objects.get(event_id=event_id), body_hash)
    return result


def _replayed(stored: GatewayEvent, body_hash: str) -> CallbackResult:
    if not hmac.compare_digest(stored.body_sha256, body_hash):
        return _error(409, "event_conflict", _("This event id was already used with other content."))
    return CallbackResult(stored.http_status, stored.response)


def _apply(event_id, payment_code, amount, status, paid_at, reference) -> tuple[CallbackResult, str]:
    if status != "paid":
        return CallbackResult(200, {"result": "ignored", "status": status}), GatewayEvent.Outcome.NOT_PAYABLE
    assessment = FeeAssessment.objects.filter(payment_code=payment_code).select_related("application").first()
    if assessment is None:
        return _error(404, "unknown_code", _("Unknown payment code.")), GatewayEvent.Outcome.UNKNOWN_CODE
    try:
        with transaction.atomic():
            payment = services.payment_from_gateway(
                event_id=event_id,
                payment_code=payment_code,
                amount=amount,
                paid_at=paid_at or timezone.now(),
                reference=reference,
            )
    except DomainError as exc:
        if exc.code == "amount_mismatch":
            return _error(400, "amount_mismatch", exc.message), GatewayEvent.Outcome.AMOUNT_MISMATCH
        if exc.code == "not_payable":
            # Money arrived for a fee already settled: answered 200 so the gateway stops retrying;
            # the stored event is what the treasury reconciles (refund).
            logger.warning("payment callback %s for an assessment that is not payable (%s)", event_id, payment_code)
            return (
                CallbackResult(200, {"result": "already_paid", "payment_code": payment_code}),
                GatewayEvent.Outcome.ALREADY_PAID,
            )
        raise
    body = {
        "result": "paid",
        "payment_code": payment_code,
        "amount": str(payment.amount),
        "application": assessment.application.registration_number,
    }
    return CallbackResult(200, body), GatewayEvent.Outcome.PAID


# --- simulated gateway ----------------------------------------------------------------------------


def simulator_enabled() -> bool:
    return bool(getattr(settings, "PAYMENT_SIMULATED_GATEWAY", False))


def simulate_payment(assessment: FeeAssessment, *, reference: str = "") -> CallbackResult:
    """What a real gateway does after the payer paid: a signed callback for the full amount.

    The callback goes through handle_callback exactly as one from outside would (signature,
    time window, amount, idempotency), only without the network hop.
    """
    if not simulator_enabled():
        raise DomainError(_("The simulated payment gateway is switched off on this server."), code="simulator_off")
    sent = int(time.time())
    body = json.dumps(
        {
            "event_id": f"SIM-{uuid.uuid4().hex}",
            "status": "paid",
            "payment_code": assessment.payment_code,
            "amount": str(assessment.amount),
            "paid_at": timezone.now().astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
            "reference": reference or f"SIM-{assessment.payment_code}",
        },
        separators=(",", ":"),
    ).encode("utf-8")
    return handle_callback(raw_body=body, timestamp=str(sent), signature=sign(body, sent), now=sent)
