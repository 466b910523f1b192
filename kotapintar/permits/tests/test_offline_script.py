"""The standalone checker in scripts/, run as a citizen or auditor would run it."""

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest

from kotapintar.permits import qr
from kotapintar.permits.signing import generate_key, public_key_b64, public_key_pem

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "verify_permit_offline.py"


def run(*args: str) -> subprocess.CompletedProcess:
    # -I: isolated mode, so the script cannot lean on the project's code or settings.
    return subprocess.run([sys.executable, "-I", str(SCRIPT), *args], capture_output=True, text=True, timeout=60)


@pytest.fixture
def issued(claims, signing_key):
    return qr.verify_url(qr.make_token(claims)), public_key_b64(signing_key)


def test_valid_permit_url_and_public_key(issued, claims):
    url, public = issued
    result = run(url, "--key", public)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("VALID (key 2026a)")
    assert claims.number in result.stdout and claims.holder in result.stdout and "2027-11-28" in result.stdout


def test_bare_token_and_pem_key_file(issued, signing_key, tmp_path):
    url, _ = issued
    pem = tmp_path / "kota-semarang-2026a.pem"
    pem.write_text(public_key_pem(signing_key))
    result = run(qr.token_from_text(url), "--key", str(pem))
    assert result.returncode == 0 and result.stdout.startswith("VALID")


def test_any_of_several_published_keys_may_match(issued):
    url, public = issued
    result = run(url, "--key", public_key_b64(generate_key()), "--key", public)
    assert result.returncode == 0 and result.stdout.startswith("VALID")


def test_wrong_key_is_invalid(issued):
    url, _ = issued
    result = run(url, "--key", public_key_b64(generate_key()))
    assert result.returncode == 1
    assert result.stdout.startswith("INVALID")
    assert "NOT confirmed" in result.stdout


def test_tampered_data_is_invalid(issued, claims):
    url, public = issued
    _data, kid, signature = qr.decode_token(qr.token_from_text(url))
    forged = dataclasses.replace(claims, holder="PT Pemalsu Izin")
    result = run(qr.encode_token(forged.canonical_bytes(), kid, signature), "--key", public)
    assert result.returncode == 1 and result.stdout.startswith("INVALID")


def test_garbage_is_invalid_not_a_traceback(issued):
    _, public = issued
    result = run("https://izin.semarangkota.go.id/verify/bm90LWEtdG9rZW4/", "--key", public)
    assert result.returncode == 1
    assert result.stdout.startswith("INVALID") and "Traceback" not in result.stderr


def test_unreadable_key_is_a_usage_error(issued):
    url, _ = issued
    result = run(url, "--key", "not-a-key!")
    assert result.returncode == 2
