"""Permit fixtures shared by every app's tests (e.g. the portal's "Layanan Saya" and survey tests).

- `permit_office`: Semarang's permit set-up — agencies DPMPTSP, DISTARU, DINKES, BAPENDA; the
  shipped permit types (REKLAME, SIP, PBG); staff: `front` (DPMPTSP officer), `head` (head of
  DPMPTSP, signs), `distaru` and `dinkes` (technical officers), `treasury` (BAPENDA officer);
  and a resident `applicant`. `office.types["REKLAME"]` is a PermitType.
- `pdf_upload(name)`, `png_upload(name)`, `jpeg_upload(name)`: small valid files for uploads.
- `apply_for(office, code, applicant=None, answers=None)`: a submitted application with valid
  answers and every mandatory document.
- `run_until(office, application, stage)`: moves an application along its workflow with the
  right staff until it reaches `stage` (e.g. "signing"), or to the end with stage="issued".

    def test_something(permit_office):
        application = apply_for(permit_office, "REKLAME")
        permit = run_until(permit_office, application, "issued")
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from kotapintar.permits.samples import (  # noqa: F401 (re-exported for tests)
    ANSWERS,
    PDF_BYTES,
    image_bytes,
    jpeg_upload,
    pdf_upload,
    png_upload,
    run_until,
    upload_for,
)


@dataclass
class PermitOffice:
    types: dict = field(default_factory=dict)
    agencies: dict = field(default_factory=dict)
    front: object = None
    head: object = None
    distaru: object = None
    dinkes: object = None
    treasury: object = None
    applicant: object = None


def make_permit_office(*, applicant=None) -> PermitOffice:
    from kotapintar.agencies.models import Agency
    from kotapintar.permits.models import PermitType
    from kotapintar.permits.services import permit_types_import
    from kotapintar.testing.accounts import make_user
    from kotapintar.testing.agencies import make_member

    office = PermitOffice()
    names = {
        "DPMPTSP": ("Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu", "dinas"),
        "DISTARU": ("Dinas Penataan Ruang", "dinas"),
        "DINKES": ("Dinas Kesehatan", "dinas"),
        "BAPENDA": ("Badan Pendapatan Daerah", "badan"),
    }
    for code, (name, kind) in names.items():
        office.agencies[code], _ = Agency.objects.get_or_create(
            code=code,
            defaults={"name": name, "short_name": code, "kind": kind, "address": "Jl. Pemuda No. 148, Semarang"},
        )
    permit_types_import()
    office.types = {t.code: t for t in PermitType.objects.all()}
    office.front = make_user(role="agency", full_name="Rina Front Office")
    make_member(office.front, office.agencies["DPMPTSP"], "officer", position="Petugas front office")
    office.head = make_user(role="agency", full_name="Dr. Ir. Bambang Sutrisno, M.T.")
    make_member(office.head, office.agencies["DPMPTSP"], "head", position="Kepala DPMPTSP Kota Semarang")
    office.distaru = make_user(role="agency", full_name="Agus Tim Teknis")
    make_member(office.distaru, office.agencies["DISTARU"], "officer")
    office.dinkes = make_user(role="agency", full_name="dr. Sari Dinkes")
    make_member(office.dinkes, office.agencies["DINKES"], "officer")
    office.treasury = make_user(role="agency", full_name="Dewi Bendahara")
    make_member(office.treasury, office.agencies["BAPENDA"], "officer")
    office.applicant = applicant or make_user(role="citizen", full_name="Siti Pemohon")
    return office


@pytest.fixture
def permit_office(db, settings):
    settings.PERMIT_SIGNING_KEYS = []
    settings.PERMIT_VERIFY_KEYS = []
    settings.PERMIT_SIGNER = ""
    settings.PERMIT_VERIFY_BASE_URL = "https://izin.semarangkota.go.id"
    settings.PAYMENT_SIMULATED_GATEWAY = True
    settings.PAYMENT_GATEWAY_SECRET = "rahasia-gateway-uji"  # noqa: S105 (test secret)
    return make_permit_office()


def apply_for(office: PermitOffice, code: str, applicant=None, answers: dict | None = None, submit: bool = True):
    from django.db import transaction

    from kotapintar.permits import services

    applicant = applicant or office.applicant
    permit_type = office.types[code]
    with transaction.atomic():
        application, _ = services.application_start(applicant=applicant, permit_type=permit_type)
        services.application_save_answers(
            actor=applicant,
            application=application,
            holder_name=applicant.full_name,
            holder_address="Jl. Gajahmada No. 7, Semarang",
            data=dict(answers if answers is not None else ANSWERS[code]),
        )
        for requirement in permit_type.documents.all():
            if requirement.mandatory:
                services.document_upload(
                    actor=applicant, application=application, requirement=requirement, uploaded=upload_for(requirement)
                )
        if submit:
            services.application_submit(actor=applicant, application=application)
    return application


def reklame_fee() -> Decimal:
    """4 m × 6 m × 1 face × 12 months × Rp 25.000."""
    return Decimal("7200000")
