"""System checks of the accounts app."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Warning, register


@register(deploy=True)
def field_encryption_key_check(app_configs, **kwargs):
    key = getattr(settings, "FIELD_ENCRYPTION_KEY", "")
    if not key:
        return [
            Warning(
                "FIELD_ENCRYPTION_KEY is empty: NIKs are encrypted with a key derived from SECRET_KEY, "
                "so changing SECRET_KEY would make them unreadable.",
                hint="Set FIELD_ENCRYPTION_KEY to the output of "
                "`python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'`.",
                id="accounts.W001",
            )
        ]
    from django.core.exceptions import ImproperlyConfigured

    from .crypto import _keys

    try:
        _keys(key, settings.SECRET_KEY)
    except ImproperlyConfigured as exc:
        return [Error(str(exc), id="accounts.E001")]
    return []
