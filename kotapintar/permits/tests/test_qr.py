import base64
import dataclasses
import zlib

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from kotapintar.permits import qr
from kotapintar.permits.qr import InvalidToken, decode_token, encode_token, make_token
from kotapintar.permits.signing import MAX_LENGTHS, PermitClaims, Verifier
from kotapintar.permits.tests.qrdecode import decode_matrix
from kotapintar.permits.verification import CheckReason, check_token

FUZZ = hsettings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _blob(token: str) -> bytes:
    return base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))


def _token(blob: bytes) -> str:
    return base64.urlsafe_b64encode(blob).rstrip(b"=").decode()


def _decode_or_none(token: str):
    """decode_token's only allowed failure is InvalidToken; whatever it accepts is permit data."""
    try:
        decoded = decode_token(token)
    except InvalidToken:
        return None
    assert isinstance(decoded.claims, PermitClaims) and len(decoded.signature) == 64
    return decoded


def test_token_round_trip_carries_data_kid_and_signature(claims, signing_key):
    token = make_token(claims)
    data, kid, signature = decode_token(token)
    assert data == claims.canonical_bytes()
    assert kid == "2026a"
    assert Verifier().verify(data, kid, signature)
    assert decode_token(token).claims == claims
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_token_is_compressed_below_the_raw_payload(claims, signing_key):
    token = make_token(claims)
    raw_size = 2 + len("2026a") + 64 + len(claims.canonical_bytes())
    assert len(_blob(token)) < raw_size - 60


def test_verify_url_uses_the_configured_base(claims, settings):
    token = make_token(claims)
    assert qr.verify_url(token) == f"https://izin.semarangkota.go.id/verify/{token}/"
    assert qr.verify_url(token, "http://localhost:8000/") == f"http://localhost:8000/verify/{token}/"
    settings.PERMIT_VERIFY_BASE_URL = ""
    assert qr.verify_url(token).startswith("http://127.0.0.1:8000/verify/")
    assert qr.token_from_text(f"  https://izin.semarangkota.go.id/verify/{token}/?utm=x ") == token
    assert qr.token_from_text(token) == token


def test_qr_decodes_to_the_verify_url_at_error_correction_m_or_better(claims):
    url = qr.verify_url(make_token(claims))
    code = qr.make_qr(url)
    assert decode_matrix(code.matrix) == url
    assert code.error in ("M", "Q", "H")


def test_largest_permitted_data_still_fits_a_scannable_qr(claims):
    # Every field at its limit, with text that compresses badly: the QR must stay within
    # version 20 (97 modules), about 0.4 mm a module in the 40 mm square of the PDF.
    import random
    import string

    rnd = random.Random(7)

    def noise(n):
        return "".join(rnd.choice(string.ascii_letters + string.digits) for _ in range(n))

    biggest = PermitClaims(
        number=noise(MAX_LENGTHS["num"]),
        type_code=noise(MAX_LENGTHS["type"]),
        holder=noise(MAX_LENGTHS["holder"]),
        object_summary=noise(MAX_LENGTHS["object"]),
        valid_from=claims.valid_from,
        valid_until=claims.valid_until,
        issued_on=claims.issued_on,
        issuer=noise(MAX_LENGTHS["issuer"]),
    )
    url = qr.verify_url(make_token(biggest), "https://perizinan.kabupatenmalukubaratdaya.go.id")
    code = qr.make_qr(url)
    assert code.version <= 20
    assert decode_matrix(code.matrix) == url


def test_png_and_svg_renderings(claims):
    url = qr.verify_url(make_token(claims))
    assert qr.qr_png(url).startswith(b"\x89PNG\r\n\x1a\n")
    svg = qr.qr_svg(url, title="Kode verifikasi")
    assert svg.startswith("<svg") and "<title>Kode verifikasi</title>" in svg


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "abc",
        "%%%",
        "A" * 2000,
        "AQ",  # version byte only
        "!not-base64!",
        "AQUyMDI2YQ",  # header but no signature
    ],
)
def test_malformed_tokens_raise_invalid_token(bad):
    with pytest.raises(InvalidToken):
        decode_token(bad)


