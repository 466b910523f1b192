"""Fixtures of the permit-document library tests (no database needed)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps

from kotapintar.permits.signing import PermitClaims, generate_key


@pytest.fixture(autouse=True)
def _permits_settings(settings):
    """Start every test from the embedded default (no keys), whatever the environment says.

    The documents are rendered through the permits catalogue; until the permits app is
    registered in INSTALLED_APPS the package is installed here so that catalogue loads.
    """
    settings.PERMIT_SIGNING_KEYS = []
    settings.PERMIT_VERIFY_KEYS = []
    settings.PERMIT_SIGNER = ""
    settings.PERMIT_VERIFY_BASE_URL = "https://izin.semarangkota.go.id"
    if not any(config.label == "permits" for config in apps.get_app_configs()):
        settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, "kotapintar.permits"]


@pytest.fixture
def claims() -> PermitClaims:
    return PermitClaims(
        number="503/0042/DPMPTSP/XI/2026",
        type_code="REKLAME",
        holder="CV Maju Jaya Abadi",
        object_summary="Billboard 4 x 6 m, Jl. Pemuda No. 12, Sekayu, Semarang Tengah",
        valid_from=dt.date(2026, 11, 29),
        valid_until=dt.date(2027, 11, 28),
        issued_on=dt.date(2026, 11, 29),
        issuer="33.74",
    )


@pytest.fixture
def signing_key(settings) -> str:
    """One configured production-style key, kid "2026a"; returns the private key (base64)."""
    key = generate_key()
    settings.PERMIT_SIGNING_KEYS = [{"kid": "2026a", "private_key": key}]
    return key
