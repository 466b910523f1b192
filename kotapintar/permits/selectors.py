"""Reads of the permits app that depend on who asks (and the public ones other apps use).

For other apps (the portal's "Layanan Saya", catalogue and reminders):

- `permit_types_public()`: the open permit types, each with `service_days` and an
  application form at `reverse("permits:apply", kwargs={"code": t.code})`;
- `applications_of(user)`: the person's own applications (drafts included), newest first,
  each with `.needs_action` (True when the applicant must do something: a draft to submit,
  a return to answer, a fee to pay);
- `permits_of(user)`: the person's own permits, each with `.status` (valid, expired,
  revoked, not_yet_valid), `.expires_on` and `.days_left` (None when no end date);
- `expiring_permits(first_day, last_day)`: permits in force whose last valid day falls in
  the range, for expiry reminders (portal.registry.ExpiringItem when the portal is present).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from kotapintar.core import access

from . import policies
from .models import (
    OPEN_STATUSES,
    Application,
    ApplicationDocument,
    ApplicationEvent,
    FeeAssessment,
    HandlerRole,
    Permit,
    PermitType,
    Status,
    StepVisit,
    WorkflowStep,
)

ACTION_STATUSES = (Status.DRAFT, Status.RETURNED, Status.AWAITING_PAYMENT)


# --- permit types ---------------------------------------------------------------------------------


def permit_types_public() -> QuerySet[PermitType]:
    """Open permit types with what the catalogue shows (fields, documents, steps)."""
    return (
        PermitType.objects.filter(is_active=True)
        .select_related("lead_agency", "technical_agency")
        .prefetch_related(
            "fields", "documents", Prefetch("steps", queryset=WorkflowStep.objects.select_related("agency"))
        )
        .order_by("name")
    )


def permit_type_public(code: str) -> PermitType:
    """One open permit type by code (404 otherwise)."""
    return get_object_or_404(permit_types_public(), code=code)


# --- an applicant's own ----------------------------------------------------------------------------


def _own_applications(user: Any) -> QuerySet[Application]:
    if not getattr(user, "is_authenticated", False):
        return Application.objects.none()
    return Application.objects.filter(applicant_id=user.pk)


def applications_of(user: Any) -> list[Application]:
    """The user's own applications, newest first (see the module docstring)."""
    rows = list(
        _own_applications(user)
        .select_related("permit_type", "current_step__agency", "current_step__permit_type__lead_agency")
        .select_related("current_step__permit_type__technical_agency")
        .order_by("-created_at", "-id")
    )
    for row in rows:
        row.needs_action = row.status in ACTION_STATUSES  # type: ignore[attr-defined]
    return rows


def application_of(user: Any, pk: Any) -> Application:
    """One of the user's own applications; anybody else's is a 404, like a missing one."""
    return access.get_object_or_404(
        _own_applications(user).select_related(
            "permit_type__lead_agency", "permit_type__technical_agency", "current_step__agency", "previous_permit"
        ),
        user,
        pk=pk,
    )


def _decorate_permit(permit: Permit, today: dt.date) -> Permit:
    # Display attributes for templates and other apps (not model fields).
    permit.status = permit.status_on(today)  # type: ignore[attr-defined]
    permit.expires_on = permit.valid_until  # type: ignore[attr-defined]
    permit.days_left = (permit.valid_until - today).days if permit.valid_until else None  # type: ignore[attr-defined]
    return permit


def permits_of(user: Any, *, today: dt.date | None = None) -> list[Permit]:
    """The user's own permits (released to them), newest first, with status and expiry."""
    if not getattr(user, "is_authenticated", False):
        return []
    today = today or timezone.localdate()
    rows = (
        Permit.objects.filter(holder_id=user.pk, released_at__isnull=False)
        .select_related("permit_type", "application")
        .order_by("-issued_at", "-id")
    )
    return [_decorate_permit(p, today) for p in rows]


def permit_of(user: Any, pk: Any) -> Permit:
    """One permit the user may see (their own; staff of the agencies involved); 404 otherwise."""
    permit = access.get_object_or_404(
        Permit.objects.select_related("permit_type__lead_agency", "application"), user, pk=pk
    )
    if permit.holder_id == getattr(user, "pk", None) and not permit.is_released and not policies.is_staff(user):
        raise access.Http404
    return _decorate_permit(permit, timezone.localdate())


def expiring_permits(first_day: dt.date, last_day: dt.date) -> Iterator[Any]:
    """Permits in force whose last valid day is in [first_day, last_day] (for reminders)."""
    from kotapintar.portal.registry import ExpiringItem

    rows = (
        Permit.objects.filter(
            valid_until__gte=first_day,
            valid_until__lte=last_day,
            revoked_on__isnull=True,
            released_at__isnull=False,
            holder__isnull=False,
            holder__is_active=True,
        )
        .select_related("permit_type", "holder")
        .order_by("valid_until", "id")
    )
    for permit in rows.iterator(chunk_size=500):
        url = reverse("permits:permit_detail", args=[permit.pk])
        label = f"{permit.permit_type.name} {permit.number}"
        yield ExpiringItem(
            kind="permit",
            id=str(permit.pk),
            holder=permit.holder,
            label=label,
            expires_on=permit.valid_until,  # type: ignore[arg-type]
            url=url,
            extra={"renewable": permit.permit_type.allow_renewal},
        )


def timeline(application: Application, *, staff: bool) -> QuerySet[ApplicationEvent]:
    events = ApplicationEvent.objects.filter(application=application).select_related("step")
    if not staff:
        events = events.filter(internal=False)
    return events.order_by("created_at", "id")


