"""Accounts API: /api/v1/me/ and token sign-in/sign-out."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from kotapintar.accounts import services
from kotapintar.accounts.models import Role
from kotapintar.core.models import AuditLog
from kotapintar.testing.accounts import PASSWORD, confirmed_device, totp_code

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"


@pytest.fixture
def api():
    return APIClient()


def _token(api, username, password=PASSWORD, **extra):
    return api.post(TOKEN_URL, {"username": username, "password": password, **extra}, format="json")


def test_citizen_gets_a_token_by_phone_and_reads_their_profile(api, make_user, semarang_districts):
    user = make_user(phone="+6281234567890", email=None, full_name="Agus")
    services.user_nik_set(actor=user, user=user, nik="3374010506900001")
    response = _token(api, "0812 3456 7890")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["user"]["phone"] == "+6281234567890"
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {body['token']}")
    me = api.get("/api/v1/me/").json()
    assert me["full_name"] == "Agus"
    assert me["nik_masked"] == "3374********0001"
    assert "3374010506900001" not in str(me)
    assert me["phone_verified"] is True and me["role"] == "citizen"
    assert AuditLog.objects.filter(action="accounts.api_token_issue").exists()


def test_me_patch_changes_name_and_language_but_not_role(api, citizen):
    api.force_authenticate(citizen)
    response = api.patch(
        "/api/v1/me/", {"full_name": "Siti A", "preferred_language": "en", "role": "admin"}, format="json"
    )
    assert response.status_code == 200
    citizen.refresh_from_db()
    assert citizen.full_name == "Siti A" and citizen.preferred_language == "en" and citizen.role == Role.CITIZEN
    bad = api.patch("/api/v1/me/", {"preferred_language": "fr"}, format="json")
    assert bad.status_code == 400 and "preferred_language" in bad.json()["error"]["fields"]


def test_me_needs_authentication(api):
    assert api.get("/api/v1/me/").status_code in (401, 403)


def test_wrong_password_is_401_with_the_platform_error_body(api, citizen):
    response = _token(api, citizen.email, "salah-banget")
    assert response.status_code == 401
    assert response.json()["error"]["message"]


def test_unverified_account_gets_no_token(api):
    services.citizen_signup(full_name="Baru", contact="baru@example.test", password="Rahasia-Semarang-77")
    response = _token(api, "baru@example.test", "Rahasia-Semarang-77")
    assert response.status_code == 403


def test_staff_token_needs_the_totp_code(api, verifier):
    device = confirmed_device(verifier)
    missing = _token(api, verifier.email)
    assert missing.status_code == 400 and "otp" in missing.json()["error"]["fields"]
    wrong = _token(api, verifier.email, otp="000000" if totp_code(device) != "000000" else "111111")
    assert wrong.status_code == 400
    device.throttle_reset()
    ok = _token(api, verifier.email, otp=totp_code(device))
    assert ok.status_code == 200
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {ok.json()['token']}")
    assert api.get("/api/v1/me/").json()["is_staff_member"] is True


def test_staff_without_2fa_set_up_gets_no_token(api, admin_user):
    staff = services.staff_create(
        actor=admin_user, full_name="Baru", email="baru@kota.test", role=Role.LEADERSHIP, password="Rahasia-Semarang-77"
    ).user
    response = _token(api, staff.email, "Rahasia-Semarang-77", otp="123456")
    assert response.status_code == 403


def test_revoke_ends_the_token(api, citizen):
    token = _token(api, citizen.email).json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.post("/api/v1/auth/token/revoke/").status_code == 204
    assert api.get("/api/v1/me/").status_code == 401
    assert AuditLog.objects.filter(action="accounts.api_token_revoke").exists()


def test_token_endpoint_is_locked_out_by_axes_with_json(api, citizen):
    for _ in range(4):
        assert _token(api, citizen.email, "salah-banget").status_code == 401
    # The fifth failure locks the account out; so is the next try, right password or not.
    assert _token(api, citizen.email, "salah-banget").status_code == 429
    response = _token(api, citizen.email)
    assert response.status_code == 429
    body = response.json()
    assert body["error"]["code"] == "locked_out"
    assert int(response["Retry-After"]) > 0


def test_token_endpoint_is_rate_limited(api, citizen, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"auth": "3/min"}}
    cache.clear()
    codes = [_token(api, f"nobody{i}@example.test", "x").status_code for i in range(4)]
    assert codes == [401, 401, 401, 429]


def test_successful_token_clears_the_failure_count(api, citizen):
    for _ in range(4):
        _token(api, citizen.email, "salah-banget")
    assert _token(api, citizen.email).status_code == 200
    for _ in range(4):
        _token(api, citizen.email, "salah-banget")
    assert _token(api, citizen.email).status_code == 200
