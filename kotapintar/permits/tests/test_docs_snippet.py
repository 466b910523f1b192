"""The short offline check printed in docs/permits-signing.md really works (and really refuses)."""

import ast
import dataclasses
import re
import subprocess
import sys
from pathlib import Path

import pytest

from kotapintar.permits import qr
from kotapintar.permits.signing import generate_key, public_key_b64

DOC = Path(__file__).resolve().parents[3] / "docs" / "permits-signing.md"


@pytest.fixture
def snippet(tmp_path) -> Path:
    blocks = re.findall(r"```python\n(# check_permit\.py.*?)```", DOC.read_text(), re.S)
    assert len(blocks) == 1, "the documented snippet is missing"
    path = tmp_path / "check_permit.py"
    path.write_text(blocks[0])
    return path


def run(script: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-I", str(script), *args], capture_output=True, text=True, timeout=60)


def test_documented_snippet_verifies_a_real_permit(snippet, claims, signing_key):
    url = qr.verify_url(qr.make_token(claims))
    result = run(snippet, url, public_key_b64(signing_key))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("VALID, key 2026a") and claims.number in result.stdout


def test_documented_snippet_rejects_a_forgery(snippet, claims, signing_key):
    _data, kid, signature = qr.decode_token(qr.make_token(claims))
    forged = dataclasses.replace(claims, holder="PT Pemalsu Izin")
    result = run(snippet, qr.encode_token(forged.canonical_bytes(), kid, signature), public_key_b64(signing_key))
    assert result.returncode != 0
    assert "InvalidSignature" in result.stderr


def test_documented_dictionary_and_script_dictionary_match_the_platform(snippet):
    # Both copies are plain Python literals; evaluate them and compare with the platform's.
    for source in (snippet.read_text(), (DOC.parents[1] / "scripts" / "verify_permit_offline.py").read_text()):
        literal = re.search(r"^(?:ZDICT|ZDICT_V1) = (\(.*?\n\))", source, re.S | re.M).group(1)
        assert ast.literal_eval(literal) == qr.ZDICT_V1


def test_other_public_key_is_refused(snippet, claims, signing_key):
    url = qr.verify_url(qr.make_token(claims))
    assert run(snippet, url, public_key_b64(generate_key())).returncode != 0
