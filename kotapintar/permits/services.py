"""Writes of the permit process. Every entry point (pages, API, admin, tasks, commands) calls these.

Each service is keyword-only and atomic, locks the application row it changes, checks who may
act (policies), moves the state machine (models.TRANSITIONS), writes the timeline and an
audit row in the same transaction, and queues notifications (core.notifications, delivered
after commit). A rule broken by the caller raises a DomainError with a message that says
what to do.
"""

from __future__ import annotations

import base64
import calendar as pycalendar
import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kotapintar.core import access, audit
from kotapintar.core.errors import DomainError, InvalidTransition, NotAllowed
from kotapintar.core.notifications import notify

from . import fees, numbering, policies, sla, uploads
from . import fields as answer_fields
from .models import (
    STAGE_ORDER,
    Application,
    ApplicationDocument,
    ApplicationEvent,
    ApplicationKind,
    EventKind,
    FeeAssessment,
    FieldKind,
    HandlerRole,
    NumberSeries,
    Pause,
    Payment,
    Permit,
    PermitType,
    Recommendation,
    RequiredDocument,
    Stage,
    Status,
    StepVisit,
    WorkflowStep,
)
from .signing import PermitClaims, sign_claims

logger = logging.getLogger(__name__)

APPLICANT_CHANNELS = ("inbox", "email")
STAFF_CHANNELS = ("inbox",)
ESCALATION_CHANNELS = ("inbox", "email")
APPLICATION_FIELDS = [
    "status",
    "current_step_id",
    "registration_number",
    "due_at",
    "paused_since",
    "paused_working_days",
    "recommendation",
    "decision_reason",
]
MAX_NOTE = 4000