def documents(application: Application, *, staff: bool) -> QuerySet[ApplicationDocument]:
    rows = ApplicationDocument.objects.filter(application=application).select_related("requirement")
    if not staff:
        rows = rows.filter(kind=ApplicationDocument.Kind.REQUIREMENT)
    return rows.order_by("requirement__position", "uploaded_at", "id")


def document_for(user: Any, pk: Any) -> ApplicationDocument:
    """A document the user may download: of an application they may see (staff: survey reports too)."""
    document = access.get_object_or_404(
        ApplicationDocument.objects.select_related("application__permit_type"), user, pk=pk
    )
    is_applicant = document.application.applicant_id == getattr(user, "pk", None)
    if is_applicant and not policies.is_staff(user) and document.kind != ApplicationDocument.Kind.REQUIREMENT:
        raise access.Http404
    return document


def live_assessment(application: Application) -> FeeAssessment | None:
    return (
        FeeAssessment.objects.filter(application=application)
        .exclude(status=FeeAssessment.Status.CANCELLED)
        .select_related("payment")
        .order_by("-assessed_at")
        .first()
    )


def assessment_for(user: Any, pk: Any) -> FeeAssessment:
    return access.get_object_or_404(
        FeeAssessment.objects.select_related("application__permit_type__lead_agency", "application__applicant"),
        user,
        pk=pk,
    )


def open_visit(application: Application) -> StepVisit | None:
    return application.visits.filter(completed_at__isnull=True).select_related("step").order_by("-entered_at").first()


# --- staff ------------------------------------------------------------------------------------------


def staff_visible(user: Any) -> QuerySet[Application]:
    """Submitted applications the staff member may see (their agencies' permit types)."""
    return access.scope(Application.objects.all(), user).exclude(status=Status.DRAFT)


def staff_application(user: Any, pk: Any) -> Application:
    return get_object_or_404(
        staff_visible(user).select_related(
            "permit_type__lead_agency",
            "permit_type__technical_agency",
            "permit_type__treasury_agency",
            "current_step__agency",
            "applicant",
            "previous_permit",
        ),
        pk=pk,
    )


def my_tasks(user: Any) -> QuerySet[Application]:
    """Applications waiting for this staff member: at a step their agency (or they as head) handle,
    or — for treasury staff — waiting for a payment to record."""
    if not policies.is_staff(user):
        return Application.objects.none()
    agencies = access.agency_ids(user)
    headed = access.headed_agency_ids(user)
    officer_steps = Q(current_step__handler_role=HandlerRole.OFFICER) & (
        Q(current_step__agency_id__in=agencies)
        | (
            Q(current_step__agency__isnull=True)
            & (
                (Q(current_step__stage="technical_review") & Q(permit_type__technical_agency_id__in=agencies))
                | (~Q(current_step__stage="technical_review") & Q(permit_type__lead_agency_id__in=agencies))
                | (
                    Q(current_step__stage="technical_review")
                    & Q(permit_type__technical_agency__isnull=True)
                    & Q(permit_type__lead_agency_id__in=agencies)
                )
            )
        )
    )
    head_steps = Q(current_step__handler_role=HandlerRole.HEAD) & (
        Q(current_step__agency_id__in=headed)
        | (Q(current_step__agency__isnull=True) & Q(permit_type__lead_agency_id__in=headed))
    )
    at_step = Q(status=Status.IN_PROCESS) & (officer_steps | head_steps)
    treasury = Q(status=Status.AWAITING_PAYMENT) & (
        Q(permit_type__treasury_agency_id__in=agencies)
        | (Q(permit_type__treasury_agency__isnull=True) & Q(permit_type__lead_agency_id__in=agencies))
    )
    return staff_visible(user).filter(at_step | treasury)


def queue(user: Any, *, scope: str = "mine", query: str = "") -> QuerySet[Application]:
    """The staff queue: "mine" (waiting for me), "open" (all open ones I may see), "closed"."""
    if scope == "mine":
        rows = my_tasks(user)
    elif scope == "closed":
        rows = staff_visible(user).exclude(status__in=OPEN_STATUSES)
    else:
        rows = staff_visible(user).filter(status__in=OPEN_STATUSES)
    query = query.strip()
    if query:
        rows = rows.filter(Q(registration_number__icontains=query) | Q(holder_name__icontains=query))
    return (
        rows.select_related("permit_type", "current_step__agency", "current_step__permit_type__lead_agency")
        .select_related("current_step__permit_type__technical_agency")
        .prefetch_related(
            Prefetch("visits", queryset=StepVisit.objects.filter(completed_at__isnull=True), to_attr="open_visits")
        )
        .order_by("due_at", "id")
    )


def staff_permits(user: Any, *, query: str = "") -> QuerySet[Permit]:
    rows = access.scope(Permit.objects.select_related("permit_type"), user)
    if query.strip():
        rows = rows.filter(Q(number__icontains=query.strip()) | Q(holder_name__icontains=query.strip()))
    return rows.order_by("-issued_at", "-id")


def staff_permit(user: Any, pk: Any) -> Permit:
    permit = get_object_or_404(staff_permits(user).select_related("permit_type__lead_agency", "application"), pk=pk)
    return _decorate_permit(permit, timezone.localdate())


# --- public verification ---------------------------------------------------------------------------


def permit_for_verification(number: str) -> Permit | None:
    """The register entry of a permit number, with only what the public page shows."""
    return (
        Permit.objects.select_related("permit_type", "superseded_by")
        .only(
            "number",
            "token",
            "revoked_on",
            "revocation_reason",
            "permit_type__name",
            "permit_type__code",
            "city_name",
            "agency_name",
            "official_position",
            "superseded_by__number",
        )
        .filter(number=number)
        .first()
    )
