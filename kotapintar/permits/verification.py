"""What the public verification page needs: check a scanned code, and name a permit's status.

`check_token` never raises: a malformed, tampered or unknown code is simply "not authentic"
(the page then says "not valid"; `reason` is for logs, not for the public).
The status (valid / expired / revoked) comes from the permit record the page looks up by
the number in the verified claims: the signature proves what the city issued, the record
says what happened since (revocation).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from enum import StrEnum

from django.utils import timezone

from kotapintar.permits.qr import InvalidToken, decode_token
from kotapintar.permits.signing import PermitClaims, Verifier, get_verifier

logger = logging.getLogger(__name__)


class CheckReason(StrEnum):
    OK = "ok"
    MALFORMED = "malformed"
    UNKNOWN_KEY = "unknown_key"
    BAD_SIGNATURE = "bad_signature"


@dataclass(frozen=True)
class TokenCheck:
    authentic: bool
    reason: CheckReason
    claims: PermitClaims | None = None  # set only when authentic
    kid: str | None = None


def check_token(token: str, verifier: Verifier | None = None) -> TokenCheck:
    """Decode and verify a token; any failure gives `authentic=False`, never an exception."""
    try:
        decoded = decode_token(token)
    except InvalidToken:
        return TokenCheck(authentic=False, reason=CheckReason.MALFORMED)
    verifier = verifier or get_verifier()
    if decoded.kid not in verifier.keys:
        logger.info("permit token signed with unknown key id %r", decoded.kid)
        return TokenCheck(authentic=False, reason=CheckReason.UNKNOWN_KEY, kid=decoded.kid)
    if not verifier.verify(decoded.data, decoded.kid, decoded.signature):
        return TokenCheck(authentic=False, reason=CheckReason.BAD_SIGNATURE, kid=decoded.kid)
    return TokenCheck(authentic=True, reason=CheckReason.OK, claims=decoded.claims, kid=decoded.kid)


class PermitStatus(StrEnum):
    VALID = "valid"
    NOT_YET_VALID = "not_yet_valid"
    EXPIRED = "expired"
    REVOKED = "revoked"


def permit_status(
    claims: PermitClaims, *, revoked_on: dt.date | None = None, today: dt.date | None = None
) -> PermitStatus:
    """The status on `today` (default: today in WIB). A revocation wins once its date has come."""
    today = today or timezone.localdate()
    if revoked_on is not None and revoked_on <= today:
        return PermitStatus.REVOKED
    if today < claims.valid_from:
        return PermitStatus.NOT_YET_VALID
    if claims.valid_until is not None and today > claims.valid_until:
        return PermitStatus.EXPIRED
    return PermitStatus.VALID
