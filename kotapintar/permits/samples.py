"""Sample answers and files for the permit types shipped with the platform: demo data and tests.

`run_until(office, application, stage)` moves an application along its workflow acting as
the right staff (office: an object with front, head, distaru, dinkes, treasury); fees are paid
through the simulated gateway when it is on, else recorded by the treasury.
"""

from __future__ import annotations

import io
from decimal import Decimal

PDF_BYTES = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"

ANSWERS = {
    "REKLAME": {
        "ad_type": "Billboard",
        "content": "Promo Toko Maju Jaya",
        "location": "Jl. Pemuda No. 12",
        "village": "Sekayu, Semarang Tengah",
        "width_m": "4",
        "height_m": "6",
        "faces": 1,
        "duration_months": 12,
    },
    "SIP": {
        "profession": "Dokter",
        "str_number": "3374010123456789",
        "practice_place": "Klinik Pratama Sehat Sentosa",
        "practice_address": "Jl. Pandanaran No. 5",
        "practice_kind": "Fasilitas pelayanan kesehatan",
        "sip_order": "1",
        "schedule": "Senin-Jumat 08.00-14.00",
    },
    "PBG": {
        "building_function": "Hunian",
        "site_address": "Jl. Setiabudi No. 20",
        "land_area_m2": "120",
        "floor_area_m2": "150.5",
        "floors": 2,
        "height_m": "8",
        "land_certificate": "SHM 1234/Srondol",
    },
}


def _upload(name: str, content: bytes, content_type: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type=content_type)


def image_bytes(fmt: str = "PNG") -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(out, format=fmt)
    return out.getvalue()


def pdf_upload(name: str = "dokumen.pdf"):
    return _upload(name, PDF_BYTES, "application/pdf")


def png_upload(name: str = "foto.png"):
    return _upload(name, image_bytes("PNG"), "image/png")


def jpeg_upload(name: str = "foto.jpg"):
    return _upload(name, image_bytes("JPEG"), "image/jpeg")


def upload_for(requirement, name: str | None = None):
    """A valid file of a kind the requirement accepts."""
    if "pdf" in requirement.kinds:
        return pdf_upload(name or f"{requirement.key}.pdf")
    if "png" in requirement.kinds:
        return png_upload(name or f"{requirement.key}.png")
    return jpeg_upload(name or f"{requirement.key}.jpg")


def run_until(office, application, stage: str):
    """Act with the right staff until the application reaches `stage` (or "issued": to the end)."""
    from kotapintar.permits import gateway, services
    from kotapintar.permits.models import FeeAssessment, Permit, Status

    for _ in range(12):
        application.refresh_from_db()
        if application.status == Status.ISSUED:
            return Permit.objects.get(application=application)
        if application.status == Status.AWAITING_PAYMENT:
            if stage == "awaiting_payment":
                return application
            assessment = application.assessments.get(status=FeeAssessment.Status.UNPAID)
            if gateway.simulator_enabled():
                result = gateway.simulate_payment(assessment)
                if not result.ok:
                    raise RuntimeError(f"simulated payment refused: {result.body}")
            else:
                services.payment_record_manual(
                    actor=office.treasury, application=application, amount=Decimal(assessment.amount), reference="DEMO"
                )
            continue
        current = application.current_step.stage
        if current == stage:
            return application
        if current == "completeness":
            services.completeness_confirm(actor=office.front, application=application)
        elif current == "technical_review":
            reviewer = office.dinkes if application.permit_type.technical_agency.code == "DINKES" else office.distaru
            services.review_submit(actor=reviewer, application=application, recommendation="approve", note="Sesuai.")
        elif current == "fee_assessment":
            services.fee_assess(actor=office.front, application=application)
        elif current == "decision":
            services.application_approve(actor=office.front, application=application)
        elif current == "signing":
            services.permit_sign(actor=office.head, application=application)
        elif current == "handover":
            services.permit_release(actor=office.front, application=application)
    raise RuntimeError(f"application {application.pk} did not reach {stage}")
