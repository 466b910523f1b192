"""Signing a permit's canonical data with Ed25519, and checking such signatures.

What is signed (the exact format, also in docs/permits-signing.md): a small JSON object,

    {"from":"2026-11-29","holder":"CV Maju Jaya","issued":"2026-11-29","issuer":"33.74",
     "num":"503/0042/DPMPTSP/XI/2026","object":"Billboard 4 x 6 m, Jl. Pemuda No. 12",
     "type":"REKLAME","until":"2027-11-28","v":1}

serialised as UTF-8 with the keys sorted by code point, no whitespace at all (separators
`,` and `:`), non-ASCII characters written as themselves (no \\u escapes), dates as ISO
`YYYY-MM-DD`, `until` = null for a permit without an end date, and `v` = 1 (format
version). Strings are NFC-normalised and stripped and may not contain control characters,
so the only escapes that can appear are `\\"` and `\\\\`. The signature is Ed25519 over
exactly those bytes (no prefix, no hash).

Who signs: `settings.PERMIT_SIGNER`, an import string naming a class that is instantiated
without arguments and provides the `Signer` protocol (`key_id`, `sign(data) -> bytes`). The
default `LocalEd25519Signer` uses the first key of `settings.PERMIT_SIGNING_KEYS`. A
certified provider (BSrE/BSSN) plugs in by naming its own class there; its public key(s)
are then listed in `settings.PERMIT_VERIFY_KEYS` so the verifier accepts them.

Who verifies: `Verifier` holds every accepted public key by key id: the public halves of
all PERMIT_SIGNING_KEYS plus PERMIT_VERIFY_KEYS (retired keys still accepted, or keys of
an external signer). A permit signed with an old key keeps verifying after rotation for as
long as its public key stays listed.

Embedded/demo mode: with no key configured at all, a stable development key is derived
from SECRET_KEY (HKDF-SHA256) with key id "dev". It is NOT a secret worth the name in
production; `check_signing_keys` warns when it is in use with DEBUG off.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import functools
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.checks import Error, Warning
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

FORMAT_VERSION = 1
DEV_KEY_ID = "dev"
DEFAULT_SIGNER = "kotapintar.permits.signing.LocalEd25519Signer"
SIGNATURE_LENGTH = 64

# Key ids travel inside the QR code: short, printable, unambiguous.
KEY_ID_RE = re.compile(r"^[A-Za-z0-9._-]{1,32}$")

# Upper bounds keep the QR code small enough to scan reliably (see qr.py for the figures).
MAX_LENGTHS = {"num": 64, "type": 32, "holder": 100, "object": 120, "issuer": 16}
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_KEYS = frozenset({"v", "num", "type", "holder", "object", "from", "until", "issued", "issuer"})


class ClaimsError(ValueError):
    """The permit data cannot be put into canonical form (a programming or data error)."""


class SigningKeyError(ImproperlyConfigured):
    """A key in PERMIT_SIGNING_KEYS / PERMIT_VERIFY_KEYS is malformed."""


def _clean_text(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ClaimsError(f"{name} must be a string")
    text = unicodedata.normalize("NFC", value).strip()
    if not text:
        raise ClaimsError(f"{name} must not be empty")
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in text):
        raise ClaimsError(f"{name} must not contain control characters")
    if len(text) > MAX_LENGTHS[name]:
        raise ClaimsError(f"{name} is longer than {MAX_LENGTHS[name]} characters")
    return text


def _parse_date(name: str, value: Any) -> dt.date:
    if not isinstance(value, str) or not _DATE_RE.match(value):
        raise ClaimsError(f"{name} must be an ISO date YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ClaimsError(f"{name} is not a calendar date") from exc


@dataclass(frozen=True)
class PermitClaims:
    """The facts about an issued permit that the city vouches for with its signature."""

    number: str
    type_code: str
    holder: str  # exactly as printed on the permit
    object_summary: str  # e.g. "Billboard 4 x 6 m, Jl. Pemuda No. 12, Sekayu"
    valid_from: dt.date
    valid_until: dt.date | None  # None: no end date (e.g. PBG)
    issued_on: dt.date
    issuer: str  # Kemendagri code of the issuing kota/kabupaten, e.g. "33.74"

    def __post_init__(self) -> None:
        for attr, key in (
            ("number", "num"),
            ("type_code", "type"),
            ("holder", "holder"),
            ("object_summary", "object"),
            ("issuer", "issuer"),
        ):
            object.__setattr__(self, attr, _clean_text(key, getattr(self, attr)))
        for attr in ("valid_from", "issued_on"):
            value = getattr(self, attr)
            if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
                raise ClaimsError(f"{attr} must be a date")
        if self.valid_until is not None:
            if isinstance(self.valid_until, dt.datetime) or not isinstance(self.valid_until, dt.date):
                raise ClaimsError("valid_until must be a date or None")
            if self.valid_until < self.valid_from:
                raise ClaimsError("valid_until is before valid_from")

    def to_dict(self) -> dict[str, Any]:
        return {
            "v": FORMAT_VERSION,
            "num": self.number,
            "type": self.type_code,
            "holder": self.holder,
            "object": self.object_summary,
            "from": self.valid_from.isoformat(),
            "until": self.valid_until.isoformat() if self.valid_until else None,
            "issued": self.issued_on.isoformat(),
            "issuer": self.issuer,
        }

    def canonical_bytes(self) -> bytes:
        return canonical_json(self.to_dict())

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PermitClaims:
        if not isinstance(data, Mapping) or set(data) != _KEYS:
            raise ClaimsError("unexpected set of fields")
        if data["v"] != FORMAT_VERSION or isinstance(data["v"], bool):
            raise ClaimsError("unsupported format version")
        until = data["until"]
        return cls(
            number=data["num"],
            type_code=data["type"],
            holder=data["holder"],
            object_summary=data["object"],
            valid_from=_parse_date("from", data["from"]),
            valid_until=None if until is None else _parse_date("until", until),
            issued_on=_parse_date("issued", data["issued"]),
            issuer=data["issuer"],
        )

    @classmethod
    def from_canonical(cls, data: bytes) -> PermitClaims:
        """Parse signed bytes; refuses anything that is not byte-for-byte canonical."""
        try:
            parsed = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise ClaimsError("not UTF-8 JSON") from exc
        claims = cls.from_dict(parsed)
        if claims.canonical_bytes() != data:
            raise ClaimsError("not in canonical form")
        return claims


def canonical_json(data: Mapping[str, Any]) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")


# --- keys -----------------------------------------------------------------------------


def generate_key() -> str:
    """A new private key as base64 of its raw 32 bytes, the form PERMIT_SIGNING_KEYS takes."""
    raw = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return base64.b64encode(raw).decode("ascii")


def _b64decode(text: str) -> bytes:
    text = "".join(text.split())
    padded = text + "=" * (-len(text) % 4)
    try:
        if "-" in text or "_" in text:
            return base64.urlsafe_b64decode(padded)
        return base64.b64decode(padded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise SigningKeyError("key is neither PEM nor base64") from exc


def load_private_key(text: str) -> Ed25519PrivateKey:
    """A private key from PEM (PKCS#8) or base64 of the raw 32-byte seed."""
    if not isinstance(text, str) or not text.strip():
        raise SigningKeyError("empty private key")
    if "-----BEGIN" in text:
        try:
            key = serialization.load_pem_private_key(text.encode("ascii"), password=None)
        except (ValueError, TypeError) as exc:
            raise SigningKeyError("unreadable PEM private key") from exc
        if not isinstance(key, Ed25519PrivateKey):
            raise SigningKeyError("PEM private key is not an Ed25519 key")
        return key
    raw = _b64decode(text)
    if len(raw) != 32:
        raise SigningKeyError("a raw Ed25519 private key is 32 bytes")
    return Ed25519PrivateKey.from_private_bytes(raw)


def load_public_key(text: str) -> Ed25519PublicKey:
    """A public key from PEM (SubjectPublicKeyInfo) or base64 of the raw 32 bytes."""
    if not isinstance(text, str) or not text.strip():
        raise SigningKeyError("empty public key")
    if "-----BEGIN" in text:
        try:
            key = serialization.load_pem_public_key(text.encode("ascii"))
        except (ValueError, TypeError) as exc:
            raise SigningKeyError("unreadable PEM public key") from exc
        if not isinstance(key, Ed25519PublicKey):
            raise SigningKeyError("PEM public key is not an Ed25519 key")
        return key
    raw = _b64decode(text)
    if len(raw) != 32:
        raise SigningKeyError("a raw Ed25519 public key is 32 bytes")
    return Ed25519PublicKey.from_public_bytes(raw)


def public_key_b64(key: Ed25519PrivateKey | Ed25519PublicKey | str) -> str:
    """The public half, as base64 of the raw 32 bytes (what you publish and put in PERMIT_VERIFY_KEYS)."""
    if isinstance(key, str):
        key = load_private_key(key)
    if isinstance(key, Ed25519PrivateKey):
        key = key.public_key()
    return base64.b64encode(key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)).decode()


