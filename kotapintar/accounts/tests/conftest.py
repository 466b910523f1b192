"""Private fixtures of the accounts tests."""

from __future__ import annotations

import re

import pytest

from kotapintar.core.models import Notification

GOOD_NIK = "3374014506900001"  # Semarang Tengah district, woman born 5 June 1990


@pytest.fixture
def semarang_districts(db):
    """Province 33, Kota Semarang 33.74 and two of its districts."""
    from kotapintar.regions.models import Region

    province, _ = Region.objects.get_or_create(code="33", defaults={"level": 1, "name": "JAWA TENGAH"})
    city, _ = Region.objects.get_or_create(
        code="33.74", defaults={"level": 2, "name": "KOTA SEMARANG", "parent": province}
    )
    for code, name in (("33.74.01", "Semarang Tengah"), ("33.74.02", "Semarang Utara")):
        Region.objects.get_or_create(code=code, defaults={"level": 3, "name": name, "parent": city})
    return city


def code_sent_to(address: str) -> str:
    """The 6-digit code of the latest verification message sent to `address` (as the person reads it)."""
    row = (
        Notification.objects.filter(kind="accounts.verification", address=address)
        .order_by("-created_at", "-id")
        .first()
    )
    assert row is not None, f"no verification message to {address}"
    match = re.search(r"\b(\d{6})\b", row.body)
    assert match, row.body
    return match.group(1)


@pytest.fixture
def sent_code():
    return code_sent_to
