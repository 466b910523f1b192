"""A staff account created with a generated password chooses its own before anything else."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kotapintar.accounts import services
from kotapintar.accounts.models import Role

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Sendiri#Semarang2026"


def _signed_in(client, user):
    """A session past the password and the second factor (as after the real pages)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user=user)
    device.confirmed = True
    device.save()
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


def test_a_generated_password_must_be_replaced_first(client, admin_user):
    created = services.staff_create(
        actor=admin_user, full_name="Dimas Verifikator", email="dimas@semarangkota.go.id", role=Role.VERIFIER
    )
    assert created.generated_password  # shown once to the administrator
    user = created.user
    assert user.must_change_password
    _signed_in(client, user)

    response = client.get("/staff/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:profile"))
    page = client.get(reverse("accounts:profile"))
    assert page.status_code == 200
    assert 'data-testid="must-change-password"' in page.content.decode()
    api = client.get("/api/v1/me/")
    assert api.status_code == 403 and api.json()["error"]["code"] == "password_change_required"

    changed = client.post(
        reverse("accounts:profile_password"),
        {
            "password-old_password": created.generated_password,
            "password-new_password1": NEW_PASSWORD,
            "password-new_password2": NEW_PASSWORD,
        },
    )
    assert changed.status_code == 302
    user.refresh_from_db()
    assert not user.must_change_password
    assert client.get("/staff/").status_code == 200


def test_a_password_chosen_by_the_administrator_is_not_temporary(admin_user):
    created = services.staff_create(
        actor=admin_user,
        full_name="Sari Petugas",
        email="sari@semarangkota.go.id",
        role=Role.AGENCY,
        password=NEW_PASSWORD,
    )
    assert not created.user.must_change_password


def test_no_api_token_with_a_temporary_password(client, admin_user):
    from kotapintar.accounts import totp

    created = services.staff_create(
        actor=admin_user, full_name="Dimas Verifikator", email="dimas@semarangkota.go.id", role=Role.VERIFIER
    )
    device = created.device
    device.confirmed = True
    device.save()
    response = client.post(
        "/api/v1/auth/token/",
        {
            "username": "dimas@semarangkota.go.id",
            "password": created.generated_password,
            "otp": totp.current_token(device),
        },
        content_type="application/json",
    )
    assert response.status_code == 403
    assert "password" in response.json()["error"]["message"].lower() or "sandi" in response.json()["error"]["message"]
