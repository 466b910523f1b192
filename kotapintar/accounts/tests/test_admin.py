"""Django admin of accounts: staff creation, audited NIK reveal, no deletion but anonymising."""

from __future__ import annotations

import re

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django_otp.plugins.otp_totp.models import TOTPDevice

from kotapintar.accounts import services
from kotapintar.accounts.models import Role, User
from kotapintar.core.models import AuditLog
from kotapintar.testing.accounts import confirmed_device, login_staff

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/accounts/user/"


@pytest.fixture
def admin_client_verified(client, admin_user):
    return login_staff(client, admin_user)


def test_changelist_filters_by_role_and_searches(admin_client_verified, citizen, verifier):
    html = admin_client_verified.get(CHANGELIST, {"role__exact": "verifier"}).content.decode()
    assert verifier.email in html and citizen.email not in html
    html = admin_client_verified.get(CHANGELIST, {"q": "Siti"}).content.decode()
    assert citizen.email in html and verifier.email not in html


def test_add_form_creates_staff_through_the_service(admin_client_verified, admin_user):
    html = admin_client_verified.get(CHANGELIST + "add/").content.decode()
    assert 'value="citizen"' not in html  # only staff roles
    response = admin_client_verified.post(
        CHANGELIST + "add/",
        {"full_name": "Dewi Verifikator", "email": "Dewi@Kota.test", "phone": "", "role": "verifier", "password": ""},
    )
    assert response.status_code == 200, response.content[:500]
    user = User.objects.get(email="dewi@kota.test")
    password = re.search(r'data-testid="temporary-password">([^<]+)<', response.content.decode()).group(1)
    assert user.check_password(password)
    assert "no-store" in response["Cache-Control"]
    assert user.role == Role.VERIFIER and user.is_contact_verified
    assert TOTPDevice.objects.filter(user=user, confirmed=False).exists()
    row = AuditLog.objects.get(action="accounts.staff_create")
    assert row.actor_id == admin_user.pk


def test_add_form_can_place_agency_staff_in_an_agency(admin_client_verified):
    from kotapintar.agencies.models import Agency, Membership

    agency = Agency.objects.create(code="DPU", name="Dinas Pekerjaan Umum", kind="dinas")
    data = {"full_name": "Joko", "email": "joko@kota.test", "phone": "0812 1111 2222", "password": ""}
    wrong = admin_client_verified.post(
        CHANGELIST + "add/", {**data, "role": "verifier", "agency": agency.pk, "agency_role": "officer"}
    )
    assert wrong.status_code == 200 and not User.objects.filter(email="joko@kota.test").exists()
    response = admin_client_verified.post(
        CHANGELIST + "add/",
        {**data, "role": "agency", "agency": agency.pk, "agency_role": "head", "position": "Kepala Dinas"},
    )
    assert response.status_code == 200
    user = User.objects.get(email="joko@kota.test")
    assert user.phone == "+6281211112222"
    membership = Membership.objects.get(user=user)
    assert membership.agency == agency and membership.role == "head" and membership.position == "Kepala Dinas"


def test_add_form_refuses_a_taken_email(admin_client_verified, verifier):
    response = admin_client_verified.post(
        CHANGELIST + "add/",
        {"full_name": "Dua", "email": verifier.email, "phone": "", "role": "verifier", "password": ""},
        follow=True,
    )
    assert User.objects.filter(email=verifier.email).count() == 1
    assert "sudah ada" in response.content.decode()


def test_change_form_goes_through_the_service_and_shows_no_clear_nik(
    admin_client_verified, citizen, semarang_districts
):
    services.user_nik_set(actor=citizen, user=citizen, nik="3374014506900001")
    url = f"{CHANGELIST}{citizen.pk}/change/"
    html = admin_client_verified.get(url).content.decode()
    assert "3374********0001" in html and "3374014506900001" not in html
    response = admin_client_verified.post(
        url,
        {
            "full_name": "Siti Baru",
            "email": citizen.email,
            "phone": "",
            "role": "verifier",
            "preferred_language": "id",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    citizen.refresh_from_db()
    assert citizen.full_name == "Siti Baru" and citizen.role == Role.VERIFIER
    assert AuditLog.objects.filter(action="accounts.admin_update", object_id=str(citizen.pk)).exists()


def test_nik_reveal_page_is_audited(admin_client_verified, admin_user, citizen, semarang_districts):
    services.user_nik_set(actor=citizen, user=citizen, nik="3374014506900001")
    url = f"{CHANGELIST}{citizen.pk}/reveal-nik/"
    assert "3374014506900001" not in admin_client_verified.get(url).content.decode()
    assert not AuditLog.objects.filter(action="accounts.nik_reveal").exists()
    response = admin_client_verified.post(url)
    assert "3374014506900001" in response.content.decode()
    assert AuditLog.objects.get(action="accounts.nik_reveal").actor_id == admin_user.pk


def test_no_delete_but_an_anonymise_action(admin_client_verified, citizen):
    assert admin_client_verified.get(f"{CHANGELIST}{citizen.pk}/delete/").status_code == 403
    html = admin_client_verified.get(CHANGELIST).content.decode()
    assert "delete_selected" not in html and "anonymise" in html
    confirm = admin_client_verified.post(CHANGELIST, {"action": "anonymise", ACTION_CHECKBOX_NAME: [citizen.pk]})
    assert confirm.status_code == 200
    citizen.refresh_from_db()
    assert not citizen.is_deleted  # not before the confirmation
    admin_client_verified.post(
        CHANGELIST, {"action": "anonymise", ACTION_CHECKBOX_NAME: [citizen.pk], "confirm": "yes"}
    )
    citizen.refresh_from_db()
    assert citizen.is_deleted and citizen.email is None


def test_reset_two_factor_action(admin_client_verified, verifier):
    old = confirmed_device(verifier)
    admin_client_verified.post(CHANGELIST, {"action": "reset_two_factor", ACTION_CHECKBOX_NAME: [verifier.pk]})
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()
    assert TOTPDevice.objects.filter(user=verifier, confirmed=False).exists()
    assert AuditLog.objects.filter(action="accounts.two_factor_reset").exists()


def test_totp_devices_are_not_browsable_in_the_admin(admin_client_verified):
    assert admin_client_verified.get("/admin/otp_totp/totpdevice/").status_code == 404
