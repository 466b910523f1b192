"""The public verification page and its JSON twin: authentic, status, and "not valid" for anything else."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from kotapintar.permits import pdfs, services
from kotapintar.permits.models import Permit
from kotapintar.permits.qr import decode_token, encode_token, make_token
from kotapintar.permits.signing import LocalEd25519Signer, PermitClaims, generate_key, load_private_key
from kotapintar.testing.permits import apply_for, run_until


@pytest.fixture
def permit(permit_office) -> Permit:
    return run_until(permit_office, apply_for(permit_office, "REKLAME"), "issued")


def status_of(response) -> str:
    text = response.content.decode()
    marker = 'data-testid="verify-result" data-status="'
    return text[text.index(marker) + len(marker) :].split('"', 1)[0]


def test_a_valid_permit(permit):
    response = Client().get(f"/verify/{permit.token}/")
    assert response.status_code == 200 and status_of(response) == "valid"
    page = response.content.decode()
    assert permit.number in page and permit.holder_name in page and "Billboard 4 x 6 m" in page
    assert response["Cache-Control"].startswith("max-age=0") or "no-cache" in response["Cache-Control"]


def test_no_personal_data_beyond_what_the_permit_prints(permit):
    page = Client().get(f"/verify/{permit.token}/").content.decode()
    applicant = permit.application.applicant
    assert applicant.email not in page
    assert permit.application.registration_number not in page


def test_the_qr_on_the_pdf_opens_this_page(permit, settings):
    assert pdfs.verify_url(permit) == f"https://izin.semarangkota.go.id/verify/{permit.token}/"


def test_revoked_shows_the_date_and_reason(permit, permit_office):
    services.permit_revoke(actor=permit_office.head, permit=permit, reason="Konstruksi membahayakan pengguna jalan.")
    response = Client().get(f"/verify/{permit.token}/")
    assert status_of(response) == "revoked"
    assert "Konstruksi membahayakan" in response.content.decode()
    data = Client().get(f"/api/v1/permits/verify/{permit.token}/").json()
    assert data["status"] == "revoked" and data["revoked_on"] == timezone.localdate().isoformat()


def test_a_revocation_from_a_future_date_still_shows_valid_until_then(permit, permit_office):
    services.permit_revoke(
        actor=permit_office.head,
        permit=permit,
        reason="Berakhir karena pembongkaran.",
        effective_on=timezone.localdate() + dt.timedelta(days=5),
    )
    assert status_of(Client().get(f"/verify/{permit.token}/")) == "valid"


def test_expired(permit):
    # The signed dates say when it ends: a permit issued long ago, re-signed with past dates.
    claims = PermitClaims(
        number="503/0999/IR/DPMPTSP/I/2024",
        type_code="REKLAME",
        holder="CV Lama",
        object_summary="Baliho 3 x 4 m, Jl. Pandanaran",
        valid_from=dt.date(2024, 1, 10),
        valid_until=dt.date(2025, 1, 9),
        issued_on=dt.date(2024, 1, 10),
        issuer="33.74",
    )
    token = make_token(claims)
    decoded = decode_token(token)
    Permit.objects.create(
        permit_type=permit.permit_type,
        number=claims.number,
        holder_name=claims.holder,
        object_summary=claims.object_summary,
        valid_from=claims.valid_from,
        valid_until=claims.valid_until,
        issued_on=claims.issued_on,
        issuer_code="33.74",
        official_name="x",
        official_position="y",
        agency_name="DPMPTSP",
        city_name="Kota Semarang",
        canonical=decoded.data.decode(),
        kid=decoded.kid,
        signature=base64.b64encode(decoded.signature).decode(),
        token=token,
        released_at=timezone.now(),
    )
    response = Client().get(f"/verify/{token}/")
    assert status_of(response) == "expired"


@pytest.mark.parametrize(
    "code",
    ["x", "AQ", "%20", "A" * 2000, "../../etc/passwd", "AQNkZXb_" + "A" * 120],
)
def test_garbage_is_not_valid_never_an_error(db, code):
    response = Client().get(f"/verify/{code}/")
    assert response.status_code == 200 and status_of(response) == "invalid"
    data = Client().get(f"/api/v1/permits/verify/{code}/").json()
    assert data["authentic"] is False and data["status"] == "invalid" and "number" not in data


def test_a_tampered_token_is_not_valid(permit):
    decoded = decode_token(permit.token)
    forged_data = decoded.data.replace(permit.holder_name.encode(), b"PT Pemalsu")
    forged = encode_token(forged_data, decoded.kid, decoded.signature)
    assert status_of(Client().get(f"/verify/{forged}/")) == "invalid"


def test_signed_with_another_key_is_not_valid(permit):
    other = LocalEd25519Signer(load_private_key(generate_key()), "2026x")
    forged = make_token(decode_token(permit.token).claims, signer=other)
    assert status_of(Client().get(f"/verify/{forged}/")) == "invalid"


def test_authentic_but_not_in_the_register_is_not_valid(permit):
    # Signed with the city's key but never issued (e.g. a leaked key, or a wiped database).
    claims = PermitClaims(
        number="503/9999/IR/DPMPTSP/XI/2026",
        type_code="REKLAME",
        holder="CV Hantu",
        object_summary="Billboard 4 x 6 m, Jl. Pemuda",
        valid_from=dt.date(2026, 1, 1),
        valid_until=dt.date(2026, 12, 31),
        issued_on=dt.date(2026, 1, 1),
        issuer="33.74",
    )
    assert status_of(Client().get(f"/verify/{make_token(claims)}/")) == "invalid"


def test_the_json_verification(permit):
    data = Client().get(f"/api/v1/permits/verify/{permit.token}/").json()
    assert data["authentic"] is True and data["status"] == "valid"
    assert data["number"] == permit.number and data["type_code"] == "REKLAME"
    assert data["valid_until"] == permit.valid_until.isoformat() and data["key_id"] == "dev"


def test_the_offline_check_accepts_an_issued_permit(permit, tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    from kotapintar.permits.signing import keyring, public_key_b64

    public = public_key_b64(keyring().verifying["dev"])
    script = Path(__file__).resolve().parents[3] / "scripts" / "verify_permit_offline.py"
    result = subprocess.run(
        [sys.executable, str(script), pdfs.verify_url(permit), "--key", public],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert permit.number in result.stdout
