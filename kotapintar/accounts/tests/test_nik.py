"""NIK: validation, encryption at rest, uniqueness, who may read it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import translation

from kotapintar.accounts import crypto, policies, selectors, services
from kotapintar.accounts.errors import AccountError
from kotapintar.accounts.models import Role
from kotapintar.accounts.nik import mask, parse_nik
from kotapintar.core.errors import NotAllowed
from kotapintar.core.models import AuditLog

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("value", "birth", "sex"),
    [
        ("3374014506900001", dt.date(1990, 6, 5), "F"),  # woman: day 45 = 5
        ("3374010506900001", dt.date(1990, 6, 5), "M"),
        ("3374 0171 1285 0123", dt.date(1985, 12, 31), "F"),  # spaces as people type them
        ("3374.02.290200.9999", dt.date(2000, 2, 29), "M"),  # leap day of 2000
        ("3374026912040001", dt.date(2004, 12, 29), "F"),
    ],
)
def test_good_niks(semarang_districts, value, birth, sex):
    info = parse_nik(value)
    assert info.birth_date == birth
    assert info.sex == sex
    assert info.district_code == info.nik[:2] + "." + info.nik[2:4] + "." + info.nik[4:6]


@pytest.mark.parametrize(
    ("value", "code", "indonesian"),
    [
        ("337401450690000", "nik_length", "tepat 16 angka"),  # 15 digits
        ("33740145069000011", "nik_length", "tepat 16 angka"),  # 17 digits
        ("3374O14506900001", "nik_length", "tepat 16 angka"),  # a letter O
        ("3374994506900001", "nik_region", "bukan kode kecamatan"),  # no district 33.74.99
        ("9999014506900001", "nik_region", "bukan kode kecamatan"),
        ("3374013206900001", "nik_birth_date", "bukan tanggal lahir"),  # day 32
        ("3374017206900001", "nik_birth_date", "bukan tanggal lahir"),  # day 72 (woman 32)
        ("3374010013900001", "nik_birth_date", "bukan tanggal lahir"),  # day 00
        ("3374010513900001", "nik_birth_date", "bukan tanggal lahir"),  # month 13
        ("3374012902010001", "nik_birth_date", "bukan tanggal lahir"),  # 29 Feb 2001
        ("3374013104900001", "nik_birth_date", "bukan tanggal lahir"),  # 31 April
        ("3374014506900000", "nik_serial", "tidak boleh 0000"),
    ],
)
def test_bad_niks_say_what_is_wrong_in_indonesian(semarang_districts, value, code, indonesian):
    with pytest.raises(ValidationError) as exc:
        parse_nik(value)
    assert exc.value.code == code
    with translation.override("id"):
        message = exc.value.messages[0]
    assert indonesian in message, message


def test_mask():
    assert mask("3374014506900001") == "3374********0001"


def test_nik_is_encrypted_at_rest_with_a_unique_keyed_hash(citizen, semarang_districts):
    services.user_nik_set(actor=citizen, user=citizen, nik="3374 0145 0690 0001")
    with connection.cursor() as cursor:
        cursor.execute("SELECT nik_encrypted, nik_hash FROM accounts_user WHERE id = %s", [citizen.pk])
        stored, digest = cursor.fetchone()
    assert "3374014506900001" not in stored
    assert "3374014506900001" not in digest
    assert crypto.decrypt(stored) == "3374014506900001"
    assert selectors.nik_masked(citizen) == "3374********0001"
    assert AuditLog.objects.filter(action="accounts.nik_add", object_id=str(citizen.pk)).exists()
    assert "3374014506900001" not in str(list(AuditLog.objects.values()))


def test_the_configured_key_is_used_when_set(citizen, semarang_districts, settings):
    from cryptography.fernet import Fernet

    key = Fernet.generate_key()
    settings.FIELD_ENCRYPTION_KEY = key.decode()
    services.user_nik_set(actor=citizen, user=citizen, nik="3374014506900001")
    citizen.refresh_from_db()
    assert Fernet(key).decrypt(citizen.nik_encrypted.encode()) == b"3374014506900001"


def test_two_accounts_cannot_hold_the_same_nik(citizen, make_user, semarang_districts):
    services.user_nik_set(actor=citizen, user=citizen, nik="3374014506900001")
    other = make_user()
    with pytest.raises(AccountError) as exc:
        services.user_nik_set(actor=other, user=other, nik="3374-0145-0690-0001")
    assert exc.value.field == "nik"
    assert "sudah terdaftar pada akun lain" in exc.value.message
    # Changing one's own NIK to the same value is fine.
    services.user_nik_set(actor=citizen, user=citizen, nik="3374014506900001")


def test_only_the_holder_enters_their_nik(citizen, admin_user, semarang_districts):
    with pytest.raises(NotAllowed):
        services.user_nik_set(actor=admin_user, user=citizen, nik="3374014506900001")


@pytest.mark.parametrize(
    ("viewer_role", "allowed"),
    [
        ("self", True),
        (Role.ADMIN, True),
        (Role.VERIFIER, True),
        (Role.CITIZEN, False),
        (Role.AGENCY, False),
        (Role.LEADERSHIP, False),
    ],
)
def test_read_policy(citizen, make_user, viewer_role, allowed):
    viewer = citizen if viewer_role == "self" else make_user(role=viewer_role)
    assert policies.can_read_nik(viewer, citizen) is allowed


def test_inactive_staff_cannot_read(citizen, make_user):
    viewer = make_user(role=Role.VERIFIER, is_active=False)
    assert not policies.can_read_nik(viewer, citizen)


def test_reveal_is_audited_and_refused_to_others(citizen, verifier, make_user, semarang_districts):
    services.user_nik_set(actor=citizen, user=citizen, nik="3374014506900001")
    assert services.user_nik_reveal(viewer=verifier, subject=citizen) == "3374014506900001"
    row = AuditLog.objects.get(action="accounts.nik_reveal")
    assert row.actor_id == verifier.pk and row.object_id == str(citizen.pk)
    with pytest.raises(NotAllowed):
        services.user_nik_reveal(viewer=make_user(role=Role.AGENCY), subject=citizen)
    assert AuditLog.objects.filter(action="accounts.nik_reveal").count() == 1
