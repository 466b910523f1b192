"""Personal data of the permits app, for "download my data" and account deletion (UU PDP).

Erasing, when a person deletes their account:
- drafts are deleted with their files;
- applications still open are withdrawn, then treated as closed ones;
- closed applications that gave no permit (rejected, withdrawn) keep only their registration
  number, type, dates and status (service statistics); answers, holder details and files go;
- issued permits and the application and files they were issued on are public records the
  city must keep (archives law) and the verification page must keep answering for: they stay,
  tied to the deleted (anonymised) account.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import ngettext

from kotapintar.core import audit

from . import uploads
from .models import Application, ApplicationDocument, Permit, Stage, Status


def exporter(user) -> dict:
    applications = (
        Application.objects.filter(applicant=user)
        .select_related("permit_type")
        .prefetch_related("files")
        .order_by("created_at", "id")
    )
    permits = Permit.objects.filter(holder=user).select_related("permit_type").order_by("issued_at", "id")
    today = timezone.localdate()
    return {
        "applications": [
            audit._jsonable(
                {
                    "registration_number": a.registration_number,
                    "permit_type": a.permit_type.name,
                    "kind": a.kind,
                    "status": a.status,
                    "created_at": a.created_at,
                    "submitted_at": a.submitted_at,
                    "closed_at": a.closed_at,
                    "holder_name": a.holder_name,
                    "holder_address": a.holder_address,
                    "answers": a.data,
                    "documents": [
                        {
                            "document": d.label,
                            "file_name": d.original_name,
                            "size": d.size,
                            "uploaded_at": d.uploaded_at,
                            "current": d.is_current,
                        }
                        for d in a.files.all()
                        if d.uploaded_by_id == user.pk
                    ],
                }
            )
            for a in applications
        ],
        "permits": [
            audit._jsonable(
                {
                    "number": p.number,
                    "permit_type": p.permit_type.name,
                    "holder_name": p.holder_name,
                    "object": p.object_summary,
                    "valid_from": p.valid_from,
                    "valid_until": p.valid_until,
                    "status": p.status_on(today),
                    "revoked_on": p.revoked_on,
                }
            )
            for p in permits
        ],
    }


def _drop_files(documents) -> None:
    for document in documents:
        uploads.remove(document.path)
    documents.delete()


def eraser(user) -> None:
    from .services import application_withdraw

    for draft in Application.objects.filter(applicant=user, status=Status.DRAFT):
        _drop_files(ApplicationDocument.objects.filter(application=draft))
        audit.record(actor=None, action="permit_application.erase_draft", obj=draft)
        draft.delete()
    open_ones = Application.objects.filter(
        applicant=user, status__in=[Status.IN_PROCESS, Status.RETURNED, Status.AWAITING_PAYMENT]
    ).exclude(current_step__stage__in=[Stage.SIGNING, Stage.HANDOVER])
    for application in open_ones:
        application_withdraw(actor=user, application=application, reason="")
    for application in Application.objects.filter(applicant=user, status__in=[Status.REJECTED, Status.WITHDRAWN]):
        _drop_files(ApplicationDocument.objects.filter(application=application))
        Application.objects.filter(pk=application.pk).update(holder_name="", holder_address="", data={}, return_note="")
        audit.record(actor=None, action="permit_application.erase", obj=application)


def summary(user) -> str:
    applications = Application.objects.filter(applicant=user).count()
    permits = Permit.objects.filter(holder=user).count()
    return (
        ngettext("%(count)d application", "%(count)d applications", applications) % {"count": applications}
        + ", "
        + ngettext("%(count)d permit", "%(count)d permits", permits) % {"count": permits}
    )
