"""Indonesian phone numbers: accept 08…, 62…, +62…, with spaces or dashes; store +62…."""

from __future__ import annotations

import re

_DIGITS = re.compile(r"[\s\-().]")


def normalize_phone(value: str) -> str | None:
    """Return the E.164 form (+62…) of an Indonesian mobile/landline number, or None."""
    raw = _DIGITS.sub("", value or "")
    if raw.startswith("+"):
        raw = raw[1:]
    if not raw.isdigit():
        return None
    if raw.startswith("0"):
        raw = "62" + raw[1:]
    elif raw.startswith("8"):
        raw = "62" + raw
    if not raw.startswith("62"):
        return None
    national = raw[2:]
    # Mobile numbers are 8xx with 9–12 digits; landlines start with an area code (2–9).
    if not (8 <= len(national) <= 12) or national[0] == "0":
        return None
    return "+" + raw
