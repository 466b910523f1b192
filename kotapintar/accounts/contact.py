"""Email addresses and phone numbers as people type them."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from .phone import normalize_phone

EMAIL = "email"
PHONE = "phone"


@dataclass(frozen=True)
class Contact:
    channel: str  # "email" or "phone"
    value: str  # lower-case email, or +62… phone


def parse_contact(raw: str) -> Contact:
    """An email address or an Indonesian phone number; ValidationError otherwise."""
    value = (raw or "").strip()
    if not value:
        raise ValidationError(_("Enter your email address or mobile number."), code="required")
    if "@" in value:
        return Contact(EMAIL, parse_email(value))
    phone = normalize_phone(value)
    if phone is None:
        raise ValidationError(
            _(
                "Enter a valid email address or an Indonesian mobile number "
                "such as 0812 3456 7890 or +62 812 3456 7890."
            ),
            code="invalid_contact",
        )
    return Contact(PHONE, phone)


def parse_email(raw: str) -> str:
    value = (raw or "").strip()
    try:
        validate_email(value)
    except ValidationError as exc:
        raise ValidationError(_("Enter a valid email address, e.g. name@example.com."), code="invalid_email") from exc
    return value.lower()


def parse_phone(raw: str) -> str:
    phone = normalize_phone(raw or "")
    if phone is None:
        raise ValidationError(
            _("Enter a valid Indonesian mobile number, e.g. 0812 3456 7890 or +62 812 3456 7890."),
            code="invalid_phone",
        )
    return phone


def identifier_for_login(raw: str) -> str:
    """The canonical form of what was typed in the sign-in field (so that 08… and +62…
    count as the same account for lockouts)."""
    value = (raw or "").strip()
    if "@" in value:
        return value.lower()
    return normalize_phone(value) or value


def mask_contact(value: str) -> str:
    """b***@example.com, +62812****7890: shows where a code went without showing it all."""
    if not value:
        return ""
    if "@" in value:
        local, _sep, domain = value.partition("@")
        return f"{local[:1]}***@{domain}"
    if len(value) > 8:
        return f"{value[:6]}{'*' * (len(value) - 10)}{value[-4:]}"
    return value
