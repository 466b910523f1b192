"""System checks of the permits app: signing keys (signing.check_signing_keys) and payments."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Warning

from .signing import check_signing_keys


def check_signing_keys_errors(app_configs=None, **kwargs) -> list:
    """signing.check_signing_keys, its errors only (E001, E002): keys that cannot be used."""
    return [m for m in check_signing_keys(app_configs, **kwargs) if isinstance(m, Error)]


def check_signing_keys_deploy(app_configs=None, **kwargs) -> list:
    """signing.check_signing_keys, its warnings (W001: the development key signs permits)."""
    return [m for m in check_signing_keys(app_configs, **kwargs) if not isinstance(m, Error)]


def check_payment_gateway(app_configs=None, **kwargs) -> list:
    messages = []
    if getattr(settings, "PAYMENT_SIMULATED_GATEWAY", False):
        messages.append(
            Warning(
                "The simulated payment gateway is on: applicants can mark their own fees paid without paying.",
                hint="Set PAYMENT_SIMULATED_GATEWAY=0 in production (it is off by default when SECURE_MODE is on).",
                id="permits.W002",
            )
        )
    if not getattr(settings, "PAYMENT_GATEWAY_SECRET", ""):
        messages.append(
            Warning(
                "PAYMENT_GATEWAY_SECRET is not set: gateway callbacks are checked with a development secret.",
                hint="Set PAYMENT_GATEWAY_SECRET to the secret shared with the payment gateway (docs/permits.md).",
                id="permits.W003",
            )
        )
    return messages
