"""Account fixtures and helpers shared by every app's tests.

def test_something(citizen, make_user, staff_client, verifier): ...
    other = make_user(role=Role.AGENCY, full_name="Petugas")
    client = staff_client(verifier)          # signed in AND two-factor verified

from kotapintar.testing.accounts import login_staff, make_user
"""

from __future__ import annotations

import itertools

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from kotapintar.accounts.models import Role, User
from kotapintar.accounts.totp import current_token

PASSWORD = "kata-sandi-uji-123"  # noqa: S105 — every factory-made test account has it

_seq = itertools.count(1)


def make_user(*, role: str = Role.CITIZEN, password: str = PASSWORD, **kw) -> User:
    """An account with a verified contact (email by default), of the given role.

    Administrators get Django-admin access (is_staff) but are superusers only if asked.
    """
    n = next(_seq)
    kw.setdefault("full_name", f"Pengguna Uji {n}")
    if not kw.get("email") and not kw.get("phone"):
        kw["email"] = f"user{n}-{role}@example.test"
    if role == Role.ADMIN:
        kw.setdefault("is_staff", True)
    return User.objects.create_user(password=password, role=role, **kw)


create_user = make_user


def confirmed_device(user: User) -> TOTPDevice:
    """The user's confirmed TOTP device (created if missing)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        TOTPDevice.objects.filter(user=user).delete()
        device = TOTPDevice.objects.create(user=user, name="default", confirmed=True)
    return device


def totp_code(device: TOTPDevice) -> str:
    """The code an authenticator app would show now for `device`."""
    return current_token(device)


def login_staff(client: Client, user: User) -> Client:
    """Sign `client` in as `user` and mark the session two-factor verified (as django_otp.login does)."""
    device = confirmed_device(user)
    client.force_login(user, backend="kotapintar.accounts.backends.EmailOrPhoneBackend")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture(name="make_user")
def make_user_fixture(db):
    """Factory: make_user(role=Role.VERIFIER, full_name=..., email=..., phone=..., password=...)."""
    return make_user


@pytest.fixture
def citizen(db) -> User:
    return make_user(role=Role.CITIZEN, full_name="Siti Warga")


@pytest.fixture
def verifier(db) -> User:
    return make_user(role=Role.VERIFIER, full_name="Budi Verifikator")


@pytest.fixture
def leadership(db) -> User:
    return make_user(role=Role.LEADERSHIP, full_name="Ibu Pimpinan")


@pytest.fixture
def admin_user(db) -> User:
    """A platform administrator as staff_create makes one (role admin, Django admin, superuser)."""
    return make_user(role=Role.ADMIN, full_name="Admin Platform", is_superuser=True)


@pytest.fixture
def citizen_client(citizen) -> Client:
    client = Client()
    client.force_login(citizen, backend="kotapintar.accounts.backends.EmailOrPhoneBackend")
    return client


@pytest.fixture
def staff_client(db):
    """Factory: staff_client(user) → a new test Client signed in and two-factor verified."""

    def make(user: User) -> Client:
        return login_staff(Client(), user)

    return make
