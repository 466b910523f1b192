import dataclasses
import datetime as dt
import json

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.exceptions import ImproperlyConfigured

from kotapintar.permits.signing import (
    DEV_KEY_ID,
    ClaimsError,
    LocalEd25519Signer,
    PermitClaims,
    SigningKeyError,
    Verifier,
    check_signing_keys,
    derive_dev_key,
    generate_key,
    get_signer,
    keyring,
    load_private_key,
    public_key_b64,
    public_key_pem,
    sign_claims,
)


def test_canonical_bytes_follow_the_documented_format(claims):
    assert claims.canonical_bytes() == (
        b'{"from":"2026-11-29","holder":"CV Maju Jaya Abadi","issued":"2026-11-29","issuer":"33.74",'
        b'"num":"503/0042/DPMPTSP/XI/2026","object":"Billboard 4 x 6 m, Jl. Pemuda No. 12, Sekayu, '
        b'Semarang Tengah","type":"REKLAME","until":"2027-11-28","v":1}'
    )


def test_canonical_form_is_utf8_nfc_without_escapes_and_null_for_no_end_date(claims):
    # "é" typed as e + combining accent is stored composed (NFC) and written raw in UTF-8.
    permit = dataclasses.replace(claims, holder="  Toko Cafe\u0301 Sejahtera ", valid_until=None)
    data = permit.canonical_bytes()
    assert '"holder":"Toko Café Sejahtera"'.encode() in data
    assert b'"until":null' in data
    assert PermitClaims.from_canonical(data) == permit


def test_non_canonical_bytes_are_refused(claims):
    pretty = json.dumps(claims.to_dict(), sort_keys=True, indent=1).encode()
    with pytest.raises(ClaimsError):
        PermitClaims.from_canonical(pretty)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"holder": ""}, "empty"),
        ({"holder": "Budi\nSantoso"}, "control"),
        ({"object_summary": "x" * 121}, "longer"),
        ({"valid_until": dt.date(2026, 1, 1)}, "before"),
        ({"issued_on": dt.datetime(2026, 11, 29, 10, 0, tzinfo=dt.UTC)}, "date"),
    ],
)
def test_claims_refuse_data_that_cannot_be_signed_faithfully(claims, change, message):
    with pytest.raises(ClaimsError, match=message):
        dataclasses.replace(claims, **change)


def test_sign_and_verify_round_trip(claims, signing_key):
    signature = sign_claims(claims)
    assert signature.kid == "2026a"
    assert Verifier().verify(claims.canonical_bytes(), signature.kid, signature.value)


@pytest.mark.parametrize(
    "change",
    [
        {"number": "503/0043/DPMPTSP/XI/2026"},
        {"type_code": "SIP-NAKES"},
        {"holder": "CV Maju Jaya Abadi Baru"},
        {"object_summary": "Billboard 5 x 10 m, Jl. Pemuda No. 12, Sekayu, Semarang Tengah"},
        {"valid_from": dt.date(2026, 11, 28)},
        {"valid_until": dt.date(2028, 11, 28)},
        {"valid_until": None},
        {"issued_on": dt.date(2026, 11, 30)},
        {"issuer": "33.75"},
    ],
)
def test_changing_any_field_breaks_the_signature(claims, signing_key, change):
    signature = sign_claims(claims)
    tampered = dataclasses.replace(claims, **change)
    assert not Verifier().verify(tampered.canonical_bytes(), signature.kid, signature.value)


def test_a_flipped_signature_bit_or_wrong_length_is_invalid(claims, signing_key):
    signature = sign_claims(claims)
    flipped = bytes([signature.value[0] ^ 1]) + signature.value[1:]
    verifier = Verifier()
    assert not verifier.verify(claims.canonical_bytes(), signature.kid, flipped)
    assert not verifier.verify(claims.canonical_bytes(), signature.kid, signature.value[:63])


def test_unknown_key_id_is_invalid(claims, signing_key):
    signature = sign_claims(claims)
    assert not Verifier().verify(claims.canonical_bytes(), "2099z", signature.value)


def test_rotation_keeps_old_permits_valid_while_the_old_public_key_is_listed(claims, settings):
    old, new = generate_key(), generate_key()
    settings.PERMIT_SIGNING_KEYS = [{"kid": "2025a", "private_key": old}]
    old_signature = sign_claims(claims)
    assert old_signature.kid == "2025a"

    # Rotate: the new key signs; the old one is retired but its public half is still accepted.
    settings.PERMIT_SIGNING_KEYS = [{"kid": "2026a", "private_key": new}]
    settings.PERMIT_VERIFY_KEYS = [{"kid": "2025a", "public_key": public_key_b64(old)}]
    new_signature = sign_claims(claims)
    assert new_signature.kid == "2026a"
    verifier = Verifier()
    assert verifier.verify(claims.canonical_bytes(), "2025a", old_signature.value)
    assert verifier.verify(claims.canonical_bytes(), "2026a", new_signature.value)
    # Both keys may also be configured as signing keys at once: the first signs, both verify.
    settings.PERMIT_VERIFY_KEYS = []
    settings.PERMIT_SIGNING_KEYS = [{"kid": "2026a", "private_key": new}, {"kid": "2025a", "private_key": old}]
    assert sign_claims(claims).kid == "2026a"
    assert Verifier().verify(claims.canonical_bytes(), "2025a", old_signature.value)

    # Once the old key is withdrawn, permits signed with it no longer verify.
    settings.PERMIT_SIGNING_KEYS = [{"kid": "2026a", "private_key": new}]
    assert not Verifier().verify(claims.canonical_bytes(), "2025a", old_signature.value)