def test_wrong_version_kid_junk_and_truncation_are_refused(claims, signing_key):
    blob = _blob(make_token(claims))
    with pytest.raises(InvalidToken, match="version"):
        decode_token(_token(b"\x02" + blob[1:]))
    with pytest.raises(InvalidToken):
        decode_token(_token(blob[:-3]))  # truncated DEFLATE stream
    with pytest.raises(InvalidToken, match="junk"):
        decode_token(_token(blob + b"\x00"))
    with pytest.raises(InvalidToken, match="key id"):
        decode_token(_token(blob[:2] + b"20 6a" + blob[7:]))


def test_non_canonical_base64_variant_is_refused(claims):
    token = make_token(claims)
    # The last character carries unused low bits when the length is not a multiple of 3;
    # flipping them decodes to the same bytes, so find such a variant and expect refusal.
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    variants = [token[:-1] + ch for ch in alphabet if ch != token[-1] and _blob(token[:-1] + ch) == _blob(token)]
    if len(_blob(token)) % 3 == 0:
        assert variants == []
    for variant in variants:
        with pytest.raises(InvalidToken):
            decode_token(variant)


def test_decompression_bomb_is_refused():
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15, 9, zlib.Z_DEFAULT_STRATEGY, qr.ZDICT_V1)
    bomb = compressor.compress(b"{" + b" " * 100_000) + compressor.flush()
    with pytest.raises(InvalidToken, match="too long"):
        decode_token(_token(b"\x01\x03dev" + bytes(64) + bomb))


def test_well_formed_but_not_permit_data_is_refused():
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15, 9, zlib.Z_DEFAULT_STRATEGY, qr.ZDICT_V1)
    packed = compressor.compress(b'{"hello":"world"}') + compressor.flush()
    with pytest.raises(InvalidToken, match="not permit data"):
        decode_token(_token(b"\x01\x03dev" + bytes(64) + packed))


def test_encode_token_refuses_bad_inputs(claims):
    with pytest.raises(ValueError):
        encode_token(claims.canonical_bytes(), "bad kid", bytes(64))
    with pytest.raises(ValueError):
        encode_token(claims.canonical_bytes(), "k1", bytes(10))


@FUZZ
@given(st.text(max_size=400))
def test_fuzz_any_text_decodes_or_raises_invalid_token(text):
    _decode_or_none(text)
    assert not check_token(text).authentic  # and the verify page just says "not valid"


@FUZZ
@given(st.binary(max_size=400))
def test_fuzz_any_blob_decodes_or_raises_invalid_token(blob):
    _decode_or_none(_token(blob))


@FUZZ
@given(data=st.data())
def test_fuzz_mutated_real_token_never_verifies_and_never_errors(claims, data):
    token = make_token(claims)
    blob = bytearray(_blob(token))
    position = data.draw(st.integers(0, len(blob) - 1))
    xor = data.draw(st.integers(1, 255))
    blob[position] ^= xor
    mutated = _token(bytes(blob))
    _decode_or_none(mutated)
    result = check_token(mutated)
    if result.authentic:
        # DEFLATE has a few don't-care bits (the padding after the last block): flipping one gives
        # another spelling of the same stream. Whatever is shown is still exactly what was signed.
        assert decode_token(mutated) == decode_token(token)
    else:
        assert result.reason in (CheckReason.MALFORMED, CheckReason.UNKNOWN_KEY, CheckReason.BAD_SIGNATURE)


def test_changing_the_signed_data_inside_a_token_is_not_authentic(claims):
    _data, kid, signature = decode_token(make_token(claims))
    forged = dataclasses.replace(claims, valid_until=claims.valid_until.replace(year=2030))
    result = check_token(encode_token(forged.canonical_bytes(), kid, signature))
    assert not result.authentic
    assert result.reason == CheckReason.BAD_SIGNATURE
    assert result.claims is None


@FUZZ
@given(
    holder=st.text(
        alphabet=st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=MAX_LENGTHS["holder"]
    ).filter(lambda s: s.strip())
)
def test_fuzz_any_printable_holder_round_trips(claims, holder):
    permit = dataclasses.replace(claims, holder=holder)
    result = check_token(make_token(permit))
    assert result.authentic
    assert result.claims == permit
