#!/usr/bin/env python3
"""Check a Kota Pintar permit offline, with only the city's published public key.

    python verify_permit_offline.py "https://kota.example.go.id/verify/AQU.../" --key PUBLIC_KEY

PUBLIC_KEY is the base64 of the raw 32-byte Ed25519 public key, or a file holding it (base64
or PEM). Give --key several times to accept any of the city's published keys. Prints VALID
or INVALID with the permit data; exits 0 when valid, 1 when not, 2 on a usage error.

Needs Python 3.9+ and the `cryptography` package, nothing else (this file does not import
the platform). The token format is described in docs/permits-signing.md.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import datetime as dt
import json
import re
import sys
import zlib
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key

# Must stay byte-identical to kotapintar/permits/qr.py (token format version 1).
ZDICT_V1 = (
    b"Jl. No. RT RW Gg. Blok Kav. Kelurahan Kecamatan Kota Kabupaten Jalan Raya Perumahan "
    b"lantai unit luas m2 x m, ukuran Reklame Billboard Baliho Videotron Papan Nama Neon Box "
    b"Praktik Dokter Bidan Perawat Apoteker Klinik Apotek Rumah Sakit Puskesmas Rumah Tinggal "
    b"Toko Kantor Gudang Ruko Bangunan Usaha Restoran PT CV UD Koperasi Yayasan dr. Sp. S.H. "
    b"PBG SLF SIP REKLAME DPMPTSP DINKES DISTARU /I/II/III/IV/V/VI/VII/VIII/IX/X/XI/XII/20"
    b'{"from":"20","holder":"","issued":"20","issuer":"","num":"","object":"","type":"",'
    b'"until":null,"until":"20","v":1}'
)
LABELS = {
    "num": "Permit number",
    "type": "Type",
    "holder": "Holder",
    "object": "Object",
    "from": "Valid from",
    "until": "Valid until",
    "issued": "Issued on",
    "issuer": "Issuer (area code)",
}


def load_key(text: str) -> Ed25519PublicKey:
    path = Path(text)
    if len(text) < 200 and path.is_file():
        text = path.read_text().strip()
    if "-----BEGIN" in text:
        key = load_pem_public_key(text.encode())
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("the PEM key is not an Ed25519 public key")
        return key
    return Ed25519PublicKey.from_public_bytes(base64.b64decode(text + "=" * (-len(text) % 4)))


def decode(token: str) -> tuple[str, bytes, bytes]:
    """(key id, signature, signed data) from a token; ValueError if it is malformed."""
    match = re.search(r"/verify/([A-Za-z0-9_-]+)/?(?:[?#].*)?$", token.strip())
    token = match.group(1) if match else token.strip()
    try:
        blob = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ValueError("not base64url") from exc
    if len(blob) < 2 or blob[0] != 1:
        raise ValueError("unknown token version")
    end = 2 + blob[1]
    kid, signature, packed = blob[2:end].decode("ascii", "replace"), blob[end : end + 64], blob[end + 64 :]
    if len(signature) != 64:
        raise ValueError("truncated token")
    inflater = zlib.decompressobj(-15, zdict=ZDICT_V1)
    try:
        data = inflater.decompress(packed, 4096)
    except zlib.error as exc:
        raise ValueError("damaged data") from exc
    if not inflater.eof or inflater.unconsumed_tail or inflater.unused_data:
        raise ValueError("damaged data")
    return kid, signature, data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Check a Kota Pintar permit offline.")
    parser.add_argument("token", help="the URL in the permit's QR code, or just its token")
    parser.add_argument("--key", action="append", required=True, help="public key (base64, or a file: base64/PEM)")
    args = parser.parse_args(argv)
    try:
        keys = [load_key(k) for k in args.key]
    except (ValueError, OSError) as exc:
        print(f"cannot read the public key: {exc}", file=sys.stderr)
        return 2
    try:
        kid, signature, data = decode(args.token)
        fields = json.loads(data.decode("utf-8"))
    except ValueError as exc:
        print(f"INVALID: this is not a permit code ({exc})")
        return 1
    valid = False
    for key in keys:
        try:
            key.verify(signature, data)
            valid = True
            break
        except InvalidSignature:
            continue
    print(f"VALID (key {kid})" if valid else f"INVALID: the signature does not match (key {kid})")
    if not valid:
        print("The data below is NOT confirmed by the city; do not rely on it.")
    for name, label in LABELS.items():
        value = fields.get(name) if isinstance(fields, dict) else None
        print(f"  {label:<19} {value if value is not None else '-'}")
    if valid:
        until = fields.get("until")
        today = dt.date.today()
        if until and dt.date.fromisoformat(until) < today:
            print(f"Note: the validity period ended on {until}.")
        print("Revocation is not visible offline: the verification page shows the current status.")
    return 0 if valid else 1


if __name__ == "__main__":
    sys.exit(main())
