"""Fixtures of the portal's own tests (shared ones are in kotapintar/testing/portal.py)."""

from __future__ import annotations

import pytest

from kotapintar.testing.portal import make_service


@pytest.fixture
def min_respondents(settings):
    """Publish IKM figures from this many respondents on (default: 1, so small examples publish)."""

    def set_to(value: int) -> None:
        settings.PORTAL_IKM_MIN_RESPONDENTS = value

    set_to(1)
    return set_to


@pytest.fixture
def reklame(agency):
    """A permit service of the `agency` fixture, online through the permits app."""
    return make_service(
        agency,
        slug="izin-reklame",
        name="Izin Penyelenggaraan Reklame",
        category="permits",
        summary="Izin untuk memasang reklame di wilayah kota.",
        keywords="billboard baliho papan iklan",
        requirements="KTP-el pemohon\nDesain reklame",
        procedure="Isi formulir\nPeriksa berkas\nTerbitkan izin",
        service_time_days=5,
        fee_kind="tariff",
        fee_note="Sesuai tarif pajak reklame.",
        online_kind="permit",
        online_code="REKLAME",
    )


@pytest.fixture
def ktp(other_agency):
    """An offline, free service of the `other_agency` fixture."""
    return make_service(
        other_agency,
        slug="ktp-el",
        name="Penerbitan KTP Elektronik",
        category="civil_registration",
        summary="Perekaman dan pencetakan kartu tanda penduduk elektronik.",
        keywords="KTP e-KTP kartu tanda penduduk",
        service_time_days=1,
    )