def test_signature_made_with_one_key_does_not_verify_under_another_kid(claims, settings):
    first, second = generate_key(), generate_key()
    settings.PERMIT_SIGNING_KEYS = [{"kid": "a1", "private_key": first}, {"kid": "b2", "private_key": second}]
    signature = sign_claims(claims)
    assert not Verifier().verify(claims.canonical_bytes(), "b2", signature.value)


def test_keys_may_be_given_as_pem(claims, settings):
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    settings.PERMIT_SIGNING_KEYS = [{"kid": "pem1", "private_key": pem}]
    signature = sign_claims(claims)
    only_public = Verifier(keys={})
    assert not only_public.verify(claims.canonical_bytes(), "pem1", signature.value)
    settings.PERMIT_SIGNING_KEYS = []
    settings.PERMIT_VERIFY_KEYS = [{"kid": "pem1", "public_key": public_key_pem(private)}]
    assert Verifier().verify(claims.canonical_bytes(), "pem1", signature.value)


def test_generated_key_round_trips_and_public_half_is_32_bytes():
    key = generate_key()
    assert load_private_key(key).public_key() is not None
    assert len(__import__("base64").b64decode(public_key_b64(key))) == 32


@pytest.mark.parametrize(
    ("signing", "verify", "message"),
    [
        ([{"kid": "a", "private_key": "not a key!"}], [], "base64"),
        ([{"kid": "a", "private_key": "AAAA"}], [], "32 bytes"),
        ([{"kid": "with space", "private_key": "x"}], [], "key id"),
        ([{"kid": "dev", "private_key": "x"}], [], "reserved"),
        ([], [{"kid": "a", "public_key": ""}], "empty"),
        ("not a list", [], "list"),
    ],
)
def test_malformed_key_settings_raise_a_clear_error(settings, signing, verify, message):
    settings.PERMIT_SIGNING_KEYS = signing
    settings.PERMIT_VERIFY_KEYS = verify
    with pytest.raises(SigningKeyError, match=message):
        keyring()


def test_one_kid_for_two_different_keys_is_refused(settings):
    settings.PERMIT_SIGNING_KEYS = [{"kid": "k1", "private_key": generate_key()}]
    settings.PERMIT_VERIFY_KEYS = [{"kid": "k1", "public_key": public_key_b64(generate_key())}]
    with pytest.raises(SigningKeyError, match="two different keys"):
        keyring()


def test_dev_key_is_derived_from_secret_key_and_stable(claims, settings):
    signer = get_signer()
    assert signer.key_id == DEV_KEY_ID
    signature = sign_claims(claims, signer)
    # Same SECRET_KEY (e.g. after a restart): still verifies.
    assert Verifier().verify(claims.canonical_bytes(), DEV_KEY_ID, signature.value)
    assert public_key_b64(derive_dev_key(settings.SECRET_KEY)) == public_key_b64(derive_dev_key(settings.SECRET_KEY))
    # Another SECRET_KEY is another key.
    settings.SECRET_KEY = "another-secret"
    assert not Verifier().verify(claims.canonical_bytes(), DEV_KEY_ID, signature.value)


def test_dev_key_is_not_accepted_once_real_keys_are_configured(claims, settings):
    dev_signature = sign_claims(claims)
    settings.PERMIT_SIGNING_KEYS = [{"kid": "2026a", "private_key": generate_key()}]
    assert DEV_KEY_ID not in Verifier().keys
    assert not Verifier().verify(claims.canonical_bytes(), DEV_KEY_ID, dev_signature.value)


class RecordingSigner:
    """Stands in for an external provider plugged in through PERMIT_SIGNER."""

    key_id = "bsre-2026"
    _key = Ed25519PrivateKey.generate()
    signed: list[bytes] = []

    def sign(self, data: bytes) -> bytes:
        self.signed.append(data)
        return self._key.sign(data)


def test_signer_is_pluggable_by_import_string(claims, settings):
    settings.PERMIT_SIGNER = f"{__name__}.RecordingSigner"
    settings.PERMIT_VERIFY_KEYS = [{"kid": "bsre-2026", "public_key": public_key_b64(RecordingSigner._key)}]
    signature = sign_claims(claims)
    assert signature.kid == "bsre-2026"
    assert RecordingSigner.signed[-1] == claims.canonical_bytes()
    assert Verifier().verify(claims.canonical_bytes(), "bsre-2026", signature.value)
    assert not isinstance(get_signer(), LocalEd25519Signer)


def test_a_signer_returning_garbage_is_refused(claims):
    class Broken:
        key_id = "x1"

        def sign(self, data):
            return b"short"

    with pytest.raises(ImproperlyConfigured):
        sign_claims(claims, Broken())


def test_system_check_warns_about_the_dev_key_only_in_production(settings):
    settings.DEBUG = False
    assert [m.id for m in check_signing_keys()] == ["permits.W001"]
    settings.DEBUG = True
    assert check_signing_keys() == []


def test_system_check_is_quiet_with_a_real_key_and_reports_bad_ones(settings, signing_key):
    settings.DEBUG = False
    assert check_signing_keys() == []
    settings.PERMIT_SIGNING_KEYS = [{"kid": "2026a", "private_key": "garbage!"}]
    assert [m.id for m in check_signing_keys()] == ["permits.E001"]


def test_system_check_flags_local_signer_without_signing_key(settings):
    settings.PERMIT_VERIFY_KEYS = [{"kid": "old", "public_key": public_key_b64(generate_key())}]
    assert [m.id for m in check_signing_keys()] == ["permits.E002"]
    with pytest.raises(ImproperlyConfigured):
        get_signer()