def public_key_pem(key: Ed25519PrivateKey | Ed25519PublicKey | str) -> str:
    if isinstance(key, str):
        key = load_private_key(key)
    if isinstance(key, Ed25519PrivateKey):
        key = key.public_key()
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def derive_dev_key(secret_key: str) -> Ed25519PrivateKey:
    """The embedded-mode key: stable for a given SECRET_KEY, so demo permits keep verifying across restarts."""
    seed = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"kotapintar.permits.signing", info=b"dev-ed25519-v1"
    ).derive(secret_key.encode("utf-8"))
    return Ed25519PrivateKey.from_private_bytes(seed)


def _check_kid(kid: Any, setting: str) -> str:
    if not isinstance(kid, str) or not KEY_ID_RE.match(kid):
        raise SigningKeyError(f"{setting}: key id {kid!r} must be 1-32 characters of A-Z a-z 0-9 . _ -")
    if kid == DEV_KEY_ID:
        raise SigningKeyError(f'{setting}: the key id "{DEV_KEY_ID}" is reserved for the derived development key')
    return kid


def _entries(value: Any, setting: str) -> list[Mapping[str, Any]]:
    if value in (None, ""):
        return []
    if not isinstance(value, list | tuple) or not all(isinstance(item, Mapping) for item in value):
        raise SigningKeyError(f"{setting} must be a list of objects")
    return list(value)