class ApplicationIncomplete(DomainError):
    """The application cannot be submitted yet: answers or documents are missing or wrong."""

    status_code = 400
    code = "incomplete"

    def __init__(self, message: str, *, fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.fields = fields or {}


# --- small helpers ----------------------------------------------------------------------------------


def _language(user) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    language = getattr(user, "preferred_language", "") or ""
    return language if language in codes else settings.LANGUAGE_CODE


def _lock(application: Application) -> Application:
    """The application row, locked for this transaction, with what the services read."""
    locked = (
        Application.objects.select_for_update(of=("self",))
        .select_related("permit_type", "current_step", "applicant", "previous_permit")
        .get(pk=application.pk)
    )
    return locked


def _sync(source: Application, target: Application) -> None:
    """Keep the caller's instance in step with the saved row."""
    if source is target:
        return
    for f in source._meta.concrete_fields:
        setattr(target, f.attname, getattr(source, f.attname))
    for cached in ("current_step", "permit_type"):
        if source._state.fields_cache.get(cached) is not None:
            target._state.fields_cache[cached] = source._state.fields_cache[cached]
        else:
            target._state.fields_cache.pop(cached, None)


def _move(application: Application, to: str) -> None:
    if not application.can_move_to(to):
        raise InvalidTransition(
            _("This application is “%(status)s”: that cannot be done now. Reload the page to see its current state.")
            % {"status": application.get_status_display()}
        )
    application.status = to


def _snapshot(application: Application) -> dict:
    return audit.snapshot(application, APPLICATION_FIELDS)


def _clean_text(text: str | None, limit: int = MAX_NOTE) -> str:
    return (text or "").strip()[:limit]


def _agency_role_label(step: WorkflowStep) -> str:
    agency = step.handling_agency
    name = agency.short_name or agency.name
    if step.handler_role == HandlerRole.HEAD:
        return _("%(agency)s — head of the agency") % {"agency": name}
    return _("%(agency)s — %(step)s") % {"agency": name, "step": step.name}


def holder_label(step: WorkflowStep | None) -> str:
    """Who holds an application at this step, as the applicant sees it (agency and role, no names)."""
    if step is None:
        return ""
    agency = step.handling_agency
    if step.handler_role == HandlerRole.HEAD:
        return _("Head of %(agency)s") % {"agency": agency.name}
    return _("Officers of %(agency)s") % {"agency": agency.name}


def _event(
    application: Application,
    kind: str,
    *,
    message: str = "",
    actor_label: str = "",
    internal: bool = False,
    step: WorkflowStep | None = None,
    at: dt.datetime | None = None,
) -> ApplicationEvent:
    return ApplicationEvent.objects.create(
        application=application,
        kind=kind,
        message=message,
        actor_label=actor_label[:200],
        internal=internal,
        step=step,
        created_at=at or timezone.now(),
    )


def _app_url(application: Application) -> str:
    return reverse("permits:application_detail", args=[application.pk])


def _staff_url(application: Application) -> str:
    return reverse("permits:staff_detail", args=[application.pk])


def _notify_applicant(application: Application, *, kind: str, key: str, subject: str, body: str) -> None:
    """`subject`/`body` are msgids with %(…)s placeholders, translated in the applicant's language."""
    applicant = application.applicant
    values = {
        "number": application.registration_number or "",
        "type": application.permit_type.name,
    }
    with translation.override(_language(applicant)):
        notify(
            channels=APPLICANT_CHANNELS,
            kind=f"permits.{kind}",
            subject=_(subject) % values,
            body=_(body) % values,
            dedupe_key=f"permits:application:{application.pk}:{key}",
            recipient=applicant,
            url=_app_url(application),
        )


def handlers(step: WorkflowStep):
    """Who is told about a step's work: its agency's officers (the head when there are none); the head for head steps.

    Heads may act on officer steps too, but hear about them only when a deadline passes.
    """
    from kotapintar.agencies.models import Membership

    memberships = Membership.objects.filter(
        agency_id=step.handling_agency_id or 0, is_active=True, agency__is_active=True, user__is_active=True
    ).select_related("user")
    heads = [m.user for m in memberships if m.role == Membership.Role.HEAD]
    if step.handler_role == HandlerRole.HEAD:
        return heads
    return [m.user for m in memberships if m.role == Membership.Role.OFFICER] or heads


def agency_heads(agency_id: int):
    from kotapintar.agencies.models import Membership

    rows = Membership.objects.filter(
        agency_id=agency_id, role=Membership.Role.HEAD, is_active=True, user__is_active=True
    ).select_related("user")
    return [m.user for m in rows]


def _notify_users(
    users: Iterable, *, application: Application, kind: str, key: str, subject: str, body: str, channels=STAFF_CHANNELS
) -> None:
    values = {
        "number": application.registration_number or "",
        "type": application.permit_type.name,
        "step": application.current_step.name if application.current_step is not None else "",
    }
    for user in users:
        with translation.override(_language(user)):
            notify(
                channels=channels,
                kind=f"permits.{kind}",
                subject=_(subject) % values,
                body=_(body) % values,
                dedupe_key=f"permits:application:{application.pk}:{key}:user:{user.pk}",
                recipient=user,
                url=_staff_url(application),
            )


# --- steps and the clock -------------------------------------------------------------------------------


def _steps(permit_type: PermitType) -> list[WorkflowStep]:
    return sorted(
        WorkflowStep.objects.filter(permit_type=permit_type).select_related(
            "agency", "permit_type__lead_agency", "permit_type__technical_agency"
        ),
        key=lambda s: STAGE_ORDER[s.stage],
    )


def _open_visit(application: Application) -> StepVisit | None:
    return application.visits.filter(completed_at__isnull=True).order_by("-entered_at", "-id").first()


def _close_visit(application: Application, *, outcome: str, actor, now: dt.datetime) -> None:
    visit = _open_visit(application)
    if visit is not None:
        visit.completed_at = now
        visit.outcome = outcome
        visit.handled_by = actor if getattr(actor, "pk", None) else None
        visit.save(update_fields=["completed_at", "outcome", "handled_by"])


def _enter(application: Application, step: WorkflowStep, *, now: dt.datetime) -> StepVisit:
    application.current_step = step
    visit = StepVisit.objects.create(
        application=application, step=step, entered_at=now, due_at=sla.due_after(now, step.deadline_days)
    )
    if not step.is_automatic:
        _event(
            application,
            EventKind.STEP,
            message=_("Now at “%(step)s”, held by %(holder)s.") % {"step": step.name, "holder": holder_label(step)},
            actor_label=_("System"),
            step=step,
            at=now,
        )
        _notify_users(
            handlers(step),
            application=application,
            kind="step",
            key=f"visit:{visit.pk}:arrived",
            subject=gettext_noop("New task: %(number)s (%(type)s)"),
            body=gettext_noop("Application %(number)s (%(type)s) is waiting for you at “%(step)s”."),
        )
    return visit


def _advance(application: Application, *, now: dt.datetime, actor) -> WorkflowStep | None:
    """Close nothing; enter the step after the current one (automatic steps pass at once)."""
    steps = _steps(application.permit_type)
    current = application.current_step
    current_rank = STAGE_ORDER[current.stage] if current is not None else -1
    for step in steps:
        if STAGE_ORDER[step.stage] <= current_rank:
            continue
        _enter(application, step, now=now)
        if step.is_automatic:
            _close_visit(application, outcome=StepVisit.Outcome.DONE, actor=None, now=now)
            current_rank = STAGE_ORDER[step.stage]
            continue
        return step
    return None


def _pause(application: Application, *, reason: str, now: dt.datetime) -> None:
    application.paused_since = now
    Pause.objects.create(application=application, reason=reason, started_at=now)


def _resume(application: Application, *, now: dt.datetime, extend_visit: bool) -> int:
    """End the pause; move the deadlines on by the working days it lasted. Returns those days."""
    started = application.paused_since or now
    days = sla.paused_working_days(started, now)
    Pause.objects.filter(application=application, ended_at__isnull=True).update(ended_at=now, working_days=days)
    application.paused_since = None
    application.paused_working_days += days
    application.due_at = sla.extend(application.due_at, days)
    if extend_visit and days:
        visit = _open_visit(application)
        if visit is not None:
            visit.due_at = sla.extend(visit.due_at, days) or visit.due_at
            visit.paused_working_days += days
            visit.save(update_fields=["due_at", "paused_working_days"])
    return days


def _require_stage(actor, application: Application, *stages: str) -> WorkflowStep:
    step = application.current_step
    if application.status != Status.IN_PROCESS or step is None or step.stage not in stages:
        raise InvalidTransition(
            _("This application is not at that step any more (it is “%(status)s”). Reload the page.")
            % {"status": application.get_status_display()}
        )
    if not policies.handles_step(actor, step):
        raise NotAllowed(_("Only %(holder)s may do this step.") % {"holder": holder_label(step)})
    return step


def _require_applicant(actor, application: Application) -> None:
    if actor is None or application.applicant_id != getattr(actor, "pk", None):
        raise NotAllowed(_("Only the applicant may do this."))


# --- applicant: drafts, documents, submission -------------------------------------------------------


def draft_form_class(permit_type: PermitType, *, draft: bool = True, fields: list | None = None) -> type[forms.Form]:
    """A plain Django form of the type's questions (the views add Bootstrap via core.forms)."""
    from kotapintar.core.forms import Form

    fields = fields if fields is not None else list(permit_type.fields.all())
    attrs: dict[str, Any] = {
        "holder_name": forms.CharField(
            label=_("Name of the permit holder"),
            max_length=100,
            required=not draft,
            help_text=_("A person or a business (e.g. CV Maju Jaya), exactly as it must be printed on the permit."),
        ),
        "holder_address": forms.CharField(label=_("Address of the permit holder"), max_length=200, required=not draft),
    }
    for f in fields:
        attrs[f"f_{f.key}"] = answer_fields.form_field(f, draft=draft)
    return type("ApplicationAnswersForm", (Form,), attrs)


def validate_answers(
    permit_type: PermitType, *, holder_name: str, holder_address: str, data: dict
) -> dict[str, list[str]]:
    """Errors of the stored answers against the type's rules as at submission ({form field: [messages]})."""
    fields = list(permit_type.fields.all())
    form_data = {"holder_name": holder_name, "holder_address": holder_address}
    for f in fields:
        form_data[f"f_{f.key}"] = answer_fields.to_form_value(f, data.get(f.key))
    form = draft_form_class(permit_type, draft=False, fields=fields)(data=form_data)
    form.is_valid()
    return {name: [str(e) for e in errors] for name, errors in form.errors.items()}


def clean_answers(permit_type: PermitType, cleaned: dict) -> dict:
    """The JSON answers from a cleaned form (keys f_<key>)."""
    result = {}
    for f in permit_type.fields.all():
        name = f"f_{f.key}"
        if name in cleaned:
            value = answer_fields.to_json(f, cleaned[name])
            if value is not None and not (f.kind == FieldKind.BOOLEAN and value is False):
                result[f.key] = value
    return result


@transaction.atomic
def application_start(
    *,
    applicant,
    permit_type: PermitType,
    client_key: str = "",
    kind: str = ApplicationKind.NEW,
    previous_permit: Permit | None = None,
) -> tuple[Application, bool]:
    """Open a draft application; with the same form token twice, return the first one (created False)."""
    if applicant is None or not getattr(applicant, "is_authenticated", False):
        raise NotAllowed(_("Sign in to apply for a permit."))
    client_key = (client_key or "")[:64]
    if client_key:
        existing = Application.objects.filter(applicant=applicant, client_key=client_key).first()
        if existing is not None:
            return existing, False
    if not permit_type.is_active:
        raise DomainError(
            _("Applications for %(type)s are closed at the moment. Ask the one-stop office (DPMPTSP).")
            % {"type": permit_type.name},
            code="type_closed",
        )
    application = Application(
        permit_type=permit_type,
        applicant=applicant,
        client_key=client_key,
        kind=kind,
        previous_permit=previous_permit,
        holder_name=(previous_permit.holder_name if previous_permit else applicant.full_name)[:100],
        holder_address=previous_permit.holder_address if previous_permit else "",
        data=dict(previous_permit.application.data) if previous_permit and previous_permit.application else {},
    )
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError:
        # The same form was sent twice at the same moment: the other request created it.
        return Application.objects.get(applicant=applicant, client_key=client_key), False
    _event(application, EventKind.CREATED, actor_label=_("Applicant"))
    audit.record(
        actor=applicant,
        action="permit_application.create",
        obj=application,
        after={
            "permit_type": permit_type.code,
            "kind": kind,
            "previous_permit": getattr(previous_permit, "number", None),
        },
    )
    return application, True


@transaction.atomic
def application_save_answers(
    *, actor, application: Application, holder_name: str, holder_address: str, data: dict
) -> Application:
    """Store the applicant's answers (a draft, or an application returned for completion)."""
    locked = _lock(application)
    _require_applicant(actor, locked)
    if locked.status not in (Status.DRAFT, Status.RETURNED):
        raise InvalidTransition(_("The answers can no longer be changed: the application is being processed."))
    keys = {f.key for f in locked.permit_type.fields.all()}
    before = {"holder_name": locked.holder_name, "holder_address": locked.holder_address, "data": locked.data}
    locked.holder_name = _clean_text(holder_name, 100)
    locked.holder_address = _clean_text(holder_address, 200)
    locked.data = {k: v for k, v in data.items() if k in keys}
    locked.save(update_fields=["holder_name", "holder_address", "data", "updated_at"])
    after = {"holder_name": locked.holder_name, "holder_address": locked.holder_address, "data": locked.data}
    if before != after:
        audit.record(actor=actor, action="permit_application.answers", obj=locked, before=before, after=after)
    _sync(locked, application)
    return application


@transaction.atomic
def document_upload(*, actor, application: Application, requirement: RequiredDocument, uploaded) -> ApplicationDocument:
    """Attach one required document (checked by content and size); a new upload replaces the old one."""
    locked = _lock(application)
    _require_applicant(actor, locked)
    if locked.status not in (Status.DRAFT, Status.RETURNED):
        raise InvalidTransition(_("Documents can only be added to a draft or to an application returned to you."))
    if requirement.permit_type_id != locked.permit_type_id:
        raise DomainError(_("This document does not belong to this permit type."), code="wrong_document")
    checked = uploads.check_upload(uploaded, kinds=requirement.kinds, max_bytes=requirement.max_bytes)
    return _store_document(
        locked,
        checked,
        actor=actor,
        requirement=requirement,
        kind=ApplicationDocument.Kind.REQUIREMENT,
        label=requirement.label,
    )


def _store_document(application, checked, *, actor, requirement, kind, label) -> ApplicationDocument:
    path = uploads.store(checked)
    try:
        previous = ApplicationDocument.objects.filter(application=application, kind=kind, is_current=True)
        if requirement is not None:
            previous = previous.filter(requirement=requirement)
        replaced = list(previous.values_list("pk", flat=True)) if requirement is not None else []
        if replaced:
            ApplicationDocument.objects.filter(pk__in=replaced).update(is_current=False)
        document = ApplicationDocument.objects.create(
            application=application,
            requirement=requirement,
            kind=kind,
            label=label,
            path=path,
            original_name=checked.original_name,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            uploaded_by=actor if getattr(actor, "pk", None) else None,
        )
        audit.record(
            actor=actor,
            action="permit_document.upload",
            obj=document,
            label=f"{application} — {label}",
            after={"kind": kind, "size": checked.size, "sha256": checked.sha256, "replaces": replaced},
        )
    except Exception:
        uploads.remove(path)
        raise
    return document


def current_documents(application: Application) -> dict[int, ApplicationDocument]:
    """The current upload of each required document, by requirement id."""
    rows = ApplicationDocument.objects.filter(
        application=application, kind=ApplicationDocument.Kind.REQUIREMENT, is_current=True
    )
    return {d.requirement_id: d for d in rows if d.requirement_id}


def missing_mandatory(application: Application) -> list[RequiredDocument]:
    present = current_documents(application)
    return [r for r in application.permit_type.documents.all() if r.mandatory and r.pk not in present]


def _check_complete(application: Application) -> None:
    errors = validate_answers(
        application.permit_type,
        holder_name=application.holder_name,
        holder_address=application.holder_address,
        data=application.data,
    )
    for requirement in missing_mandatory(application):
        errors.setdefault(f"doc_{requirement.key}", []).append(
            _("Upload “%(document)s”: it is required.") % {"document": requirement.label}
        )
    if errors:
        raise ApplicationIncomplete(
            _("The application is not complete yet. Fix the marked answers and documents, then submit again."),
            fields=errors,
        )


@transaction.atomic
def application_submit(*, actor, application: Application, now: dt.datetime | None = None) -> Application:
    """Submit a draft: it gets its registration number at once and goes to the first step.

    Pressing submit again (a double click, a resent form) returns the application as it is:
    there is one application and one number.
    """
    locked = _lock(application)
    _require_applicant(actor, locked)
    if locked.status != Status.DRAFT:
        if locked.status == Status.WITHDRAWN:
            raise InvalidTransition(_("This application was withdrawn. Start a new one."))
        _sync(locked, application)
        return application
    permit_type = locked.permit_type
    if not permit_type.is_active:
        raise DomainError(
            _("Applications for %(type)s are closed at the moment. Ask the one-stop office (DPMPTSP).")
            % {"type": permit_type.name},
            code="type_closed",
        )
    steps = _steps(permit_type)
    if not steps:
        raise DomainError(_("This permit type has no workflow yet. Ask an administrator."), code="no_workflow")
    if locked.kind in (ApplicationKind.RENEWAL, ApplicationKind.AMENDMENT):
        _check_follow_up(locked.previous_permit, kind=locked.kind, exclude=locked)
    _check_complete(locked)
    now = now or timezone.now()
    before = _snapshot(locked)
    _move(locked, Status.IN_PROCESS)
    year = timezone.localtime(now).year
    seq = numbering.next_in_series(permit_type, NumberSeries.Kind.REGISTRATION, year)
    locked.registration_number = numbering.registration_number(permit_type, seq=seq, year=year)
    locked.submitted_at = now
    locked.due_at = sla.due_after(now, sum(s.deadline_days for s in steps))
    _event(locked, EventKind.SUBMITTED, actor_label=_("Applicant"), at=now)
    _advance(locked, now=now, actor=actor)
    locked.save()
    audit.record(actor=actor, action="permit_application.submit", obj=locked, before=before, after=_snapshot(locked))
    _notify_applicant(
        locked,
        kind="submitted",
        key="submitted",
        subject=gettext_noop("Application %(number)s received"),
        body=gettext_noop(
            "Your application for %(type)s is registered with number %(number)s. Follow "
            "its progress on the application's page."
        ),
    )
    _sync(locked, application)
    return application


# --- staff: completeness, review, fee, decision, signing -------------------------------------------------


@transaction.atomic
def application_return(
    *, actor, application: Application, note: str, missing_documents: list[str] | None = None, now=None
) -> Application:
    """Send the application back to the applicant with what is missing; the clock stops."""
    locked = _lock(application)
    step = _require_stage(actor, locked, Stage.COMPLETENESS, Stage.TECHNICAL_REVIEW)
    note = _clean_text(note)
    keys = {r.key: r for r in locked.permit_type.documents.all()}
    missing = [k for k in (missing_documents or []) if k in keys]
    if not note and not missing:
        raise DomainError(
            _("Say what is missing: tick the documents or write a note for the applicant."), code="note_required"
        )
    now = now or timezone.now()
    before = _snapshot(locked)
    _move(locked, Status.RETURNED)
    locked.return_note = note
    locked.missing_documents = missing
    _pause(locked, reason=Pause.Reason.RETURNED, now=now)
    items = "; ".join(keys[k].label for k in missing)
    message = note
    if items:
        message = (_("Missing documents: %(items)s.") % {"items": items}) + (f"\n{note}" if note else "")
    _event(locked, EventKind.RETURNED, message=message, actor_label=_agency_role_label(step), step=step, at=now)
    locked.save()
    audit.record(
        actor=actor,
        action="permit_application.return",
        obj=locked,
        before=before,
        after={**_snapshot(locked), "missing_documents": missing, "note": note},
    )
    count = locked.pauses.count()
    _notify_applicant(
        locked,
        kind="returned",
        key=f"returned:{count}",
        subject=gettext_noop("Application %(number)s: please complete it"),
        body=gettext_noop(
            "Your application %(number)s (%(type)s) is missing something. Open it to "
            "see what, upload it and send it back."
        ),
    )
    _sync(locked, application)
    return application


@transaction.atomic
def application_resubmit(*, actor, application: Application, note: str = "", now=None) -> Application:
    """The applicant sends a returned application back; deadlines move on by the working days it was away."""
    locked = _lock(application)
    _require_applicant(actor, locked)
    if locked.status != Status.RETURNED:
        if locked.status == Status.IN_PROCESS:
            _sync(locked, application)
            return application  # sent twice
        raise InvalidTransition(_("This application was not returned to you."))
    since = locked.paused_since
    fresh = set(
        ApplicationDocument.objects.filter(
            application=locked, is_current=True, uploaded_at__gte=since, requirement__isnull=False
        ).values_list("requirement__key", flat=True)
    )
    still_missing = [k for k in locked.missing_documents if k not in fresh]
    if still_missing:
        labels = dict(locked.permit_type.documents.values_list("key", "label"))
        raise ApplicationIncomplete(
            _("Upload the documents the office asked for first: %(items)s.")
            % {"items": ", ".join(labels.get(k, k) for k in still_missing)},
            fields={f"doc_{k}": [_("Upload a new version of this document.")] for k in still_missing},
        )
    _check_complete(locked)
    now = now or timezone.now()
    before = _snapshot(locked)
    _move(locked, Status.IN_PROCESS)
    days = _resume(locked, now=now, extend_visit=True)
    locked.missing_documents = []
    message = _clean_text(note)
    _event(locked, EventKind.RESUBMITTED, message=message, actor_label=_("Applicant"), step=locked.current_step, at=now)
    locked.save()
    audit.record(
        actor=actor,
        action="permit_application.resubmit",
        obj=locked,
        before=before,
        after={**_snapshot(locked), "paused_working_days_added": days},
    )
    _notify_users(
        handlers(locked.current_step) if locked.current_step is not None else [],
        application=locked,
        kind="resubmitted",
        key=f"resubmitted:{locked.pauses.count()}",
        subject=gettext_noop("Completed: %(number)s"),
        body=gettext_noop("The applicant completed application %(number)s (%(type)s); it is back at “%(step)s”."),
    )
    _sync(locked, application)
    return application


def _done(locked: Application, *, actor, step: WorkflowStep, kind: str, message: str, now: dt.datetime, internal=False):
    _close_visit(locked, outcome=StepVisit.Outcome.DONE, actor=actor, now=now)
    _event(locked, kind, message=message, actor_label=_agency_role_label(step), step=step, at=now, internal=internal)


@transaction.atomic
def completeness_confirm(*, actor, application: Application, note: str = "", now=None) -> Application:
    """Front office: the application is complete; on to the next step."""
    locked = _lock(application)
    step = _require_stage(actor, locked, Stage.COMPLETENESS)
    missing = missing_mandatory(locked)
    if missing:
        raise DomainError(
            _("Required documents are missing (%(items)s): return the application to the applicant instead.")
            % {"items": ", ".join(r.label for r in missing)},
            code="documents_missing",
        )
    now = now or timezone.now()
    before = _snapshot(locked)
    _done(locked, actor=actor, step=step, kind=EventKind.STEP, message=_("Documents complete."), now=now)
    _after_step(locked, actor=actor, now=now)
    locked.save()
    audit.record(
        actor=actor,
        action="permit_application.complete",
        obj=locked,
        before=before,
        after={**_snapshot(locked), "note": _clean_text(note)},
    )
    _sync(locked, application)
    return application


@transaction.atomic
def review_submit(
    *, actor, application: Application, recommendation: str, note: str, survey_report=None, now=None
) -> Application:
    """Technical agency: the review's recommendation, with the site-survey report when there was a survey."""
    locked = _lock(application)
    step = _require_stage(actor, locked, Stage.TECHNICAL_REVIEW)
    if recommendation not in Recommendation.values:
        raise DomainError(_("Choose a recommendation."), code="recommendation_required")
    note = _clean_text(note)
    if recommendation == Recommendation.REJECT and not note:
        raise DomainError(_("Give the reasons for recommending rejection."), code="note_required")
    now = now or timezone.now()
    before = _snapshot(locked)
    if survey_report is not None:
        checked = uploads.check_upload(survey_report, kinds=["pdf", "jpeg", "png"], max_bytes=10 * 1024 * 1024)
        _store_document(
            locked,
            checked,
            actor=actor,
            requirement=None,
            kind=ApplicationDocument.Kind.SURVEY_REPORT,
            label=str(ApplicationDocument.Kind.SURVEY_REPORT.label),
        )
    locked.recommendation = recommendation
    locked.recommendation_note = note
    _done(
        locked,
        actor=actor,
        step=step,
        kind=EventKind.REVIEWED,
        message=f"{Recommendation(recommendation).label}. {note}".strip(),
        now=now,
        internal=True,
    )
    _event(locked, EventKind.REVIEWED, actor_label=_agency_role_label(step), step=step, at=now)
    _after_step(locked, actor=actor, now=now)
    locked.save()
    audit.record(actor=actor, action="permit_application.review", obj=locked, before=before, after=_snapshot(locked))
    _sync(locked, application)
    return application


def _after_step(locked: Application, *, actor, now: dt.datetime) -> None:
    """Enter the next step; at a fee step of a free type nothing is due, so it passes by itself."""
    step = _advance(locked, now=now, actor=actor)
    if step is not None and step.stage == Stage.FEE_ASSESSMENT and locked.permit_type.is_free:
        _close_visit(locked, outcome=StepVisit.Outcome.DONE, actor=None, now=now)
        _advance(locked, now=now, actor=actor)


def fee_preview(application: Application) -> fees.FeeComputation:
    return fees.compute_fee(application.permit_type, application.data)


def official_for(agency) -> tuple[str, str]:
    """(name, position) of the head of an agency, as printed on letters."""
    from kotapintar.agencies.models import Membership

    membership = (
        Membership.objects.filter(agency=agency, role=Membership.Role.HEAD, is_active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    with translation.override("id"):
        position = _("Head of %(agency)s") % {"agency": agency.name}
    if membership is None:
        return "", position
    return membership.user.full_name, membership.position or position


@transaction.atomic
def fee_assess(
    *, actor, application: Application, amount: Decimal | None = None, reason: str = "", now=None
) -> FeeAssessment | None:
    """Set the fee from the type's rule (or a changed amount, with its reason) and issue the SKRD.

    With a fee to pay the application waits for payment (the clock stops); a zero fee moves it on.
    Returns the assessment (None when nothing is due).
    """
    locked = _lock(application)
    step = _require_stage(actor, locked, Stage.FEE_ASSESSMENT)
    computation = fees.compute_fee(locked.permit_type, locked.data)
    reason = _clean_text(reason)
    if amount is None:
        amount = computation.amount
    if not isinstance(amount, Decimal):
        raise TypeError("fee amounts are Decimal rupiah")
    if amount < 0 or amount != fees.whole_rupiah(amount):
        raise DomainError(_("Enter the fee in whole rupiah, zero or more."), code="invalid_amount")
    lines = [line.as_json() for line in computation.lines]
    if amount != computation.amount:
        if not reason:
            raise DomainError(
                _("The amount differs from the rule's %(computed)s: give the reason for the change.")
                % {"computed": fees.format_rupiah(computation.amount)},
                code="reason_required",
            )
        with translation.override("id"):
            description = locked.permit_type.fee_description or _("Levy for %(permit)s") % {
                "permit": locked.permit_type.name
            }
            lines = [
                {
                    "description": description,
                    "detail": _("Set by the officer: %(reason)s") % {"reason": reason},
                    "amount": str(amount),
                }
            ]
    now = now or timezone.now()
    before = _snapshot(locked)
    assessment = None
    if amount > 0:
        today = timezone.localtime(now).date()
        year = today.year
        seq = numbering.next_in_series(locked.permit_type, NumberSeries.Kind.SKRD, year)
        name, position = official_for(locked.permit_type.lead_agency)
        assessment = FeeAssessment.objects.create(
            application=locked,
            skrd_number=numbering.skrd_number(locked.permit_type, seq=seq, year=year),
            payment_code=numbering.payment_code(locked.permit_type, seq=seq, year=year),
            computed_amount=computation.amount,
            amount=amount,
            lines=lines,
            adjustment_reason=reason if amount != computation.amount else "",
            assessed_by=actor,
            official_name=name,
            official_position=position,
            assessed_at=now,
            due_date=today + dt.timedelta(days=locked.permit_type.payment_days),
        )
    _done(
        locked,
        actor=actor,
        step=step,
        kind=EventKind.ASSESSED,
        message=(
            _("Fee %(amount)s, SKRD %(skrd)s.") % {"amount": fees.format_rupiah(amount), "skrd": assessment.skrd_number}
        )
        if assessment
        else _("No fee is due."),
        now=now,
    )
    if assessment is not None:
        _move(locked, Status.AWAITING_PAYMENT)
        _pause(locked, reason=Pause.Reason.PAYMENT, now=now)
    else:
        _advance(locked, now=now, actor=actor)
    locked.save()
    audit.record(
        actor=actor,
        action="permit_application.fee_assess",
        obj=locked,
        before=before,
        after={
            **_snapshot(locked),
            "computed_amount": computation.amount,
            "amount": amount,
            "reason": reason,
            "skrd": assessment.skrd_number if assessment else None,
        },
    )
    if assessment is not None:
        _notify_applicant(
            locked,
            kind="assessed",
            key=f"assessed:{assessment.pk}",
            subject=gettext_noop("Application %(number)s: fee to pay"),
            body=gettext_noop(
                "The fee for your application %(number)s (%(type)s) is set. Open the "
                "application to download the SKRD and pay."
            ),
        )
    _sync(locked, application)
    return assessment


@dataclass(frozen=True)
class PaymentResult:
    payment: Payment
    created: bool


def _pay(
    *,
    actor,
    assessment: FeeAssessment,
    amount: Decimal,
    channel: str,
    reference: str,
    paid_at: dt.datetime,
    gateway_event_id: str | None = None,
    now: dt.datetime | None = None,
) -> Payment:
    """Record the payment of an assessment and move the application on (inside a transaction)."""
    now = now or timezone.now()
    locked_assessment = FeeAssessment.objects.select_for_update().get(pk=assessment.pk)
    application = _lock(locked_assessment.application)
    if locked_assessment.status != FeeAssessment.Status.UNPAID or application.status != Status.AWAITING_PAYMENT:
        raise DomainError(_("This fee is already paid, or it was cancelled."), code="not_payable")
    if amount != locked_assessment.amount:
        raise DomainError(
            _("The amount paid (%(paid)s) is not the amount due (%(due)s).")
            % {"paid": fees.format_rupiah(amount), "due": fees.format_rupiah(locked_assessment.amount)},
            code="amount_mismatch",
        )
    payment = Payment.objects.create(
        assessment=locked_assessment,
        amount=amount,
        channel=channel,
        gateway_event_id=gateway_event_id,
        reference=_clean_text(reference, 100),
        paid_at=paid_at,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    locked_assessment.status = FeeAssessment.Status.PAID
    locked_assessment.paid_at = paid_at
    locked_assessment.save(update_fields=["status", "paid_at"])
    before = _snapshot(application)
    _move(application, Status.IN_PROCESS)
    days = _resume(application, now=now, extend_visit=False)
    _event(
        application,
        EventKind.PAID,
        message=_("%(amount)s paid (%(channel)s).")
        % {"amount": fees.format_rupiah(amount), "channel": Payment.Channel(channel).label},
        actor_label=_("Payment gateway") if channel == Payment.Channel.GATEWAY else _("Treasury"),
        at=now,
    )
    _advance(application, now=now, actor=actor)
    application.save()
    audit.record(
        actor=actor,
        action="permit_payment.record",
        obj=payment,
        label=f"{application} — {locked_assessment.skrd_number}",
        after={"amount": amount, "channel": channel, "reference": payment.reference, "event": gateway_event_id},
    )
    audit.record(
        actor=actor,
        action="permit_application.paid",
        obj=application,
        before=before,
        after={**_snapshot(application), "paused_working_days_added": days},
    )
    _notify_applicant(
        application,
        kind="paid",
        key=f"paid:{locked_assessment.pk}",
        subject=gettext_noop("Application %(number)s: payment received"),
        body=gettext_noop(
            "We received the fee for your application %(number)s (%(type)s). It continues to the next step."
        ),
    )
    return payment


@transaction.atomic
def payment_record_manual(
    *, actor, application: Application, amount: Decimal, reference: str, paid_on: dt.date | None = None, now=None
) -> Payment:
    """Treasury fallback: record a payment made at the bank or the office."""
    locked = _lock(application)
    if not policies.can_record_payment(actor, locked):
        raise NotAllowed(_("Only the treasury may record payments, and only for applications waiting for payment."))
    reference = _clean_text(reference, 100)
    if not reference:
        raise DomainError(
            _("Enter the payment reference (bank receipt or transaction number)."), code="reference_required"
        )
    if not isinstance(amount, Decimal):
        raise TypeError("fee amounts are Decimal rupiah")
    assessment = locked.assessments.filter(status=FeeAssessment.Status.UNPAID).first()
    if assessment is None:
        raise DomainError(_("There is no unpaid fee on this application."), code="not_payable")
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    paid_on = paid_on or today
    if paid_on > today:
        raise DomainError(_("The payment date cannot be in the future."), code="invalid_date")
    if paid_on < timezone.localtime(assessment.assessed_at).date():
        raise DomainError(_("The payment date cannot be before the SKRD was issued."), code="invalid_date")
    paid_at = timezone.make_aware(dt.datetime.combine(paid_on, dt.time(12, 0)))
    if paid_on == today:
        paid_at = now
    payment = _pay(
        actor=actor,
        assessment=assessment,
        amount=amount,
        channel=Payment.Channel.MANUAL,
        reference=reference,
        paid_at=paid_at,
        now=now,
    )
    _sync(_lock(application), application)
    return payment


def payment_from_gateway(
    *, event_id: str, payment_code: str, amount: Decimal, paid_at: dt.datetime, reference: str
) -> Payment:
    """The gateway reports a payment (after its signature was checked: see gateway.py). Inside its transaction."""
    assessment = FeeAssessment.objects.filter(payment_code=payment_code).first()
    if assessment is None:
        raise DomainError(_("Unknown payment code."), code="unknown_code")
    return _pay(
        actor=None,
        assessment=assessment,
        amount=amount,
        channel=Payment.Channel.GATEWAY,
        reference=reference,
        paid_at=paid_at,
        gateway_event_id=event_id,
    )


@transaction.atomic
def application_approve(*, actor, application: Application, note: str = "", now=None) -> Application:
    """Decision: approve; the draft permit goes to the signing official."""
    locked = _lock(application)
    step = _require_stage(actor, locked, Stage.DECISION)
    if locked.assessments.filter(status=FeeAssessment.Status.UNPAID).exists():
        raise DomainError(_("The fee is not paid yet."), code="unpaid")
    now = now or timezone.now()
    before = _snapshot(locked)
    locked.decision_reason = _clean_text(note)
    _done(locked, actor=actor, step=step, kind=EventKind.APPROVED, message=locked.decision_reason, now=now)
    nxt = _advance(locked, now=now, actor=actor)
    if nxt is None or nxt.stage != Stage.SIGNING:
        raise DomainError(_("This permit type has no signing step. Ask an administrator."), code="no_signing_step")
    locked.save()
    audit.record(actor=actor, action="permit_application.approve", obj=locked, before=before, after=_snapshot(locked))
    _notify_applicant(
        locked,
        kind="approved",
        key="approved",
        subject=gettext_noop("Application %(number)s approved"),
        body=gettext_noop("Your application %(number)s (%(type)s) is approved. The permit is being signed."),
    )
    _sync(locked, application)
    return application


@transaction.atomic
def application_reject(*, actor, application: Application, reason: str, now=None) -> Application:
    """Decision: reject with reasons (at the decision or the signing step)."""
    locked = _lock(application)
    step = _require_stage(actor, locked, Stage.DECISION, Stage.SIGNING)
    reason = _clean_text(reason)
    if not reason:
        raise DomainError(_("Give the reasons for the rejection: the applicant reads them."), code="reason_required")
    now = now or timezone.now()
    before = _snapshot(locked)
    _close_visit(locked, outcome=StepVisit.Outcome.REJECTED, actor=actor, now=now)
    _move(locked, Status.REJECTED)
    locked.decision_reason = reason
    locked.closed_at = now
    locked.assessments.filter(status=FeeAssessment.Status.UNPAID).update(status=FeeAssessment.Status.CANCELLED)
    _event(locked, EventKind.REJECTED, message=reason, actor_label=_agency_role_label(step), step=step, at=now)
    locked.save()
    audit.record(
        actor=actor,
        action="permit_application.reject",
        obj=locked,
        before=before,
        after={**_snapshot(locked), "reason": reason},
    )
    _notify_applicant(
        locked,
        kind="rejected",
        key="rejected",
        subject=gettext_noop("Application %(number)s rejected"),
        body=gettext_noop("Your application %(number)s (%(type)s) was rejected. Open it to read the reasons."),
    )
    _sync(locked, application)
    return application


def _add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, pycalendar.monthrange(year, month)[1]))


def validity(permit_type: PermitType, data: dict, *, start: dt.date) -> dt.date | None:
    """The last valid day of a permit starting on `start` (None: no end date)."""
    months = permit_type.validity_months
    if permit_type.validity_field:
        requested = data.get(permit_type.validity_field)
        try:
            requested_months = int(requested)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            requested_months = 0
        if requested_months > 0:
            months = min(requested_months, months) if months else requested_months
    if not months:
        return None
    return _add_months(start, months) - dt.timedelta(days=1)


def city_name() -> str:
    from kotapintar.regions.selectors import city_name as region_city_name

    return region_city_name() or settings.CITY_NAME or "Kota"


@transaction.atomic
def permit_sign(*, actor, application: Application, now=None) -> Permit:
    """The signing official signs: the permit gets its number (no gaps), is signed and recorded."""
    locked = _lock(application)
    step = _require_stage(actor, locked, Stage.SIGNING)
    permit_type = locked.permit_type
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    previous = locked.previous_permit
    valid_from = today
    if (
        locked.kind == ApplicationKind.RENEWAL
        and previous is not None
        and previous.valid_until
        and previous.valid_until >= today
    ):
        valid_from = previous.valid_until + dt.timedelta(days=1)
    valid_until = validity(permit_type, locked.data, start=valid_from)
    seq = numbering.next_in_series(permit_type, NumberSeries.Kind.PERMIT, today.year)
    number = numbering.format_permit_number(permit_type.number_format, seq=seq, on=today, code=permit_type.code)
    fields_list = list(permit_type.fields.all())
    with translation.override("id"):
        summary = answer_fields.object_summary(permit_type, locked.data, fields_list)
        printed = answer_fields.printed_fields(permit_type, locked.data, fields_list)
        position = _("Head of %(agency)s") % {"agency": step.handling_agency.name}
    from kotapintar.agencies.models import Membership

    membership = Membership.objects.filter(user=actor, agency_id=step.handling_agency_id or 0, is_active=True).first()
    if membership is not None and membership.position:
        position = membership.position
    claims = PermitClaims(
        number=number,
        type_code=permit_type.code,
        holder=locked.holder_name,
        object_summary=summary,
        valid_from=valid_from,
        valid_until=valid_until,
        issued_on=today,
        issuer=settings.CITY_CODE,
    )
    signature = sign_claims(claims)
    from .qr import encode_token

    canonical = claims.canonical_bytes()
    token = encode_token(canonical, signature.kid, signature.value)
    lead = permit_type.lead_agency
    permit = Permit.objects.create(
        application=locked,
        permit_type=permit_type,
        holder=locked.applicant,
        number=number,
        holder_name=claims.holder,
        holder_address=locked.holder_address,
        object_summary=claims.object_summary,
        object_fields=printed,
        valid_from=valid_from,
        valid_until=valid_until,
        issued_on=today,
        issued_at=now,
        issuer_code=settings.CITY_CODE,
        signed_by=actor,
        official_name=actor.full_name,
        official_position=position,
        agency_name=lead.name,
        agency_address=lead.address,
        city_name=city_name(),
        canonical=canonical.decode("utf-8"),
        kid=signature.kid,
        signature=base64.b64encode(signature.value).decode("ascii"),
        token=token,
    )
    before = _snapshot(locked)
    _done(
        locked,
        actor=actor,
        step=step,
        kind=EventKind.SIGNED,
        message=_("Permit number %(number)s.") % {"number": number},
        now=now,
    )
    nxt = _advance(locked, now=now, actor=actor)
    if nxt is None:
        _complete(locked, permit, actor=actor, now=now)
    locked.save()
    audit.record(
        actor=actor,
        action="permit.sign",
        obj=permit,
        after={
            "number": number,
            "kid": signature.kid,
            "valid_from": valid_from,
            "valid_until": valid_until,
            "application": locked.pk,
        },
    )
    audit.record(actor=actor, action="permit_application.sign", obj=locked, before=before, after=_snapshot(locked))
    _sync(locked, application)
    return permit


@transaction.atomic
def permit_release(*, actor, application: Application, now=None) -> Permit:
    """Final check: the signed permit is handed over to the holder."""
    locked = _lock(application)
    step = _require_stage(actor, locked, Stage.HANDOVER)
    permit = Permit.objects.select_for_update().get(application=locked)
    now = now or timezone.now()
    before = _snapshot(locked)
    _close_visit(locked, outcome=StepVisit.Outcome.DONE, actor=actor, now=now)
    _complete(locked, permit, actor=actor, now=now, step=step)
    locked.save()
    audit.record(actor=actor, action="permit_application.release", obj=locked, before=before, after=_snapshot(locked))
    _sync(locked, application)
    return permit


def _complete(
    locked: Application, permit: Permit, *, actor, now: dt.datetime, step: WorkflowStep | None = None
) -> None:
    _move(locked, Status.ISSUED)
    locked.closed_at = now
    locked.current_step = None
    permit.released_at = now
    permit.save(update_fields=["released_at"])
    _event(
        locked,
        EventKind.ISSUED,
        message=_("Permit %(number)s issued.") % {"number": permit.number},
        actor_label=_agency_role_label(step) if step else _("System"),
        step=step,
        at=now,
    )
    previous = locked.previous_permit
    if locked.kind == ApplicationKind.AMENDMENT and previous is not None and previous.revoked_on is None:
        with translation.override("id"):
            reason = _("Replaced by the amended permit %(number)s.") % {"number": permit.number}
        _revoke(previous, actor=actor, reason=reason, effective_on=permit.issued_on, superseded_by=permit, now=now)
    _notify_applicant(
        locked,
        kind="issued",
        key="issued",
        subject=gettext_noop("Permit issued: %(type)s"),
        body=gettext_noop(
            "Your permit for application %(number)s (%(type)s) is issued. Download the "
            "signed permit from the application's page."
        ),
    )
    from . import integration

    integration.offer_survey(locked)


def _revoke(permit: Permit, *, actor, reason: str, effective_on: dt.date, superseded_by: Permit | None, now) -> None:
    before = audit.snapshot(permit, ["revoked_on", "revocation_reason", "superseded_by_id"])
    permit.revoked_on = effective_on
    permit.revoked_at = now
    permit.revocation_reason = reason
    permit.revoked_by = actor if getattr(actor, "pk", None) else None
    permit.superseded_by = superseded_by
    permit.save(update_fields=["revoked_on", "revoked_at", "revocation_reason", "revoked_by", "superseded_by"])
    if permit.application_id:
        _event(permit.application, EventKind.REVOKED, message=reason, actor_label=_("Issuing agency"), at=now)  # type: ignore[arg-type]
    audit.record(
        actor=actor,
        action="permit.revoke",
        obj=permit,
        before=before,
        after=audit.snapshot(permit, ["revoked_on", "revocation_reason", "superseded_by_id"]),
    )
    if permit.holder_id:
        holder = permit.holder
        with translation.override(_language(holder)):
            notify(
                channels=APPLICANT_CHANNELS,
                kind="permits.revoked",
                subject=_("Permit %(number)s revoked") % {"number": permit.number},
                body=_("Your permit %(number)s is revoked from %(date)s. Reason: %(reason)s")
                % {"number": permit.number, "date": effective_on.isoformat(), "reason": reason},
                dedupe_key=f"permits:permit:{permit.pk}:revoked",
                recipient=holder,
                url=reverse("permits:permit_detail", args=[permit.pk]),
            )


def _lock_permit(permit: Permit) -> Permit:
    return Permit.objects.select_for_update(of=("self",)).select_related("permit_type", "application").get(pk=permit.pk)


@transaction.atomic
def permit_revoke(*, actor, permit: Permit, reason: str, effective_on: dt.date | None = None, now=None) -> Permit:
    """Revoke an issued permit (head of the issuing agency), from a date; the verification page shows it."""
    locked = _lock_permit(permit)
    if locked.revoked_on is not None:
        raise InvalidTransition(
            _("This permit is already revoked (from %(date)s).") % {"date": locked.revoked_on.isoformat()}
        )
    if not policies.can_revoke(actor, locked):
        raise NotAllowed(_("Only the head of the issuing agency may revoke permits."))
    reason = _clean_text(reason)
    if not reason:
        raise DomainError(
            _("Give the reason for the revocation: it is shown on the verification page."), code="reason_required"
        )
    now = now or timezone.now()
    effective_on = effective_on or timezone.localtime(now).date()
    if effective_on < locked.issued_on:
        raise DomainError(_("A permit cannot be revoked from before the day it was issued."), code="invalid_date")
    _revoke(locked, actor=actor, reason=reason, effective_on=effective_on, superseded_by=None, now=now)
    for f in ("revoked_on", "revoked_at", "revocation_reason", "revoked_by_id", "superseded_by_id"):
        setattr(permit, f, getattr(locked, f))
    return permit


@transaction.atomic
def application_withdraw(*, actor, application: Application, reason: str = "", now=None) -> Application:
    """The applicant withdraws an application that is not decided yet (a draft, or one in process)."""
    locked = _lock(application)
    _require_applicant(actor, locked)
    if locked.current_step is not None and locked.current_step.stage in (Stage.SIGNING, Stage.HANDOVER):
        raise InvalidTransition(_("The permit is being signed: it can no longer be withdrawn."))
    now = now or timezone.now()
    before = _snapshot(locked)
    _move(locked, Status.WITHDRAWN)
    if locked.paused_since:
        _resume(locked, now=now, extend_visit=False)
    _close_visit(locked, outcome=StepVisit.Outcome.WITHDRAWN, actor=actor, now=now)
    locked.closed_at = now
    locked.assessments.filter(status=FeeAssessment.Status.UNPAID).update(status=FeeAssessment.Status.CANCELLED)
    _event(locked, EventKind.WITHDRAWN, message=_clean_text(reason), actor_label=_("Applicant"), at=now)
    locked.save()
    audit.record(actor=actor, action="permit_application.withdraw", obj=locked, before=before, after=_snapshot(locked))
    _sync(locked, application)
    return application


# --- renewal and amendment -------------------------------------------------------------------------------


def renewal_opens_on(permit: Permit) -> dt.date | None:
    if permit.valid_until is None:
        return None
    return permit.valid_until - dt.timedelta(days=permit.permit_type.renewal_window_days)


def _check_follow_up(permit: Permit | None, *, kind: str, exclude: Application | None = None) -> None:
    if permit is None:
        raise DomainError(_("Choose the permit to renew or amend."), code="no_permit")
    if permit.revoked_on is not None:
        raise DomainError(_("A revoked permit cannot be renewed or amended. Apply for a new permit."), code="revoked")
    permit_type = permit.permit_type
    today = timezone.localdate()
    if kind == ApplicationKind.RENEWAL:
        if not permit_type.allow_renewal or permit.valid_until is None:
            raise DomainError(_("This kind of permit is not renewed. Apply for a new permit."), code="no_renewal")
        opens = renewal_opens_on(permit)
        if opens and today < opens:
            raise DomainError(
                _("Renewal opens on %(date)s (%(days)d days before the permit ends).")
                % {"date": opens.isoformat(), "days": permit_type.renewal_window_days},
                code="too_early",
            )
    elif not permit_type.allow_amendment:
        raise DomainError(_("This kind of permit cannot be amended. Apply for a new permit."), code="no_amendment")
    open_ones = Application.objects.filter(
        previous_permit=permit, status__in=[Status.IN_PROCESS, Status.RETURNED, Status.AWAITING_PAYMENT]
    )
    if exclude is not None:
        open_ones = open_ones.exclude(pk=exclude.pk)
    if open_ones.exists():
        raise DomainError(
            _("An application to renew or amend this permit is already in process."), code="follow_up_open"
        )


@transaction.atomic
def follow_up_start(*, actor, permit: Permit, kind: str, client_key: str = "") -> tuple[Application, bool]:
    """Start renewing or amending a permit: a draft of the same type, pre-filled, linked to the permit."""
    if kind not in (ApplicationKind.RENEWAL, ApplicationKind.AMENDMENT):
        raise ValueError(kind)
    locked = _lock_permit(permit)
    if locked.holder_id != getattr(actor, "pk", None):
        raise NotAllowed(_("Only the holder of the permit may renew or amend it."))
    _check_follow_up(locked, kind=kind)
    return application_start(
        applicant=actor, permit_type=locked.permit_type, client_key=client_key, kind=kind, previous_permit=locked
    )


# --- deadlines: reminders and escalation ---------------------------------------------------------------


@dataclass
class SweepResult:
    reminded: int = 0
    escalated: int = 0
    escalated_further: int = 0
    visits: list[int] = field(default_factory=list)


def sla_sweep(*, now: dt.datetime | None = None) -> SweepResult:
    """Remind handlers of steps due soon; escalate overdue steps to the agency head, then to the issuing agency's head.

    Each notice goes out once per step visit (dedupe keys), however often the task runs.
    """
    now = now or timezone.now()
    result = SweepResult()
    escalate_after = int(getattr(settings, "PERMIT_ESCALATE_AFTER_DAYS", 2))
    candidates = (
        StepVisit.objects.filter(completed_at__isnull=True, application__status=Status.IN_PROCESS)
        .select_related("step", "application")
        .order_by("due_at")
    )
    for visit in candidates.iterator(chunk_size=500):
        if visit.step.is_automatic:
            continue
        state = sla.deadline(visit.due_at, now=now)
        if state.state in ("today", "soon") and visit.reminded_at is None:
            with transaction.atomic():
                if _visit_reminder(visit.pk, now=now):
                    result.reminded += 1
        elif state.state == "overdue":
            level = 2 if state.days >= escalate_after else 1
            if visit.escalation_level < level:
                with transaction.atomic():
                    reached = _visit_escalate(visit.pk, level=level, now=now)
                    if reached >= 1 and visit.escalation_level < 1:
                        result.escalated += 1
                    if reached >= 2:
                        result.escalated_further += 1
                    result.visits.append(visit.pk)
    return result


def _locked_visit(pk: int) -> StepVisit | None:
    visit = (
        StepVisit.objects.select_for_update(of=("self",)).select_related("step", "application").filter(pk=pk).first()
    )
    if visit is None or visit.completed_at is not None:
        return None
    return visit


def _visit_reminder(pk: int, *, now) -> bool:
    visit = _locked_visit(pk)
    if visit is None or visit.reminded_at is not None:
        return False
    visit.reminded_at = now
    visit.save(update_fields=["reminded_at"])
    application = Application.objects.select_related("permit_type", "current_step").get(pk=visit.application_id)
    _event(
        application,
        EventKind.REMINDER,
        message=visit.step.name,
        actor_label=_("System"),
        internal=True,
        step=visit.step,
        at=now,
    )
    audit.record(
        actor=None,
        action="permit_application.reminder",
        obj=application,
        after={"visit": visit.pk, "due_at": visit.due_at},
    )
    _notify_users(
        handlers(visit.step),
        application=application,
        kind="due_soon",
        key=f"visit:{visit.pk}:due_soon",
        subject=gettext_noop("Due soon: %(number)s"),
        body=gettext_noop("Application %(number)s (%(type)s) at “%(step)s” is due soon. Please finish it on time."),
    )
    return True


def _visit_escalate(pk: int, *, level: int, now) -> int:
    visit = _locked_visit(pk)
    if visit is None or visit.escalation_level >= level:
        return visit.escalation_level if visit else 0
    application = Application.objects.select_related("permit_type", "current_step").get(pk=visit.application_id)
    start = visit.escalation_level
    for current in range(start + 1, level + 1):
        if current == 1:
            recipients = {
                u.pk: u for u in [*handlers(visit.step), *agency_heads(visit.step.handling_agency_id or 0)]
            }.values()
        else:
            recipients = agency_heads(application.permit_type.lead_agency_id)
        _notify_users(
            recipients,
            application=application,
            kind="overdue",
            key=f"visit:{visit.pk}:overdue:{current}",
            subject=gettext_noop("Overdue: %(number)s"),
            body=gettext_noop(
                "Application %(number)s (%(type)s) has passed the deadline of “%(step)s”. Please act on it today."
            ),
            channels=ESCALATION_CHANNELS,
        )
    visit.escalation_level = level
    visit.save(update_fields=["escalation_level"])
    _event(
        application,
        EventKind.ESCALATED,
        message=visit.step.name,
        actor_label=_("System"),
        internal=True,
        step=visit.step,
        at=now,
    )
    audit.record(
        actor=None,
        action="permit_application.escalate",
        obj=application,
        before={"escalation_level": start},
        after={"escalation_level": level, "visit": visit.pk, "due_at": visit.due_at},
    )
    return level


# --- configuration ------------------------------------------------------------------------------------


def permit_type_check(
    permit_type: PermitType, *, steps: list[WorkflowStep] | None = None, fields: list | None = None
) -> None:
    """The rules a permit type must meet before applicants can use it (admin and import call this)."""
    numbering.check_number_format(permit_type.number_format)
    clash = PermitType.objects.filter(number_format=permit_type.number_format).exclude(pk=permit_type.pk).first()
    if clash is not None:
        raise DomainError(
            _("%(type)s already uses this number format: give each permit type its own, so numbers never clash.")
            % {"type": clash.name},
            code="number_format_taken",
        )
    fields = fields if fields is not None else list(permit_type.fields.all()) if permit_type.pk else []
    by_key = {f.key: f for f in fields}
    unknown = answer_fields.template_keys(permit_type.object_summary_template) - set(by_key)
    if unknown:
        raise DomainError(
            _("The object summary names fields that do not exist: %(keys)s.") % {"keys": ", ".join(sorted(unknown))},
            code="unknown_field",
        )
    from .models import NUMERIC_KINDS, FeeKind

    if permit_type.fee_kind == FeeKind.PER_UNIT:
        if not permit_type.unit_field_keys:
            raise DomainError(_("A rate rule needs at least one unit field."), code="fee_rule")
        for key in permit_type.unit_field_keys:
            if key not in by_key or by_key[key].kind not in NUMERIC_KINDS:
                raise DomainError(
                    _("The unit field “%(key)s” is not a number field of this type.") % {"key": key}, code="fee_rule"
                )
            if not by_key[key].required:
                raise DomainError(
                    _("The unit field “%(key)s” must be a required field: the fee depends on it.") % {"key": key},
                    code="fee_rule",
                )
    if permit_type.validity_field:
        f = by_key.get(permit_type.validity_field)
        if f is None or f.kind != FieldKind.INTEGER:
            raise DomainError(_("The validity field must be a whole-number field of this type."), code="validity_field")
    steps = steps if steps is not None else list(permit_type.steps.all()) if permit_type.pk else []
    stages = [s.stage for s in steps]
    if len(stages) != len(set(stages)):
        raise DomainError(_("Each stage may appear only once in a workflow."), code="workflow")
    for required in (Stage.DECISION, Stage.SIGNING):
        if steps and required not in stages:
            raise DomainError(
                _("The workflow needs a “%(stage)s” step.") % {"stage": Stage(required).label}, code="workflow"
            )
    if steps and permit_type.fee_kind != FeeKind.FREE and Stage.FEE_ASSESSMENT not in stages:
        raise DomainError(_("A permit with a fee needs a fee assessment step."), code="workflow")
    for step in steps:
        if step.stage == Stage.SIGNING and step.handler_role != HandlerRole.HEAD:
            raise DomainError(_("The signing step is done by the head of the agency."), code="workflow")
        if step.stage == Stage.REGISTRATION and step.deadline_days:
            raise DomainError(_("Registration is immediate: give it 0 working days."), code="workflow")


@transaction.atomic
def permit_type_record(*, actor, permit_type: PermitType, created: bool) -> None:
    """Audit a permit type saved through the admin (after its checks passed), with its full configuration."""
    audit.record(
        actor=actor,
        action="permit_type.create" if created else "permit_type.change",
        obj=permit_type,
        after=configuration_snapshot(permit_type),
    )


def configuration_snapshot(permit_type: PermitType) -> dict:
    return {
        **audit.snapshot(
            permit_type,
            [
                "code",
                "name",
                "is_active",
                "lead_agency_id",
                "technical_agency_id",
                "treasury_agency_id",
                "validity_months",
                "validity_field",
                "fee_kind",
                "fee_amount",
                "fee_unit_fields",
                "fee_minimum",
                "number_format",
            ],
        ),
        "steps": [[s.stage, s.deadline_days, s.agency_id, s.handler_role] for s in permit_type.steps.all()],
        "fields": [[f.key, f.kind, f.required] for f in permit_type.fields.all()],
        "documents": [[d.key, d.allowed_kinds, d.max_size_mb, d.mandatory] for d in permit_type.documents.all()],
    }


# --- import of the shipped defaults -----------------------------------------------------------------------

DEFAULT_TYPES_FILE = Path(__file__).resolve().parent / "data" / "permit_types.yaml"
TYPE_KEYS = (
    "name",
    "document_title",
    "description",
    "validity_months",
    "validity_field",
    "fee_kind",
    "fee_unit_fields",
    "fee_description",
    "fee_rate_label",
    "payment_days",
    "number_format",
    "object_summary_template",
    "conditions",
    "allow_renewal",
    "renewal_window_days",
    "allow_amendment",
)


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


class PermitTypeImportError(DomainError):
    code = "import_failed"


def _agency(code: str | None):
    from kotapintar.agencies.models import Agency

    if not code:
        return None
    agency = Agency.objects.filter(code=code).first()
    if agency is None:
        raise PermitTypeImportError(
            _("Agency %(code)s is missing: run `manage.py import_agencies` first.") % {"code": code}
        )
    return agency


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, float):
        raise PermitTypeImportError(_('Write amounts as text ("25000"), never as floating-point numbers.'))
    return Decimal(str(value))


@transaction.atomic
def permit_types_import(*, actor=None, path=None, update: bool = False) -> ImportResult:
    """Create the permit types of a YAML file (default: Semarang's); existing ones are left alone unless `update`."""
    import yaml

    if actor is not None and access.role_of(actor) != access.ADMIN:
        raise NotAllowed(_("Only administrators may import permit types."))
    source = path or DEFAULT_TYPES_FILE
    with open(source, encoding="utf-8") as handle:
        entries = yaml.safe_load(handle) or []
    result = ImportResult()
    for entry in entries:
        code = str(entry["code"]).strip().upper()
        existing = PermitType.objects.filter(code=code).first()
        if existing is not None and not update:
            result.unchanged.append(code)
            continue
        permit_type = existing or PermitType(code=code)
        for key in TYPE_KEYS:
            if key in entry:
                value = entry[key]
                if key == "conditions":
                    value = (value or "").strip()
                setattr(permit_type, key, value if value is not None else ("" if key != "validity_months" else None))
        permit_type.fee_amount = _decimal(entry.get("fee_amount")) or Decimal(0)
        permit_type.fee_minimum = _decimal(entry.get("fee_minimum")) or Decimal(0)
        permit_type.lead_agency = _agency(entry.get("lead_agency"))
        permit_type.technical_agency = _agency(entry.get("technical_agency"))
        permit_type.treasury_agency = _agency(entry.get("treasury_agency"))
        permit_type.is_active = entry.get("is_active", True)
        fields_rows = [
            _field_row(permit_type, position, row) for position, row in enumerate(entry.get("fields", []), start=1)
        ]
        steps_rows = [
            WorkflowStep(
                permit_type=permit_type,
                stage=row["stage"],
                name=row["name"],
                agency=_agency(row.get("agency")),
                handler_role=row.get("handler_role", HandlerRole.OFFICER),
                deadline_days=int(row.get("deadline_days", 1)),
            )
            for row in entry.get("steps", [])
        ]
        permit_type_check(permit_type, steps=steps_rows, fields=fields_rows)
        permit_type.full_clean(exclude=["lead_agency"] if permit_type.lead_agency is None else None)
        permit_type.save()
        if existing is not None:
            permit_type.fields.all().delete()
            permit_type.documents.all().delete()
            permit_type.steps.all().delete()
        for row in fields_rows:
            row.permit_type = permit_type
            row.save()
        for position, row in enumerate(entry.get("documents", []), start=1):
            RequiredDocument.objects.create(
                permit_type=permit_type,
                key=row["key"],
                label=row["label"],
                help_text=row.get("help_text", ""),
                allowed_kinds=row.get("allowed_kinds", "pdf,jpeg,png"),
                max_size_mb=int(row.get("max_size_mb", 5)),
                mandatory=bool(row.get("mandatory", True)),
                position=position,
            )
        for row in steps_rows:
            row.permit_type = permit_type
            row.save()
        audit.record(
            actor=actor,
            action="permit_type.import",
            obj=permit_type,
            after=configuration_snapshot(permit_type),
        )
        (result.updated if existing is not None else result.created).append(code)
    return result


def _field_row(permit_type: PermitType, position: int, row: dict):
    from .models import PermitField

    choices = row.get("choices") or []
    return PermitField(
        permit_type=permit_type,
        key=row["key"],
        label=row["label"],
        kind=row.get("kind", FieldKind.TEXT),
        required=bool(row.get("required", True)),
        help_text=row.get("help_text", ""),
        choices="\n".join(str(c) for c in choices) if isinstance(choices, list) else str(choices),
        min_value=_decimal(row.get("min_value")),
        max_value=_decimal(row.get("max_value")),
        max_length=row.get("max_length"),
        print_on_permit=bool(row.get("print_on_permit", True)),
        position=position,
    )
