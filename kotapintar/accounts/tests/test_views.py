"""Account pages as a person uses them (Indonesian by default)."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from kotapintar.accounts import services
from kotapintar.accounts.models import Role, User, VerificationCode
from kotapintar.core.models import AuditLog
from kotapintar.testing.accounts import PASSWORD, confirmed_device, login_staff, totp_code

from .conftest import code_sent_to

pytestmark = pytest.mark.django_db

STRONG = "Rahasia-Semarang-77"


def _input(html: str, name: str) -> str:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert match, f"no input {name}"
    return match.group(0)


def _field_error(html: str, field_id: str) -> str:
    match = re.search(rf'<div class="invalid-feedback" id="{field_id}_error">(.*?)</div>', html, re.S)
    assert match, f"no error block for {field_id}"
    return re.sub(r"<[^>]+>", " ", match.group(1))


def _signup(client, contact="rina@example.test", **extra):
    data = {
        "full_name": "Rina Warga",
        "contact": contact,
        "password1": STRONG,
        "password2": STRONG,
        "consent": "on",
        **extra,
    }
    return client.post(reverse("accounts:signup"), data)


# --- sign-up and verification -----------------------------------------------------------


def test_signup_page_is_indonesian_and_labels_every_field(client):
    html = client.get(reverse("accounts:signup")).content.decode()
    assert "Buat akun" in html
    for name in ("full_name", "contact", "password1", "password2", "consent"):
        assert f'for="id_{name}"' in html
    assert 'name="viewport"' in html


def test_signup_errors_are_indonesian_and_tied_to_the_fields(client, citizen):
    response = _signup(client, contact=citizen.email, password2="lain-sama-sekali-99")
    assert response.status_code == 200
    html = response.content.decode()
    contact_input = _input(html, "contact")
    assert 'aria-invalid="true"' in contact_input
    assert "id_contact_error" in contact_input
    assert "sudah ada" in _field_error(html, "id_contact")
    assert 'aria-invalid="true"' in _input(html, "password2")
    assert "tidak sama" in _field_error(html, "id_password2")
    assert not User.objects.filter(full_name="Rina Warga").exists()


def test_signup_password_validators_speak_indonesian(client):
    html = _signup(client, password1="12345678", password2="12345678").content.decode()
    error = _field_error(html, "id_password1")
    assert "terlalu umum" in error or "seluruhnya angka" in error, error


def test_signup_signs_in_and_sends_to_verification_until_the_code_is_entered(client):
    response = _signup(client)
    assert response.status_code == 302 and response["Location"] == reverse("accounts:verify")
    # Other pages send an unverified account back to the verification page.
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:verify"))
    page = client.get(reverse("accounts:verify")).content.decode()
    assert "r***@example.test" in page
    wrong = client.post(reverse("accounts:verify"), {"code": "12345"})
    assert 'aria-invalid="true"' in _input(wrong.content.decode(), "code")
    response = client.post(reverse("accounts:verify"), {"code": code_sent_to("rina@example.test")})
    assert response.status_code == 302
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_wrong_code_message_counts_the_tries_left(client):
    _signup(client)
    code = code_sent_to("rina@example.test")
    wrong = "000000" if code != "000000" else "111111"
    html = client.post(reverse("accounts:verify"), {"code": wrong}).content.decode()
    assert "4 kali" in _field_error(html, "id_code")


def test_resend_is_throttled_with_a_message(client):
    _signup(client)
    response = client.post(reverse("accounts:verify_resend"), follow=True)
    assert "Tunggu" in response.content.decode()
    assert VerificationCode.objects.count() == 1


def test_mistyped_address_can_be_replaced_from_the_verification_page(client):
    _signup(client, contact="slah@example.test")
    response = client.post(reverse("accounts:verify_change"), {"contact": "0812 3456 7890"})
    assert response.status_code == 302
    user = User.objects.get(full_name="Rina Warga")
    assert user.phone == "+6281234567890" and user.email is None
    client.post(reverse("accounts:verify"), {"code": code_sent_to("+6281234567890")})
    user.refresh_from_db()
    assert user.is_contact_verified


# --- sign-in and sign-out ---------------------------------------------------------------


@pytest.mark.parametrize("typed", ["0812-3456-7890", "+62 812 3456 7890", "6281234567890", "081234567890"])
def test_sign_in_by_phone_in_any_common_form(client, make_user, typed):
    make_user(phone="+6281234567890", email=None)
    response = client.post(reverse("accounts:login"), {"username": typed, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_sign_in_by_email_any_case_and_return_to_next(client, citizen):
    response = client.post(
        reverse("accounts:login") + "?next=/accounts/my-data/",
        {"username": citizen.email.upper(), "password": PASSWORD, "next": "/accounts/my-data/"},
    )
    assert response["Location"] == "/accounts/my-data/"


def test_sign_in_ignores_an_outside_next(client, citizen):
    response = client.post(
        reverse("accounts:login"),
        {"username": citizen.email, "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("home")


def test_wrong_password_shows_an_indonesian_error(client, citizen):
    response = client.post(reverse("accounts:login"), {"username": citizen.email, "password": "salah-banget"})
    assert response.status_code == 200
    assert "tidak benar" in response.content.decode()


def test_sign_in_applies_the_language_preference(client, make_user):
    user = make_user(preferred_language="en")
    response = client.post(reverse("accounts:login"), {"username": user.email, "password": PASSWORD})
    assert response.cookies["kotapintar_language"].value == "en"
    assert "My profile" in client.get(reverse("accounts:profile")).content.decode()


def test_sign_out_needs_post(client, citizen):
    client.force_login(citizen)
    assert client.get(reverse("accounts:logout")).status_code == 405
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("accounts:profile")).status_code == 302


def test_sixth_attempt_is_locked_out_even_with_the_right_password(client, citizen):
    for _ in range(5):
        client.post(reverse("accounts:login"), {"username": citizen.email, "password": "salah-banget"})
    response = client.post(reverse("accounts:login"), {"username": citizen.email, "password": PASSWORD})
    assert response.status_code == 429
    html = response.content.decode()
    assert "Coba lagi dalam" in html and "WIB" in html
    assert "_auth_user_id" not in client.session
    # The lockout counts the account, whichever way it is typed.
    response = client.post(reverse("accounts:login"), {"username": citizen.email.upper(), "password": PASSWORD})
    assert response.status_code == 429


def test_phone_forms_count_as_one_account_for_lockout(client, make_user):
    make_user(phone="+6281234567890", email=None)
    for typed in ("081234567890", "+6281234567890", "0812-3456-7890", "6281234567890", "0812 3456 7890"):
        client.post(reverse("accounts:login"), {"username": typed, "password": "salah-banget"})
    response = client.post(reverse("accounts:login"), {"username": "081234567890", "password": PASSWORD})
    assert response.status_code == 429


def test_lockout_is_per_account_and_address(client, citizen, make_user):
    for _ in range(5):
        client.post(reverse("accounts:login"), {"username": citizen.email, "password": "salah-banget"})
    other = make_user()
    response = client.post(reverse("accounts:login"), {"username": other.email, "password": PASSWORD})
    assert response.status_code == 302
    elsewhere = Client(REMOTE_ADDR="10.1.2.3")
    response = elsewhere.post(reverse("accounts:login"), {"username": citizen.email, "password": PASSWORD})
    assert response.status_code == 302


# --- staff two-factor -------------------------------------------------------------------


def test_new_staff_sets_up_totp_at_first_sign_in(client, admin_user):
    result = services.staff_create(actor=admin_user, full_name="Dewi", email="dewi@kota.test", role=Role.VERIFIER)
    response = client.post(
        reverse("accounts:login"), {"username": "dewi@kota.test", "password": result.generated_password}
    )
    assert response["Location"].startswith(reverse("accounts:two_factor"))
    response = client.get(response["Location"])
    assert response["Location"].startswith(reverse("accounts:two_factor_setup"))
    html = client.get(response["Location"]).content.decode()
    assert "<svg" in html and "<title>" in html
    from kotapintar.accounts.totp import secret_for_display

    assert secret_for_display(result.device) in html
    assert "otpauth://totp/Kota%20Pintar%3Adewi%40kota.test?" in html.replace("&amp;", "&")
    # Everything else waits until the setup is done.
    assert client.get(reverse("accounts:profile"))["Location"].startswith(reverse("accounts:two_factor"))
    wrong = client.post(reverse("accounts:two_factor_setup"), {"code": "000000"})
    assert "tidak benar" in _field_error(wrong.content.decode(), "id_code")
    TOTPDevice.objects.filter(pk=result.device.pk).update(throttling_failure_count=0)
    device = TOTPDevice.objects.get(pk=result.device.pk)
    response = client.post(reverse("accounts:two_factor_setup"), {"code": totp_code(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("accounts:profile")).status_code == 200
    assert AuditLog.objects.filter(action="accounts.two_factor_enable").exists()


def test_staff_sign_in_asks_for_the_code_every_time(client, verifier):
    device = confirmed_device(verifier)
    response = client.post(reverse("accounts:login"), {"username": verifier.email, "password": PASSWORD})
    assert response["Location"].startswith(reverse("accounts:two_factor"))
    html = client.get(response["Location"]).content.decode()
    assert "Verifikasi dua langkah" in html
    assert client.get("/api/v1/me/").status_code == 403
    response = client.post(reverse("accounts:two_factor") + "?next=/accounts/profile/", {"code": totp_code(device)})
    assert response["Location"] == "/accounts/profile/"
    assert "staff-roles" in client.get("/accounts/profile/").content.decode()


def test_wrong_totp_codes_are_throttled_on_the_page(client, verifier):
    device = confirmed_device(verifier)
    client.force_login(verifier)
    wrong = "000000" if totp_code(device) != "000000" else "111111"
    client.post(reverse("accounts:two_factor"), {"code": wrong})
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=8)
    html = client.post(reverse("accounts:two_factor"), {"code": totp_code(device)}).content.decode()
    assert "Terlalu banyak kode salah" in _field_error(html, "id_code")


def test_django_admin_needs_a_verified_session(client, admin_user):
    client.force_login(admin_user)
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:two_factor"))
    verified = login_staff(Client(), admin_user)
    assert verified.get("/admin/").status_code == 200
    assert verified.get("/admin/accounts/user/").status_code == 200


def test_admin_login_page_is_the_platform_sign_in(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_citizen_has_no_two_factor_page(citizen_client):
    assert citizen_client.get(reverse("accounts:two_factor"))["Location"] == reverse("home")


# --- profile ----------------------------------------------------------------------------


def test_profile_shows_the_nik_masked_and_reveals_it_with_an_audit_row(citizen_client, citizen, semarang_districts):
    response = citizen_client.post(reverse("accounts:profile_nik"), {"nik-nik": "3374014506900001"})
    assert response.status_code == 302
    html = citizen_client.get(reverse("accounts:profile")).content.decode()
    assert "3374********0001" in html and "3374014506900001" not in html
    html = citizen_client.post(reverse("accounts:profile_nik_reveal")).content.decode()
    assert "3374014506900001" in html
    assert AuditLog.objects.filter(action="accounts.nik_reveal", actor=citizen).count() == 1


def test_bad_nik_error_is_indonesian_and_on_the_field(citizen_client, semarang_districts):
    response = citizen_client.post(reverse("accounts:profile_nik"), {"nik-nik": "3374019906900001"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'aria-invalid="true"' in _input(html, "nik-nik")
    assert "bukan tanggal lahir" in _field_error(html, "id_nik-nik")


def test_profile_update_and_language(citizen_client, citizen):
    response = citizen_client.post(
        reverse("accounts:profile"), {"profile-full_name": "Siti Aminah", "profile-preferred_language": "en"}
    )
    assert response.status_code == 302
    assert response.cookies["kotapintar_language"].value == "en"
    citizen.refresh_from_db()
    assert citizen.full_name == "Siti Aminah" and citizen.preferred_language == "en"


def test_citizen_cannot_elevate_their_role_anywhere(citizen_client, citizen):
    citizen_client.post(
        reverse("accounts:profile"),
        {"profile-full_name": "Siti", "profile-preferred_language": "id", "role": "admin", "profile-role": "admin"},
    )
    citizen_client.patch("/api/v1/me/", {"role": "admin"}, content_type="application/json")
    citizen.refresh_from_db()
    assert citizen.role == Role.CITIZEN
    assert citizen_client.get("/admin/accounts/user/").status_code == 302  # not admin staff


def test_email_change_goes_through_a_code(citizen_client, citizen):
    response = citizen_client.post(reverse("accounts:profile_email"), {"email-email": "baru@example.test"})
    assert response["Location"].startswith(reverse("accounts:verify"))
    citizen_client.post(reverse("accounts:verify"), {"code": code_sent_to("baru@example.test")})
    citizen.refresh_from_db()
    assert citizen.email == "baru@example.test"


def test_password_change_keeps_the_session(citizen_client, citizen):
    response = citizen_client.post(
        reverse("accounts:profile_password"),
        {"password-old_password": PASSWORD, "password-new_password1": STRONG, "password-new_password2": STRONG},
    )
    assert response.status_code == 302
    assert citizen_client.get(reverse("accounts:profile")).status_code == 200
    citizen.refresh_from_db()
    assert citizen.check_password(STRONG)


def test_staff_see_their_agencies(staff_client, make_user):
    from kotapintar.agencies.models import Agency, Membership

    user = make_user(role=Role.AGENCY)
    agency = Agency.objects.create(code="DPU", name="Dinas Pekerjaan Umum", kind="dinas")
    Membership.objects.create(user=user, agency=agency, role="head", position="Kepala Dinas")
    html = staff_client(user).get(reverse("accounts:profile")).content.decode()
    assert "Dinas Pekerjaan Umum" in html and "Kepala Dinas" in html


# --- my data ----------------------------------------------------------------------------


def test_my_data_page_and_download(citizen_client, citizen):
    html = citizen_client.get(reverse("accounts:my_data")).content.decode()
    assert "Data saya" in html and citizen.email in html
    response = citizen_client.get(reverse("accounts:my_data_download"))
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["sections"]["account"]["email"] == citizen.email


def test_delete_account_needs_the_password_then_signs_out(citizen_client, citizen):
    response = citizen_client.post(reverse("accounts:delete"), {"password": "salah", "confirm": "on"})
    assert response.status_code == 400
    assert "tidak benar" in _field_error(response.content.decode(), "id_password")
    response = citizen_client.post(reverse("accounts:delete"), {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 302
    citizen.refresh_from_db()
    assert citizen.is_deleted and citizen.email is None
    assert citizen_client.get(reverse("accounts:profile")).status_code == 302


def test_other_sessions_end_when_the_account_is_deleted(citizen):
    elsewhere = Client()
    elsewhere.force_login(citizen)
    services.user_delete(actor=citizen, user=citizen, password=PASSWORD)
    assert elsewhere.get(reverse("accounts:profile")).status_code == 302