@dataclass(frozen=True)
class KeyRing:
    """Every key this instance knows, parsed once from settings."""

    signing: tuple[tuple[str, Ed25519PrivateKey], ...]  # first = active
    verifying: Mapping[str, Ed25519PublicKey]
    dev_mode: bool


@functools.lru_cache(maxsize=8)
def _build_keyring(signing_json: str, verify_json: str, secret_key: str) -> KeyRing:
    signing_entries = _entries(json.loads(signing_json), "PERMIT_SIGNING_KEYS")
    verify_entries = _entries(json.loads(verify_json), "PERMIT_VERIFY_KEYS")
    signing: list[tuple[str, Ed25519PrivateKey]] = []
    verifying: dict[str, Ed25519PublicKey] = {}
    raw_public: dict[str, bytes] = {}

    def accept(kid: str, public: Ed25519PublicKey, setting: str) -> None:
        raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        if kid in raw_public and raw_public[kid] != raw:
            raise SigningKeyError(f"{setting}: key id {kid!r} is used for two different keys")
        raw_public[kid] = raw
        verifying[kid] = public

    for entry in signing_entries:
        kid = _check_kid(entry.get("kid"), "PERMIT_SIGNING_KEYS")
        if any(kid == seen for seen, _ in signing):
            raise SigningKeyError(f"PERMIT_SIGNING_KEYS: key id {kid!r} appears twice")
        private = load_private_key(entry.get("private_key", ""))
        signing.append((kid, private))
        accept(kid, private.public_key(), "PERMIT_SIGNING_KEYS")
    for entry in verify_entries:
        kid = _check_kid(entry.get("kid"), "PERMIT_VERIFY_KEYS")
        accept(kid, load_public_key(entry.get("public_key", "")), "PERMIT_VERIFY_KEYS")

    dev_mode = not signing_entries and not verify_entries
    if dev_mode:
        dev = derive_dev_key(secret_key)
        signing.append((DEV_KEY_ID, dev))
        verifying[DEV_KEY_ID] = dev.public_key()
    return KeyRing(signing=tuple(signing), verifying=verifying, dev_mode=dev_mode)


def keyring() -> KeyRing:
    """The keys of the current settings (parsed once per distinct configuration)."""
    return _build_keyring(
        json.dumps(getattr(settings, "PERMIT_SIGNING_KEYS", None) or [], sort_keys=True),
        json.dumps(getattr(settings, "PERMIT_VERIFY_KEYS", None) or [], sort_keys=True),
        settings.SECRET_KEY,
    )


# --- signer ---------------------------------------------------------------------------


