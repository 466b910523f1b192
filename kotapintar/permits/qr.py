"""The verification code printed as a QR on every permit, and the QR itself.

The QR holds a URL `<PERMIT_VERIFY_BASE_URL>/verify/<token>/`. The token carries everything
an offline checker needs besides the city's public key: the signed canonical data, the key
id and the signature. Token format v1 (base64url without padding, of):

    byte 0        token format version = 1
    byte 1        L = length of the key id (1..32)
    bytes 2..     key id, L ASCII bytes
    next 64       Ed25519 signature over the canonical data
    rest          the canonical data (see signing.py), raw DEFLATE (RFC 1951, no zlib
                  header) with the preset dictionary ZDICT_V1 below

The preset dictionary holds the JSON skeleton and words common in permit data; it is part
of the format (scripts/verify_permit_offline.py carries a copy). A future format that
changes it gets a new version byte, and decoders keep the old dictionary for old tokens.

Sizes (measured by bench/bench_permit_pdf.py and the tests): a typical billboard permit
gives a token of about 290 characters and a URL of about 330, which is a version 13-14 QR
(69-73 modules) at error correction M; printed 40 mm wide that is about 0.5 mm a module,
comfortably read by phone cameras. The field length limits in signing.MAX_LENGTHS bound
the worst case.
"""

from __future__ import annotations

import base64
import binascii
import io
import re
import zlib
from typing import NamedTuple

import segno
from django.conf import settings

from kotapintar.permits.signing import (
    KEY_ID_RE,
    SIGNATURE_LENGTH,
    ClaimsError,
    PermitClaims,
    Signer,
    sign_claims,
)

TOKEN_VERSION = 1
MAX_TOKEN_CHARS = 1024  # a token longer than this was not made here; refuse before decoding
MAX_DATA_BYTES = 1024  # canonical data is far smaller (bounded by signing.MAX_LENGTHS)
QR_ERROR = "m"
DEFAULT_VERIFY_BASE_URL = "http://127.0.0.1:8000"  # `make run`; production sets PERMIT_VERIFY_BASE_URL

ZDICT_V1 = (
    b"Jl. No. RT RW Gg. Blok Kav. Kelurahan Kecamatan Kota Kabupaten Jalan Raya Perumahan "
    b"lantai unit luas m2 x m, ukuran Reklame Billboard Baliho Videotron Papan Nama Neon Box "
    b"Praktik Dokter Bidan Perawat Apoteker Klinik Apotek Rumah Sakit Puskesmas Rumah Tinggal "
    b"Toko Kantor Gudang Ruko Bangunan Usaha Restoran PT CV UD Koperasi Yayasan dr. Sp. S.H. "
    b"PBG SLF SIP REKLAME DPMPTSP DINKES DISTARU /I/II/III/IV/V/VI/VII/VIII/IX/X/XI/XII/20"
    b'{"from":"20","holder":"","issued":"20","issuer":"","num":"","object":"","type":"",'
    b'"until":null,"until":"20","v":1}'
)

_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]+$")


class InvalidToken(ValueError):
    """The code is not a permit token made by this platform (malformed, truncated or tampered)."""


class DecodedToken(NamedTuple):
    data: bytes  # the canonical bytes that were signed
    kid: str
    signature: bytes

    @property
    def claims(self) -> PermitClaims:
        return PermitClaims.from_canonical(self.data)


def _compress(data: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15, 9, zlib.Z_DEFAULT_STRATEGY, ZDICT_V1)
    return compressor.compress(data) + compressor.flush()


def _decompress(payload: bytes) -> bytes:
    decompressor = zlib.decompressobj(-15, zdict=ZDICT_V1)
    try:
        data = decompressor.decompress(payload, MAX_DATA_BYTES + 1)
    except zlib.error as exc:
        raise InvalidToken("the data is not valid DEFLATE") from exc
    if len(data) > MAX_DATA_BYTES or decompressor.unconsumed_tail:
        raise InvalidToken("the data is too long")
    if not decompressor.eof or decompressor.unused_data:
        raise InvalidToken("the data is truncated or followed by junk")
    return data


