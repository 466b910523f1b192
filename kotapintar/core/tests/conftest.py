"""Private fixtures of the kernel's tests: accounts of each kind, signed-in clients."""

from __future__ import annotations

import itertools

import pytest

from kotapintar.testing.core import login_verified

_seq = itertools.count(1)


@pytest.fixture
def make_user(db, django_user_model):
    def _make(role: str = "citizen", **extra):
        n = next(_seq)
        extra.setdefault("email", f"user{n}@example.test")
        extra.setdefault("full_name", f"Pengguna {n}")
        return django_user_model.objects.create_user(password="s3cret-pass-word", role=role, **extra)

    return _make


@pytest.fixture
def resident(make_user):
    return make_user("citizen", full_name="Siti Warga")


@pytest.fixture
def staff(make_user):
    return make_user("verifier", full_name="Budi Verifikator")


@pytest.fixture
def superadmin(make_user):
    return make_user("admin", full_name="Admin Platform", is_staff=True, is_superuser=True)


@pytest.fixture
def resident_client(client, resident):
    client.force_login(resident)
    return client


@pytest.fixture
def staff_client(client, staff):
    return login_verified(client, staff)


@pytest.fixture
def admin_client_verified(client, superadmin):
    return login_verified(client, superadmin)
