"""Public permit verification: target <= 50 ms p50 per page with 100,000 issued permits in PostgreSQL.

Builds a throw-away PostgreSQL database (kp_bench_permits, dropped at the end), migrates it,
imports the Semarang permit types and bulk-inserts N issued permits (default 100,000), each
genuinely signed (its own number, holder, token and Ed25519 signature); 1 % are revoked and
some have expired. Then, through Django's full request stack (test Client: middleware,
templates, the ORM on PostgreSQL), it requests side by side, interleaved:

  baseline  GET /healthz/                      (the platform's trivial view: one SELECT 1)
  page      GET /verify/<token>/               (a random issued permit each time)
  api       GET /api/v1/permits/verify/<token>/ (the JSON twin)
  invalid   GET /verify/<tampered token>/      (must answer "not valid", never an error)

and prints mean / p50 / p95 / p99 in ms, the ratio page / baseline, and checks every answer
(valid / revoked / expired / invalid as generated). Exit status 1 if the page's p50 exceeds
the target or any answer is wrong.

    .venv/bin/python bench/bench_permit_verify.py [N_PERMITS] [N_REQUESTS]
    PG_URL=postgres://postgres@127.0.0.1:5432  (server to create the database on)
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

N_PERMITS = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
N_REQUESTS = int(sys.argv[2]) if len(sys.argv) > 2 else 600
TARGET_MS = 50.0
PG_URL = os.environ.get("PG_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")
DB_NAME = "kp_bench_permits"
HOST = PG_URL.split("@")[-1].split(":")[0]
PORT = PG_URL.rsplit(":", 1)[-1]


def _pg(*args: str) -> None:
    subprocess.run([*args, "-h", HOST, "-p", PORT, "-U", "postgres", DB_NAME], check=False, capture_output=True)


_pg("dropdb", "--if-exists", "--force")
subprocess.run(["createdb", "-h", HOST, "-p", PORT, "-U", "postgres", DB_NAME], check=True)

os.environ["DATABASE_URL"] = f"{PG_URL}/{DB_NAME}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kotapintar.settings")
os.environ["STATICFILES_STORAGE"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
os.environ["API_THROTTLE_ANON"] = "100000000/min"
os.environ["PERMIT_SIGNING_KEYS"] = "[]"
os.environ["PERMIT_VERIFY_KEYS"] = "[]"
os.environ.setdefault("KOTAPINTAR_VAR_DIR", str(ROOT / "var" / "bench_permits"))

import django  # noqa: E402

django.setup()

import base64  # noqa: E402
import datetime as dt  # noqa: E402

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from kotapintar.agencies.models import Agency  # noqa: E402
from kotapintar.permits.models import Permit, PermitType  # noqa: E402
from kotapintar.permits.qr import encode_token  # noqa: E402
from kotapintar.permits.services import permit_types_import  # noqa: E402
from kotapintar.permits.signing import PermitClaims, get_signer  # noqa: E402

STREETS = ["Jl. Pemuda", "Jl. Pandanaran", "Jl. Gajahmada", "Jl. Pahlawan", "Jl. Imam Bonjol", "Jl. Setiabudi"]
KINDS = ["Billboard", "Baliho", "Neon Box", "Videotron", "Papan Nama"]
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]


def build() -> dict[str, list[str]]:
    call_command("migrate", verbosity=0)
    # Fail fast (before minutes of generation) if the site does not even answer.
    probe = Client(raise_request_exception=False).get("/healthz/")
    if probe.status_code != 200:
        raise SystemExit(f"the site does not answer /healthz/ ({probe.status_code}): fix that first")
    for code, name in (
        ("DPMPTSP", "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu"),
        ("DISTARU", "Dinas Penataan Ruang"),
        ("DINKES", "Dinas Kesehatan"),
        ("BAPENDA", "Badan Pendapatan Daerah"),
    ):
        Agency.objects.get_or_create(code=code, defaults={"name": name, "short_name": code, "kind": "dinas"})
    with transaction.atomic():
        permit_types_import()
    reklame = PermitType.objects.get(code="REKLAME")
    signer = get_signer()
    today = timezone.localdate()
    tokens: dict[str, list[str]] = {"valid": [], "revoked": [], "expired": []}
    rows: list[Permit] = []
    started = time.perf_counter()
    for i in range(N_PERMITS):
        issued = today - dt.timedelta(days=random.randint(0, 700))
        claims = PermitClaims(
            number=f"503/{i + 1:06d}/IR/DPMPTSP/{ROMAN[issued.month - 1]}/{issued.year}",
            type_code="REKLAME",
            holder=f"CV Usaha Bersama {i}",
            object_summary=f"{random.choice(KINDS)} 4 x 6 m, {random.choice(STREETS)} No. {i % 300 + 1}",
            valid_from=issued,
            valid_until=issued + dt.timedelta(days=364),
            issued_on=issued,
            issuer="33.74",
        )
        data = claims.canonical_bytes()
        signature = signer.sign(data)
        token = encode_token(data, signer.key_id, signature)
        revoked = i % 100 == 7
        rows.append(
            Permit(
                permit_type=reklame,
                number=claims.number,
                holder_name=claims.holder,
                object_summary=claims.object_summary,
                valid_from=claims.valid_from,
                valid_until=claims.valid_until,
                issued_on=issued,
                issuer_code="33.74",
                official_name="Dr. Ir. Bambang Sutrisno, M.T.",
                official_position="Kepala DPMPTSP Kota Semarang",
                agency_name="Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu",
                city_name="Kota Semarang",
                canonical=data.decode("utf-8"),
                kid=signer.key_id,
                signature=base64.b64encode(signature).decode("ascii"),
                token=token,
                released_at=timezone.now(),
                revoked_on=today if revoked else None,
                revocation_reason="Dicabut (data uji)" if revoked else "",
            )
        )
        if len(tokens["valid"]) + len(tokens["revoked"]) + len(tokens["expired"]) < 20_000:
            if revoked:
                tokens["revoked"].append(token)
            elif claims.valid_until < today:
                tokens["expired"].append(token)
            else:
                tokens["valid"].append(token)
        if len(rows) == 5000:
            Permit.objects.bulk_create(rows)
            rows = []
    if rows:
        Permit.objects.bulk_create(rows)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE permits_permit")
    print(f"generated {N_PERMITS:,} signed permits in {time.perf_counter() - started:.1f} s")
    return tokens


def stats(samples: list[float]) -> tuple[float, float, float, float]:
    ordered = sorted(samples)
    n = len(ordered)
    return statistics.fmean(ordered), ordered[n // 2], ordered[int(n * 0.95)], ordered[min(n - 1, int(n * 0.99))]


def _answer_ok(what: str, kind: str, response) -> bool:
    if response.status_code != 200:
        return False
    if what == "page":
        return f'data-status="{kind}"'.encode() in response.content
    if what == "api":
        return response.json()["status"] == kind
    if what == "invalid":
        return b'data-status="invalid"' in response.content
    return True


def measure(tokens: dict[str, list[str]]) -> int:
    client = Client()
    timings: dict[str, list[float]] = {"baseline": [], "page": [], "api": [], "invalid": []}
    wrong = 0
    kinds = [k for k in ("valid", "revoked", "expired") if tokens[k]]
    for _ in range(30):  # warm-up: templates, translations, key ring, connection
        client.get("/healthz/")
        client.get(f"/verify/{tokens['valid'][0]}/")
        client.get(f"/api/v1/permits/verify/{tokens['valid'][0]}/")
    for i in range(N_REQUESTS):
        kind = "valid" if i % 10 < 7 else kinds[i % len(kinds)]
        token = random.choice(tokens[kind])
        tampered = token[:-8] + ("A" * 8 if not token.endswith("A" * 8) else "B" * 8)
        order = ["baseline", "page", "api", "invalid"]
        random.shuffle(order)
        for what in order:
            url = {
                "baseline": "/healthz/",
                "page": f"/verify/{token}/",
                "api": f"/api/v1/permits/verify/{token}/",
                "invalid": f"/verify/{tampered}/",
            }[what]
            start = time.perf_counter()
            response = client.get(url)
            elapsed = (time.perf_counter() - start) * 1000
            timings[what].append(elapsed)
            wrong += not _answer_ok(what, kind, response)
    print(f"\n{N_REQUESTS} requests of each kind, interleaved, Django test client, PostgreSQL, {N_PERMITS:,} permits")
    print(f"{'':<10} {'mean':>8} {'p50':>8} {'p95':>8} {'p99':>8}   (ms)")
    for what, samples in timings.items():
        mean, p50, p95, p99 = stats(samples)
        print(f"{what:<10} {mean:8.2f} {p50:8.2f} {p95:8.2f} {p99:8.2f}")
    base_p50 = stats(timings["baseline"])[1]
    page_p50 = stats(timings["page"])[1]
    api_p50 = stats(timings["api"])[1]
    print(f"\nratio page/baseline (p50): {page_p50 / base_p50:.2f}x; api/baseline: {api_p50 / base_p50:.2f}x")
    verdict = "PASS" if page_p50 <= TARGET_MS else "FAIL"
    print(f"target: page p50 <= {TARGET_MS:.0f} ms -> {verdict}; wrong answers: {wrong}")
    return 0 if page_p50 <= TARGET_MS and wrong == 0 else 1


def main() -> int:
    try:
        tokens = build()
        return measure(tokens)
    finally:
        connection.close()
        _pg("dropdb", "--if-exists", "--force")


if __name__ == "__main__":
    sys.exit(main())
