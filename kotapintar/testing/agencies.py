"""Agency fixtures shared by every app's tests.

- `agency` (DPU) and `other_agency` (DLH): two active agencies;
- `officer`: a staff account (role "agency") with an officer membership of `agency`;
- `agency_head`: a staff account heading `agency`;
- `other_officer`: an officer of `other_agency`;
- `city_admin`: an administrator account (role "admin", not a superuser);
- `make_staff(role=..., **fields)`: helper creating a staff account.

Staff must pass two-factor sign-in on pages: use `kotapintar.testing.core.login_verified`.
"""

from __future__ import annotations

import itertools

import pytest

_seq = itertools.count(1)
TEST_PASSWORD = "rahasia-Kota-2024"  # noqa: S105 (test accounts only)


def make_staff(*, role: str = "agency", full_name: str = "", email: str = "", **extra):
    """A staff account with the given role (the accounts engineer's make_user when present)."""
    from django.contrib.auth import get_user_model

    n = next(_seq)
    email = email or f"staff{n}-{role}@kota.test"
    full_name = full_name or f"Staf {role} {n}"
    try:
        from kotapintar.testing.accounts import make_user  # type: ignore[import-not-found]
    except ImportError:
        make_user = None
    if make_user is not None:
        return make_user(role=role, email=email, full_name=full_name, **extra)
    return get_user_model().objects.create_user(
        email=email,
        password=TEST_PASSWORD,
        full_name=full_name,
        role=role,
        **extra,
    )


def make_agency(code: str, name: str, kind: str = "dinas", **extra):
    from kotapintar.agencies.models import Agency

    return Agency.objects.create(code=code, name=name, short_name=code, kind=kind, **extra)


def make_member(user, agency, role: str = "officer", **extra):
    from kotapintar.agencies.models import Membership

    return Membership.objects.create(user=user, agency=agency, role=role, **extra)


@pytest.fixture
def agency(db):
    return make_agency("DPU", "Dinas Pekerjaan Umum")


@pytest.fixture
def other_agency(db):
    return make_agency("DLH", "Dinas Lingkungan Hidup")


@pytest.fixture
def officer(agency):
    user = make_staff(role="agency", full_name="Budi Petugas")
    make_member(user, agency, "officer", position="Operator pengaduan")
    return user


@pytest.fixture
def agency_head(agency):
    user = make_staff(role="agency", full_name="Siti Kepala")
    make_member(user, agency, "head", position="Kepala Dinas")
    return user


@pytest.fixture
def other_officer(other_agency):
    user = make_staff(role="agency", full_name="Agus Petugas DLH")
    make_member(user, other_agency, "officer")
    return user


@pytest.fixture
def city_admin(db):
    return make_staff(role="admin", full_name="Admin Kota", is_staff=True)
