"""Accounts in the browser: a new resident signs up on a phone, confirms the code, signs in
with the phone number and switches the language; a staff member sets up and then uses the
second factor. Every page is checked with axe-core (tests/e2e/conftest.py)."""

from __future__ import annotations

import re

import pytest

from kotapintar.accounts import services as account_services
from kotapintar.accounts import totp
from kotapintar.accounts.models import Role, User
from kotapintar.core.models import Notification

PASSWORD = "Semarang#Hebat2026"


def _code_sent_to(address: str) -> str:
    message = Notification.objects.filter(kind="accounts.verification", address=address).latest("id")
    return re.search(r"\b(\d{6})\b", message.body).group(1)


@pytest.mark.django_db(transaction=True)
def _open_menu(phone) -> None:
    """Open the phone menu and wait until it has finished opening (a click on a link while
    Bootstrap is still animating the menu can miss it)."""
    phone.get_by_role("button", name="Buka menu").click()
    phone.locator("#mainnav.show:not(.collapsing)").wait_for()


def test_new_resident_signs_up_verifies_signs_in_and_switches_language(phone, live_server):
    phone.visit(f"{live_server.url}/", "home")
    _open_menu(phone)
    phone.get_by_role("link", name="Daftar").click()
    phone.wait_for_url(re.compile(r"/accounts/signup/"))
    phone.check("signup")

    # A mistake first: the two passwords differ. The error is in Indonesian, next to the field.
    phone.get_by_label("Nama lengkap").fill("Sri Rahayu")
    phone.get_by_label("Email atau nomor HP").fill("0812 3456 7890")
    phone.fill("#id_password1", PASSWORD)
    phone.fill("#id_password2", PASSWORD + "x")
    phone.locator("#id_consent").check()
    with phone.expect_navigation():  # a form post: wait for the answer page
        phone.locator("[data-testid=signup-form] button[type=submit]").click()
    phone.check("signup-error")
    second = phone.locator("#id_password2")
    assert second.get_attribute("aria-invalid") == "true"
    error_id = "id_password2_error"
    assert error_id in (second.get_attribute("aria-describedby") or "")
    assert "tidak sama" in phone.locator(f"#{error_id}").inner_text()
    assert not User.objects.filter(full_name="Sri Rahayu").exists()

    phone.fill("#id_password1", PASSWORD)
    phone.fill("#id_password2", PASSWORD)
    phone.locator("[data-testid=signup-form] button[type=submit]").click()
    phone.wait_for_url(re.compile(r"/accounts/verify/"))
    phone.check("verify")
    user = User.objects.get(full_name="Sri Rahayu")
    assert user.phone == "+6281234567890" and user.phone_verified_at is None

    phone.get_by_label("Kode verifikasi").fill(_code_sent_to("+6281234567890"))
    phone.locator("[data-testid=verify-form] button[type=submit]").click()
    phone.wait_for_url(lambda url: "/accounts/verify/" not in url)
    phone.check("verified")
    user.refresh_from_db()
    assert user.phone_verified_at is not None

    # Sign out, then sign in again with the number written another way.
    _open_menu(phone)
    phone.locator("#usermenu").click()
    phone.get_by_role("button", name="Keluar").click()
    # Signed out once the account menu is gone (the click only starts the sign-out request).
    phone.locator("#usermenu").wait_for(state="detached")
    phone.check("signed-out")
    phone.visit(f"{live_server.url}/accounts/login/", "login")
    phone.get_by_label("Email atau nomor HP").fill("+62 812-3456-7890")
    phone.fill("#id_password", PASSWORD)
    phone.locator("[data-testid=login-form] button[type=submit]").click()
    phone.wait_for_url(lambda url: "/accounts/login/" not in url)
    phone.check("signed-in")
    assert "Sri Rahayu" in phone.locator("#usermenu").inner_text()

    # The page is Indonesian; the switch turns it English and back, and the choice sticks.
    assert phone.locator("html").get_attribute("lang") == "id"
    _open_menu(phone)
    with phone.expect_navigation():  # a form post: wait for the answer page
        phone.locator("[data-testid=lang-en]").click()
    phone.check("english")
    assert phone.locator("html").get_attribute("lang") == "en"
    phone.visit(f"{live_server.url}/accounts/profile/", "profile-english")
    assert phone.get_by_role("heading", name="My profile").is_visible()
    phone.get_by_role("button", name="Open the menu").click()
    with phone.expect_navigation():  # a form post: wait for the answer page
        phone.locator("[data-testid=lang-id]").click()
    phone.check("indonesian-again")
    assert phone.get_by_role("heading", name="Profil saya").is_visible()


@pytest.mark.django_db(transaction=True)
def _next_window_code(device) -> str:
    import time

    from django_otp.oath import TOTP

    code = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    code.time = time.time() + device.step
    return str(code.token()).zfill(device.digits)


def test_staff_member_sets_up_and_uses_two_factor_sign_in(page, live_server, admin_user):
    created = account_services.staff_create(
        actor=admin_user,
        full_name="Ratna Verifikator",
        email="ratna@semarangkota.go.id",
        role=Role.VERIFIER,
        password=PASSWORD,
    )

    page.visit(f"{live_server.url}/accounts/login/", "login")
    page.get_by_label("Email atau nomor HP").fill("ratna@semarangkota.go.id")
    page.fill("#id_password", PASSWORD)
    page.locator("[data-testid=login-form] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/accounts/2fa/setup/"))
    page.check("2fa-setup")

    # Without the second factor nothing else opens.
    page.visit(f"{live_server.url}/staff/", "staff-before-2fa")
    assert "/accounts/2fa/" in page.url

    page.visit(f"{live_server.url}/accounts/2fa/setup/", "2fa-setup-again")
    page.get_by_text("Tidak bisa memindai?").click()  # the key is folded under the QR code
    shown = page.locator("[data-testid=totp-secret]").inner_text().replace(" ", "")
    assert shown == totp.secret_base32(created.device)
    assert page.locator("[data-testid=totp-qr] svg").count() == 1
    page.fill("#id_code", totp.current_token(created.device))
    page.locator("[data-testid=two-factor-setup-form] button[type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/2fa/" not in url)
    page.check("after-setup")
    page.visit(f"{live_server.url}/staff/", "staff-home")
    assert page.get_by_role("heading", level=1).is_visible()

    # Next sign-in: password, then a code (a wrong one first).
    page.context.clear_cookies()
    page.visit(f"{live_server.url}/accounts/login/?next=/staff/", "login-again")
    page.get_by_label("Email atau nomor HP").fill("ratna@semarangkota.go.id")
    page.fill("#id_password", PASSWORD)
    page.locator("[data-testid=login-form] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/accounts/2fa/"))
    page.check("2fa")
    page.fill("#id_code", "000000")
    with page.expect_navigation():  # a form post: wait for the answer page
        page.locator("[data-testid=two-factor-form] button[type=submit]").click()
    page.check("2fa-wrong")
    assert page.locator("#id_code").get_attribute("aria-invalid") == "true"
    assert "/accounts/2fa/" in page.url

    device = created.device
    device.refresh_from_db()
    # django-otp throttles after a failure; wait out the short delay it imposes.
    page.wait_for_timeout(1200)
    # A code is good once: set-up used this window's code, so type the next window's (the
    # authenticator app shows it half a minute later; the server accepts one step of drift).
    page.fill("#id_code", _next_window_code(device))
    page.locator("[data-testid=two-factor-form] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/staff/$"))
    page.check("staff-home-after-2fa")