@runtime_checkable
class Signer(Protocol):
    """Anything that can sign permit data. A BSrE/BSSN client implements this same shape."""

    key_id: str

    def sign(self, data: bytes) -> bytes:
        """Return a 64-byte Ed25519 signature over `data`."""
        ...


class LocalEd25519Signer:
    """Signs with a private key held by this server (the first of PERMIT_SIGNING_KEYS, or the dev key)."""

    def __init__(self, private_key: Ed25519PrivateKey | None = None, key_id: str | None = None):
        if private_key is None:
            ring = keyring()
            if not ring.signing:
                raise ImproperlyConfigured(
                    "LocalEd25519Signer needs a key in PERMIT_SIGNING_KEYS (only verify keys are configured)"
                )
            key_id, private_key = ring.signing[0]
        if key_id is None:
            raise ImproperlyConfigured("LocalEd25519Signer needs a key id with an explicit key")
        self.key_id = key_id
        self._key = private_key

    def sign(self, data: bytes) -> bytes:
        return self._key.sign(data)

    def public_key(self) -> Ed25519PublicKey:
        return self._key.public_key()


def get_signer() -> Signer:
    """The signer named by settings.PERMIT_SIGNER, instantiated without arguments."""
    path = getattr(settings, "PERMIT_SIGNER", "") or DEFAULT_SIGNER
    signer = import_string(path)()
    if not isinstance(signer, Signer):
        raise ImproperlyConfigured(f"PERMIT_SIGNER {path!r} does not provide key_id and sign(data)")
    return signer


@dataclass(frozen=True)
class Signature:
    kid: str
    value: bytes


def sign_claims(claims: PermitClaims, signer: Signer | None = None) -> Signature:
    signer = signer or get_signer()
    value = signer.sign(claims.canonical_bytes())
    if not isinstance(value, bytes) or len(value) != SIGNATURE_LENGTH:
        raise ImproperlyConfigured("the permit signer returned something other than a 64-byte Ed25519 signature")
    if not isinstance(signer.key_id, str) or not KEY_ID_RE.match(signer.key_id):
        raise ImproperlyConfigured(f"the permit signer's key id {signer.key_id!r} is not a valid key id")
    return Signature(kid=signer.key_id, value=value)


# --- verifier -------------------------------------------------------------------------


class Verifier:
    """Checks signatures against every accepted public key, chosen by key id."""

    def __init__(self, keys: Mapping[str, Ed25519PublicKey] | None = None):
        self.keys: Mapping[str, Ed25519PublicKey] = dict(keyring().verifying if keys is None else keys)

    @property
    def key_ids(self) -> Iterable[str]:
        return tuple(self.keys)

    def verify(self, data: bytes, kid: str, signature: bytes) -> bool:
        """True only when `kid` is known and `signature` is its valid signature over `data`."""
        key = self.keys.get(kid)
        if key is None or not isinstance(signature, bytes) or len(signature) != SIGNATURE_LENGTH:
            return False
        try:
            key.verify(signature, data)
        except InvalidSignature:
            return False
        return True


def get_verifier() -> Verifier:
    return Verifier()


# --- system check ---------------------------------------------------------------------


def check_signing_keys(app_configs=None, **kwargs) -> list:
    """Django system check (registered by the permits app): keys parse; the dev key is not used in production."""
    try:
        ring = keyring()
    except (SigningKeyError, ValueError) as exc:
        return [
            Error(
                f"Permit signing keys are misconfigured: {exc}",
                hint="Fix PERMIT_SIGNING_KEYS / PERMIT_VERIFY_KEYS; see docs/permits-signing.md.",
                id="permits.E001",
            )
        ]
    messages: list = []
    signer_path = getattr(settings, "PERMIT_SIGNER", "") or DEFAULT_SIGNER
    if signer_path == DEFAULT_SIGNER and not ring.signing:
        messages.append(
            Error(
                "PERMIT_SIGNER is the local signer but PERMIT_SIGNING_KEYS is empty.",
                hint="Add a signing key, or name an external signer in PERMIT_SIGNER.",
                id="permits.E002",
            )
        )
    if ring.dev_mode and signer_path == DEFAULT_SIGNER and not settings.DEBUG:
        messages.append(
            Warning(
                "Permits are signed with the development key derived from SECRET_KEY.",
                hint=(
                    "Generate a real key (see docs/permits-signing.md) and set PERMIT_SIGNING_KEYS; "
                    "publish its public half."
                ),
                id="permits.W001",
            )
        )
    return messages
