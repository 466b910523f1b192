"""TOTP devices of staff accounts: secret, otpauth URI and QR code for authenticator apps."""

from __future__ import annotations

import base64

import segno
from django.utils.safestring import SafeString, mark_safe
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


def secret_base32(device: TOTPDevice) -> str:
    """The shared secret as authenticator apps want it typed (base32, no padding)."""
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def secret_for_display(device: TOTPDevice) -> str:
    """The base32 secret in groups of four, easier to read and type."""
    secret = secret_base32(device)
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def otpauth_uri(device: TOTPDevice) -> str:
    """otpauth://totp/… with the issuer from settings.OTP_TOTP_ISSUER (django-otp builds it)."""
    return device.config_url


def qr_svg(uri: str, *, title: str = "") -> SafeString:
    """An inline SVG QR code of `uri` (no image file, no outside service)."""
    svg = segno.make(uri, error="m").svg_inline(scale=5, border=2, title=title or None, dark="#000", light="#fff")
    # segno writes the whole SVG and escapes the title.
    return mark_safe(svg)


def current_token(device: TOTPDevice) -> str:
    """The code the authenticator app shows now (used by tests and the demo loader)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return str(totp.token()).zfill(device.digits)


def device_info(device: TOTPDevice) -> dict[str, str]:
    """Secret and URI of a device, e.g. for the demo loader to print for demo staff."""
    return {"secret": secret_base32(device), "otpauth_uri": otpauth_uri(device)}
