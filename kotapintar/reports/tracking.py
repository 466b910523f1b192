"""Tracking numbers and tracking tokens.

A tracking number (nomor pelacakan) is short, typed by people from a receipt or an SMS and
read aloud on the phone: ``LPR-26-7K3QX9`` — the year and six characters of Crockford's
base 32 (no I, L, O or U, so nothing is mistaken for 1 or 0), drawn at random: numbers say
nothing about how many reports the city receives and cannot be walked. 32^6 ≈ 10^9 per
year; a clash is simply drawn again.

The tracking token is the secret in the tracking link of a person filing without an
account (it lets them read their report's private timeline, reply, confirm and rate). It
is derived from SECRET_KEY and the report (so a retried request with the same
Idempotency-Key can be given the same link again), and only its SHA-256 is stored: a copy
of the database alone does not give the links.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

from django.conf import settings

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PREFIX = "LPR"
_RANDOM_LENGTH = 6
_TYPO = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})
_NUMBER_RE = re.compile(r"^LPR(\d{2})([0-9A-HJKMNP-TV-Z]{6})$")


def new_tracking_number(year: int) -> str:
    random_part = "".join(secrets.choice(ALPHABET) for _ in range(_RANDOM_LENGTH))
    return f"{PREFIX}-{year % 100:02d}-{random_part}"


def normalise_tracking_number(text: str) -> str:
    """The canonical form of what a person typed ("lpr 26 7k3qx9" → "LPR-26-7K3QX9"), or ""."""
    compact = re.sub(r"[\s\-_.]", "", (text or "").upper())
    if compact.startswith(PREFIX):
        compact = PREFIX + compact[len(PREFIX) :].translate(_TYPO)
    match = _NUMBER_RE.match(compact)
    if not match:
        return ""
    return f"{PREFIX}-{match.group(1)}-{match.group(2)}"


def token_for(tracking_number: str, _unused: int = 0) -> str:
    """The tracking token of a report (43 url-safe characters), derived from its number.

    (The second argument is ignored; it is kept so that older callers passing 0 still work.)
    """
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"reports.tracking:0:{tracking_number}".encode(), hashlib.sha256
    ).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def hash_token(token: str) -> str:
    return hashlib.sha256((token or "").encode()).hexdigest()


def check_token(stored_hash: str, token: str | None) -> bool:
    if not stored_hash or not token or len(token) > 100:
        return False
    return hmac.compare_digest(stored_hash, hash_token(token))