def encode_token(data: bytes, kid: str, signature: bytes) -> str:
    """Pack signed canonical data, its key id and signature into a URL-safe token."""
    if not isinstance(kid, str) or not KEY_ID_RE.match(kid):
        raise ValueError(f"invalid key id {kid!r}")
    if len(signature) != SIGNATURE_LENGTH:
        raise ValueError("an Ed25519 signature is 64 bytes")
    if len(data) > MAX_DATA_BYTES:
        raise ValueError("canonical data too long")
    kid_bytes = kid.encode("ascii")
    blob = bytes([TOKEN_VERSION, len(kid_bytes)]) + kid_bytes + signature + _compress(data)
    return base64.urlsafe_b64encode(blob).rstrip(b"=").decode("ascii")


def decode_token(token: str) -> DecodedToken:
    """Unpack a token into (data, kid, signature). Raises InvalidToken for anything else.

    It checks the shape and that the data is canonical permit data, NOT the signature:
    that is the verifier's job (see verification.check_token).
    """
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_CHARS or not _TOKEN_RE.match(token):
        raise InvalidToken("not a permit token")
    try:
        blob = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError) as exc:
        raise InvalidToken("not base64url") from exc
    # One token per signed permit: refuse the variants base64 would silently accept.
    if base64.urlsafe_b64encode(blob).rstrip(b"=").decode("ascii") != token:
        raise InvalidToken("not canonical base64url")
    if len(blob) < 2 or blob[0] != TOKEN_VERSION:
        raise InvalidToken("unknown token version")
    kid_len = blob[1]
    header_end = 2 + kid_len
    if not 1 <= kid_len <= 32 or len(blob) <= header_end + SIGNATURE_LENGTH:
        raise InvalidToken("truncated token")
    try:
        kid = blob[2:header_end].decode("ascii")
    except UnicodeDecodeError as exc:
        raise InvalidToken("invalid key id") from exc
    if not KEY_ID_RE.match(kid):
        raise InvalidToken("invalid key id")
    signature = blob[header_end : header_end + SIGNATURE_LENGTH]
    data = _decompress(blob[header_end + SIGNATURE_LENGTH :])
    try:
        PermitClaims.from_canonical(data)
    except ClaimsError as exc:
        raise InvalidToken(f"not permit data: {exc}") from exc
    return DecodedToken(data=data, kid=kid, signature=signature)


def make_token(claims: PermitClaims, signer: Signer | None = None) -> str:
    """Sign the claims (with settings.PERMIT_SIGNER unless given) and pack them into a token."""
    signature = sign_claims(claims, signer)
    return encode_token(claims.canonical_bytes(), signature.kid, signature.value)


def verify_url(token: str, base_url: str | None = None) -> str:
    """The public verification URL the QR opens: `<base>/verify/<token>/`."""
    base = base_url or getattr(settings, "PERMIT_VERIFY_BASE_URL", "") or DEFAULT_VERIFY_BASE_URL
    return f"{base.rstrip('/')}/verify/{token}/"


def token_from_text(text: str) -> str:
    """The token inside a scanned verify URL (or the text itself if it is a bare token)."""
    text = text.strip()
    match = re.search(r"/verify/([A-Za-z0-9_-]+)/?(?:[?#].*)?$", text)
    return match.group(1) if match else text


def make_qr(url: str) -> segno.QRCode:
    """A QR code for `url` at error correction M (segno raises it for free when the symbol has room)."""
    return segno.make(url, error=QR_ERROR, micro=False)


def qr_png(url: str, *, scale: int = 4, border: int = 4) -> bytes:
    out = io.BytesIO()
    make_qr(url).save(out, kind="png", scale=scale, border=border)
    return out.getvalue()


def qr_svg(url: str, *, scale: int = 4, border: int = 4, title: str | None = None) -> str:
    """Inline SVG (no XML declaration) for the verification page or an HTML preview."""
    out = io.BytesIO()
    make_qr(url).save(out, kind="svg", scale=scale, border=border, xmldecl=False, svgns=True, title=title)
    return out.getvalue().decode("utf-8")
