"""The permit and SKRD PDFs of stored records (documents.py draws them; this fills them in)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import qr
from .documents import FeeLine, Official, PermitDocumentData, SkrdData, render_permit_pdf, render_skrd_pdf
from .models import FeeAssessment, Permit


def verify_base_url() -> str:
    return settings.PERMIT_VERIFY_BASE_URL or getattr(settings, "SITE_URL", "") or qr.DEFAULT_VERIFY_BASE_URL


def verify_url(permit: Permit) -> str:
    return qr.verify_url(permit.token, verify_base_url())


def place_of(city_name: str) -> str:
    """ "Kota Semarang" → "Semarang" (where a letter is signed)."""
    for prefix in ("Kota Administrasi ", "Kabupaten ", "Kota "):
        if city_name.startswith(prefix):
            return city_name[len(prefix) :]
    return city_name


def permit_document(permit: Permit) -> PermitDocumentData:
    permit_type = permit.permit_type
    return PermitDocumentData(
        city_name=permit.city_name,
        agency_name=permit.agency_name,
        agency_address=permit.agency_address,
        title=permit_type.document_title,
        number=permit.number,
        holder_name=permit.holder_name,
        holder_address=permit.holder_address,
        permit_type=permit_type.name,
        object_fields=[(label, value) for label, value in permit.object_fields],
        valid_from=permit.valid_from,
        valid_until=permit.valid_until,
        issued_place=place_of(permit.city_name),
        issued_on=permit.issued_on,
        official=Official(name=permit.official_name, position=permit.official_position, nip=permit.official_nip),
        verify_url=verify_url(permit),
        conditions=permit_type.condition_lines,
        platform_name=settings.PLATFORM_NAME,
    )


def permit_pdf(permit: Permit) -> bytes:
    return render_permit_pdf(permit_document(permit))


def skrd_document(assessment: FeeAssessment) -> SkrdData:
    from .services import city_name

    application = assessment.application
    permit_type = application.permit_type
    agency = permit_type.lead_agency
    city = city_name()
    with translation.override("id"):
        instructions = [
            _(
                "Pay the exact amount with the payment code above, online from the "
                "application's page or at a partner bank."
            ),
            _("The application continues by itself once the payment is received."),
        ]
        notes = (
            [_("Amount changed by the officer: %(reason)s") % {"reason": assessment.adjustment_reason}]
            if assessment.adjustment_reason
            else []
        )
    return SkrdData(
        city_name=city,
        agency_name=agency.name,
        agency_address=agency.address,
        number=assessment.skrd_number,
        payer_name=application.holder_name,
        payer_address=application.holder_address,
        application_ref=application.registration_number or "",
        permit_type=permit_type.name,
        lines=[
            FeeLine(description=line["description"], amount=Decimal(line["amount"]), detail=line.get("detail", ""))
            for line in assessment.lines
        ],
        due_date=assessment.due_date,
        issued_place=place_of(city),
        issued_on=timezone.localtime(assessment.assessed_at).date(),
        official=Official(name=assessment.official_name, position=assessment.official_position),
        payment_code=assessment.payment_code,
        payment_instructions=instructions,
        notes=notes,
        platform_name=settings.PLATFORM_NAME,
    )


def skrd_pdf(assessment: FeeAssessment) -> bytes:
    return render_skrd_pdf(skrd_document(assessment))
