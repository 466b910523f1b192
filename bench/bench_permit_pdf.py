"""Permit PDF generation: target <= 200 ms per permit (p50), measured on distinct permits.

For each of N permits (default 200, each with its own number, holder and therefore its own
signature, token and QR code) it times, side by side in the same loop:

  baseline   a bare reportlab A4 page showing the same text lines, no QR, no emblem
  sign+QR    signing the canonical data, packing the token, building the verify URL
  permit     render_permit_pdf() with a QR never seen before (cold QR cache)
  re-render  the same permit again (QR matrix cached: a second download)

and prints mean / p50 / p99 in ms, the ratio permit / baseline, and the token, URL and QR
sizes. Exit status 1 when the p50 of sign+QR+permit exceeds the target.

    .venv/bin/python bench/bench_permit_pdf.py [N]
"""

from __future__ import annotations

import io
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kotapintar.settings")

import django

django.setup()

import datetime as dt  # noqa: E402

from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.pdfgen.canvas import Canvas  # noqa: E402

from kotapintar.permits import qr  # noqa: E402
from kotapintar.permits.documents import Official, PermitDocumentData, render_permit_pdf  # noqa: E402
from kotapintar.permits.signing import PermitClaims  # noqa: E402

TARGET_MS = 200.0
OFFICIAL = Official(
    name="Dr. Ir. Bambang Sutrisno, M.T.",
    position="Kepala Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu Kota Semarang",
    nip="19700101 199503 1 002",
)


def permit_claims(i: int) -> PermitClaims:
    start = dt.date(2026, 1, 1) + dt.timedelta(days=i % 365)
    return PermitClaims(
        number=f"503/{i:04d}/DPMPTSP/{['I', 'IV', 'VII', 'XI'][i % 4]}/2026",
        type_code="REKLAME",
        holder=f"CV Maju Jaya Abadi {i}",
        object_summary=f"Billboard 4 x 6 m, Jl. Pemuda No. {i % 200 + 1}, Sekayu, Semarang Tengah",
        valid_from=start,
        valid_until=start + dt.timedelta(days=364),
        issued_on=start,
        issuer="33.74",
    )


def document(claims: PermitClaims, url: str) -> PermitDocumentData:
    return PermitDocumentData(
        city_name="Kota Semarang",
        agency_name="Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu",
        agency_address="Jl. Pemuda No. 148, Sekayu, Semarang Tengah, Kota Semarang 50132",
        title="Izin Penyelenggaraan Reklame",
        number=claims.number,
        holder_name=claims.holder,
        holder_address="Jl. Gajahmada No. 7, Kembangsari, Semarang Tengah",
        permit_type="Izin Reklame Permanen",
        object_fields=[
            ("Jenis reklame", "Billboard satu muka, bersinar"),
            ("Lokasi", claims.object_summary),
            ("Ukuran", "4 x 6 m (24 m²)"),
        ],
        valid_from=claims.valid_from,
        valid_until=claims.valid_until,
        issued_place="Semarang",
        issued_on=claims.issued_on,
        official=OFFICIAL,
        verify_url=url,
        conditions=["Reklame wajib dipelihara agar tetap aman dan bersih."],
    )


def bare_page(doc: PermitDocumentData) -> bytes:
    """The baseline: the same text on an A4 page with plain reportlab calls, nothing else."""
    buffer = io.BytesIO()
    c = Canvas(buffer, pagesize=A4)
    y = 800
    for line in [
        doc.city_name,
        doc.agency_name,
        doc.title,
        doc.number,
        doc.holder_name,
        doc.holder_address,
        doc.permit_type,
        *(f"{k}: {v}" for k, v in doc.object_fields),
        str(doc.valid_from),
        str(doc.valid_until),
        doc.official.position,
        doc.official.name,
        doc.official.nip,
    ]:
        c.drawString(60, y, line)
        y -= 16
    c.showPage()
    c.save()
    return buffer.getvalue()


def ms(seconds: float) -> float:
    return seconds * 1000


def summary(name: str, values: list[float]) -> str:
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return f"{name:<22} mean {statistics.fmean(values):7.2f}   p50 {statistics.median(values):7.2f}   p99 {p99:7.2f}"


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    base_url = "https://izin.semarangkota.go.id"

    # The very first render of the process (imports, font metrics, translation catalogue).
    first_claims = permit_claims(10_000)
    t0 = time.perf_counter()
    first_url = qr.verify_url(qr.make_token(first_claims), base_url)
    render_permit_pdf(document(first_claims, first_url))
    first_ms = ms(time.perf_counter() - t0)

    baseline, sign_qr, permit, rerender, total = [], [], [], [], []
    token_lengths, url_lengths, versions, sizes = [], [], [], []
    for i in range(n):
        claims = permit_claims(i)
        t0 = time.perf_counter()
        token = qr.make_token(claims)
        url = qr.verify_url(token, base_url)
        t1 = time.perf_counter()
        doc = document(claims, url)
        pdf = render_permit_pdf(doc)
        t2 = time.perf_counter()
        render_permit_pdf(doc)
        t3 = time.perf_counter()
        bare_page(doc)
        t4 = time.perf_counter()
        sign_qr.append(ms(t1 - t0))
        permit.append(ms(t2 - t1))
        rerender.append(ms(t3 - t2))
        baseline.append(ms(t4 - t3))
        total.append(ms(t2 - t0))
        token_lengths.append(len(token))
        url_lengths.append(len(url))
        versions.append(qr.make_qr(url).version)
        sizes.append(len(pdf))

    print(f"Permit PDF benchmark: {n} distinct permits, target p50 <= {TARGET_MS:.0f} ms (sign + QR + PDF)")
    print(f"first render in process   {first_ms:7.2f} ms (cold imports and caches)")
    print(summary("baseline (bare page)", baseline))
    print(summary("sign + token + URL", sign_qr))
    print(summary("permit PDF (new QR)", permit))
    print(summary("permit PDF re-render", rerender))
    print(summary("sign + QR + PDF", total))
    print(
        f"ratio permit/baseline     {statistics.median(permit) / statistics.median(baseline):7.1f}x (p50)   "
        f"re-render/permit {statistics.median(rerender) / statistics.median(permit):4.2f}x"
    )
    print(
        f"token {min(token_lengths)}-{max(token_lengths)} chars, URL {min(url_lengths)}-{max(url_lengths)} chars, "
        f"QR version {min(versions)}-{max(versions)} ({17 + 4 * min(versions)}-{17 + 4 * max(versions)} modules, "
        f"error correction M or better), PDF {min(sizes) // 1024}-{max(sizes) // 1024} KiB"
    )
    p50 = statistics.median(total)
    if p50 > TARGET_MS:
        print(f"FAIL: p50 {p50:.1f} ms > {TARGET_MS:.0f} ms")
        return 1
    print(f"OK: p50 {p50:.1f} ms <= {TARGET_MS:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
