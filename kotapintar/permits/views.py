"""Pages of the permits app: catalogue, application form, tracking, staff queue and actions,
public verification. Thin: reads through selectors, writes through services."""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kotapintar.core import access
from kotapintar.core.errors import DomainError
from kotapintar.core.exports import Column, export_links, export_or_none

from . import fees, forms, gateway, pdfs, policies, selectors, services, sla, uploads
from . import fields as answer_fields
from .models import (
    STAGE_ORDER,
    Application,
    ApplicationKind,
    FeeAssessment,
    Permit,
    Stage,
    Status,
)
from .verification import PermitStatus, check_token, permit_status

logger = logging.getLogger(__name__)

STAFF_ROLES = frozenset({access.AGENCY, access.LEADERSHIP, access.ADMIN})
QUEUE_PAGE = 25


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _pdf_response(content: bytes, filename: str, *, inline: bool = False) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _safe_name(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in text).strip("-") or "dokumen"


# --- catalogue ------------------------------------------------------------------------------------


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The permit types residents can apply for online."""
    types = list(selectors.permit_types_public())
    for t in types:
        t.fee_text = fees.describe_rule(t)  # type: ignore[attr-defined]
    context: dict = {"types": types}
    if request.user.is_authenticated:
        context["my_count"] = len(selectors.applications_of(request.user))
    return render(request, "permits/index.html", context)


@require_GET
def type_detail(request: HttpRequest, code: str) -> HttpResponse:
    permit_type = selectors.permit_type_public(code)
    permit_type.fee_text = fees.describe_rule(permit_type)  # type: ignore[attr-defined]
    return render(
        request,
        "permits/type_detail.html",
        {"permit_type": permit_type, "steps": permit_type.ordered_steps()},
    )


# --- the application form ------------------------------------------------------------------------------


def _render_form(request, permit_type, form, application=None, *, status=200):
    steps = permit_type.ordered_steps()
    return render(
        request,
        "permits/apply.html",
        {
            "permit_type": permit_type,
            "form": form,
            "application": application,
            "steps": steps,
            "fee_text": fees.describe_rule(permit_type),
        },
        status=status,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, code: str) -> HttpResponse:
    """A new application for the permit type `code` (the portal's catalogue links here)."""
    permit_type = selectors.permit_type_public(code)
    if request.method == "POST":
        return _save_form(request, permit_type, application=None)
    form = forms.application_form(permit_type, client_key=forms.new_client_key())
    return _render_form(request, permit_type, form)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def application_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a draft, or complete an application the office returned."""
    application = selectors.application_of(request.user, pk)
    if application.status not in (Status.DRAFT, Status.RETURNED):
        messages.info(request, _("This application is being processed; its answers can no longer be changed."))
        return redirect("permits:application_detail", pk=application.pk)
    permit_type = application.permit_type
    if request.method == "POST":
        return _save_form(request, permit_type, application=application)
    form = forms.application_form(
        permit_type,
        application=application,
        client_key=application.client_key,
        current=services.current_documents(application),
        missing=application.missing_documents,
    )
    return _render_form(request, permit_type, form, application)


def _save_form(request: HttpRequest, permit_type, *, application: Application | None) -> HttpResponse:
    """Save what is valid (nothing typed or uploaded is lost), then submit if asked."""
    action = request.POST.get("action", "save")
    client_key = (request.POST.get("client_key") or "")[:64]
    if application is None:
        try:
            application, created = services.application_start(
                applicant=request.user, permit_type=permit_type, client_key=client_key
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("permits:type_detail", code=permit_type.code)
        if not created and application.status not in (Status.DRAFT, Status.RETURNED):
            # The same form arrived again (double click, resent page): one application.
            messages.info(
                request,
                _("This application was already submitted with number %(number)s.")
                % {"number": application.registration_number},
            )
            return redirect("permits:application_detail", pk=application.pk)
    elif application.status not in (Status.DRAFT, Status.RETURNED):
        messages.info(
            request,
            _("This application was already submitted with number %(number)s.")
            % {"number": application.registration_number},
        )
        return redirect("permits:application_detail", pk=application.pk)
    form = forms.application_form(
        permit_type,
        application=application,
        data=request.POST,
        files=request.FILES,
        client_key=client_key or application.client_key,
        current=services.current_documents(application),
        missing=application.missing_documents,
    )
    form.is_valid()
    data = dict(application.data)
    for f in permit_type.fields.all():
        name = f"f_{f.key}"
        if name in form.errors:
            continue  # keep the earlier answer; the error shows next to the field
        value = answer_fields.to_json(f, form.cleaned_data.get(name))
        if value is None or (f.kind == "boolean" and value is False):
            data.pop(f.key, None)
        else:
            data[f.key] = value
    holder_name = (
        form.cleaned_data.get("holder_name", application.holder_name)
        if "holder_name" not in form.errors
        else application.holder_name
    )
    holder_address = (
        form.cleaned_data.get("holder_address", application.holder_address)
        if "holder_address" not in form.errors
        else application.holder_address
    )
    try:
        services.application_save_answers(
            actor=request.user,
            application=application,
            holder_name=holder_name or "",
            holder_address=holder_address or "",
            data=data,
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("permits:application_detail", pk=application.pk)
    for requirement in permit_type.documents.all():
        uploaded = request.FILES.get(f"doc_{requirement.key}")
        if uploaded is None:
            continue
        try:
            services.document_upload(
                actor=request.user, application=application, requirement=requirement, uploaded=uploaded
            )
        except uploads.UploadRejected as exc:
            form.add_error(f"doc_{requirement.key}", exc.message)
    if not form.errors and action in ("submit", "resubmit"):
        was_returned = application.status == Status.RETURNED
        try:
            if was_returned:
                services.application_resubmit(
                    actor=request.user, application=application, note=request.POST.get("note", "")
                )
            else:
                services.application_submit(actor=request.user, application=application)
        except services.ApplicationIncomplete as exc:
            for name, errors in exc.fields.items():
                for error in errors:
                    form.add_error(name if name in form.fields else None, error)
            if not exc.fields:
                form.add_error(None, exc.message)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            if was_returned:
                messages.success(request, _("Thank you: the application is back with the office."))
            else:
                messages.success(
                    request,
                    _("Your application is registered with number %(number)s.")
                    % {"number": application.registration_number},
                )
            return redirect("permits:application_detail", pk=application.pk)
    if form.errors:
        # Fresh bound form so the "uploaded" notes reflect what was stored just now.
        errors = form.errors
        form = forms.application_form(
            permit_type,
            application=application,
            data=request.POST,
            client_key=application.client_key,
            current=services.current_documents(application),
            missing=application.missing_documents,
        )
        form.is_valid()
        for name, field_errors in errors.items():
            for error in field_errors:
                if error not in form.errors.get(name, []):
                    form.add_error(name if name in form.fields and name != "__all__" else None, error)
        return _render_form(request, permit_type, form, application, status=400)
    messages.success(request, _("Draft saved. You can come back and finish it later."))
    return redirect("permits:application_edit", pk=application.pk)


# --- tracking ----------------------------------------------------------------------------------------


def _progress(application: Application) -> list[dict]:
    """The steps of the type with what happened at each (done, current, to come)."""
    visits = list(application.visits.select_related("step").order_by("entered_at", "id"))
    by_step: dict[int, list] = {}
    for visit in visits:
        by_step.setdefault(visit.step_id, []).append(visit)
    current = application.current_step
    current_rank = STAGE_ORDER[current.stage] if current is not None else None
    rows = []
    for step in application.permit_type.ordered_steps():
        step_visits = by_step.get(step.pk, [])
        last = step_visits[-1] if step_visits else None
        if application.status == Status.ISSUED or (
            last and last.completed_at and (current_rank is None or step.rank < current_rank)
        ):
            state = "done" if last else "skipped"
        elif application.current_step_id == step.pk and application.is_open:
            state = "current"
        elif last and last.completed_at:
            state = "done"
        else:
            state = "todo"
        rows.append(
            {
                "step": step,
                "state": state,
                "visit": last,
                "holder": services.holder_label(step),
                "deadline": sla.deadline(last.due_at, paused=application.is_paused)
                if state == "current" and last
                else None,
            }
        )
    return rows


@never_cache
@login_required
@require_GET
def my_applications(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "permits/my_applications.html",
        {"applications": selectors.applications_of(request.user), "permits": selectors.permits_of(request.user)},
    )


def _applicant_context(request, application: Application) -> dict:
    assessment = selectors.live_assessment(application)
    permit = Permit.objects.filter(application=application).first()
    missing = {}
    if application.missing_documents:
        missing = dict(application.permit_type.documents.values_list("key", "label"))
    return {
        "application": application,
        "progress": _progress(application),
        "events": selectors.timeline(application, staff=False),
        "documents": selectors.documents(application, staff=False),
        "answers": answer_fields.answers(application.permit_type, application.data),
        "assessment": assessment,
        "permit": permit if permit and permit.is_released else None,
        "missing_labels": [missing.get(k, k) for k in application.missing_documents],
        "deadline": sla.deadline(application.due_at, paused=application.is_paused) if application.is_open else None,
        "holder": services.holder_label(application.current_step),
        "simulator": gateway.simulator_enabled(),
        "withdraw_form": forms.WithdrawForm(),
        "can_withdraw": application.status
        in (Status.DRAFT, Status.IN_PROCESS, Status.RETURNED, Status.AWAITING_PAYMENT)
        and not (
            application.current_step is not None and application.current_step.stage in (Stage.SIGNING, Stage.HANDOVER)
        ),
    }


@never_cache
@login_required
@require_GET
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.application_of(request.user, pk)
    return render(request, "permits/application_detail.html", _applicant_context(request, application))


@login_required
@require_POST
def application_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.application_of(request.user, pk)
    form = forms.WithdrawForm(request.POST)
    form.is_valid()
    try:
        services.application_withdraw(
            actor=request.user, application=application, reason=form.cleaned_data.get("reason", "")
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The application is withdrawn."))
    return redirect("permits:application_detail", pk=application.pk)


@never_cache
@login_required
@require_GET
def document_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A private document, streamed after the access check (never a public URL)."""
    document = selectors.document_for(request.user, pk)
    try:
        handle = open(uploads.absolute(document.path), "rb")  # noqa: SIM115 (FileResponse closes it)
    except (OSError, ValueError) as exc:
        logger.error("document %s is missing on disk", document.pk)
        raise Http404 from exc
    ext = document.path.rsplit(".", 1)[-1]
    response = FileResponse(
        handle,
        content_type=document.content_type,
        as_attachment=True,
        filename=f"{_safe_name(document.label)}.{ext}",
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _assessment_of_application(request, pk: int) -> FeeAssessment:
    application = access.get_object_or_404(Application.objects.all(), request.user, pk=pk)
    assessment = selectors.live_assessment(application)
    if assessment is None:
        raise Http404
    return assessment


@never_cache
@login_required
@require_GET
def skrd_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The SKRD of an application (applicant, or staff who may see it)."""
    assessment = _assessment_of_application(request, pk)
    return _pdf_response(pdfs.skrd_pdf(assessment), f"SKRD-{_safe_name(assessment.skrd_number)}.pdf")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def pay(request: HttpRequest, pk: int) -> HttpResponse:
    """Pay the fee: the simulated gateway when it is on (demo), else the payment code to use."""
    application = selectors.application_of(request.user, pk)
    assessment = selectors.live_assessment(application)
    if assessment is None:
        raise Http404
    if assessment.status == FeeAssessment.Status.PAID or application.status != Status.AWAITING_PAYMENT:
        messages.info(request, _("This fee is already paid."))
        return redirect("permits:application_detail", pk=application.pk)
    if request.method == "POST":
        if not gateway.simulator_enabled():
            raise Http404
        try:
            result = gateway.simulate_payment(assessment)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("permits:application_detail", pk=application.pk)
        if result.ok:
            messages.success(request, _("Payment received. Thank you: your application continues."))
        else:
            messages.error(
                request,
                _("The payment was not accepted: %(message)s")
                % {"message": result.body.get("error", {}).get("message", "")},
            )
        return redirect("permits:application_detail", pk=application.pk)
    return render(
        request,
        "permits/gateway.html",
        {"application": application, "assessment": assessment, "simulator": gateway.simulator_enabled()},
    )


# --- permits --------------------------------------------------------------------------------------------


@never_cache
@login_required
@require_GET
def permit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    permit = selectors.permit_of(request.user, pk)
    today = timezone.localdate()
    renew_opens = services.renewal_opens_on(permit)
    return render(
        request,
        "permits/permit_detail.html",
        {
            "permit": permit,
            "verify_url": pdfs.verify_url(permit),
            "is_holder": permit.holder_id == request.user.pk,
            "can_renew": permit.permit_type.allow_renewal
            and not permit.is_revoked
            and permit.valid_until is not None
            and (renew_opens is None or today >= renew_opens),
            "renew_opens": renew_opens,
            "can_amend": permit.permit_type.allow_amendment
            and not permit.is_revoked
            and permit.status != PermitStatus.EXPIRED,  # type: ignore[attr-defined]
        },
    )


@never_cache
@login_required
@require_GET
def permit_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    permit = selectors.permit_of(request.user, pk)
    return _pdf_response(pdfs.permit_pdf(permit), f"izin-{_safe_name(permit.number)}.pdf")


@login_required
@require_POST
def follow_up(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """Renew or amend a permit: a new application, linked to it, pre-filled."""
    permit = selectors.permit_of(request.user, pk)
    if kind not in (ApplicationKind.RENEWAL, ApplicationKind.AMENDMENT):
        raise Http404
    try:
        application, _created = services.follow_up_start(
            actor=request.user, permit=permit, kind=kind, client_key=request.POST.get("client_key", "")
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("permits:permit_detail", pk=permit.pk)
    return redirect("permits:application_edit", pk=application.pk)


# --- public verification -------------------------------------------------------------------------------


@never_cache
@require_GET
def verify(request: HttpRequest, code: str) -> HttpResponse:
    """The page a permit's QR opens: authentic or not, and valid / expired / revoked. No sign-in."""
    result = verify_code(code)
    return render(request, "permits/verify.html", {"result": result})


def verify_code(code: str) -> dict:
    """What the page and the API say about a code. Never raises: anything wrong is "not valid"."""
    check = check_token(code)
    if not check.authentic or check.claims is None:
        return {"authentic": False, "status": "invalid"}
    claims = check.claims
    permit = selectors.permit_for_verification(claims.number)
    if permit is None or permit.token != code:
        # Signed, but not what the register holds: never presented as valid.
        logger.info("verification: authentic token for %s not in the register", claims.number)
        return {"authentic": False, "status": "invalid"}
    status = permit_status(claims, revoked_on=permit.revoked_on)
    return {
        "authentic": True,
        "status": str(status),
        "number": claims.number,
        "type_code": claims.type_code,
        "type_name": permit.permit_type.name,
        "holder": claims.holder,
        "object": claims.object_summary,
        "valid_from": claims.valid_from,
        "valid_until": claims.valid_until,
        "issued_on": claims.issued_on,
        "issuer": claims.issuer,
        "city_name": permit.city_name,
        "agency_name": permit.agency_name,
        "key_id": check.kid,
        "revoked_on": permit.revoked_on if status == PermitStatus.REVOKED else None,
        "revocation_reason": permit.revocation_reason if status == PermitStatus.REVOKED else "",
        "replaced_by": permit.superseded_by.number  # type: ignore[union-attr]
        if status == PermitStatus.REVOKED and permit.superseded_by_id
        else "",
    }


# --- staff ----------------------------------------------------------------------------------------------


def _require_staff(request: HttpRequest) -> None:
    if access.role_of(request.user) not in STAFF_ROLES:
        raise Http404


def _row_deadline(application: Application):
    visits = getattr(application, "open_visits", None)
    visit = visits[0] if visits else None
    if application.status == Status.IN_PROCESS and visit is not None:
        return sla.deadline(visit.due_at)
    if application.is_paused:
        return sla.deadline(None, paused=True)
    return None


QUEUE_COLUMNS = [
    Column(gettext_lazy("Registration number"), "registration_number"),
    Column(gettext_lazy("Permit type"), "permit_type.name"),
    Column(gettext_lazy("Status"), "get_status_display"),
    Column(gettext_lazy("Step"), lambda a: a.current_step.name if a.current_step_id else ""),
    Column(gettext_lazy("Submitted"), "submitted_at"),
    Column(gettext_lazy("Due"), "due_at"),
    Column(gettext_lazy("Permit holder"), "holder_name"),
]


@never_cache
@login_required
@require_GET
def staff_queue(request: HttpRequest) -> HttpResponseBase:
    """Work queue: what waits for me, everything open, closed; with deadline badges."""
    _require_staff(request)
    scope = request.GET.get("scope") or ("mine" if policies.is_staff(request.user) else "open")
    if scope not in ("mine", "open", "closed"):
        scope = "mine"
    query = request.GET.get("q", "")
    rows = selectors.queue(request.user, scope=scope, query=query)
    exported = export_or_none(request, rows, QUEUE_COLUMNS, _("permit-applications"))
    if exported is not None:
        return exported
    page = Paginator(rows, QUEUE_PAGE).get_page(request.GET.get("page"))
    for application in page.object_list:
        application.deadline = _row_deadline(application)  # type: ignore[attr-defined]
        application.holder = services.holder_label(application.current_step)  # type: ignore[attr-defined]
    context = {
        "page": page,
        "scope": scope,
        "q": query,
        "export_links": export_links(request),
        "counts": {"mine": selectors.my_tasks(request.user).count()},
    }
    template = "permits/staff/_queue_list.html" if _is_htmx(request) else "permits/staff/queue.html"
    return render(request, template, context)


def queue_card_context(request: HttpRequest) -> dict | None:
    """The staff home card: my tasks, with the most urgent first."""
    user = request.user
    if not policies.is_permit_staff(user) and access.role_of(user) not in (access.LEADERSHIP, access.ADMIN):
        return None
    rows = list(selectors.queue(user, scope="mine" if policies.is_staff(user) else "open")[:5])
    for application in rows:
        application.deadline = _row_deadline(application)  # type: ignore[attr-defined]
    mine = selectors.my_tasks(user)
    now = timezone.now()
    overdue = (
        sum(1 for a in selectors.queue(user, scope="mine").filter(due_at__lt=now)) if policies.is_staff(user) else 0
    )
    return {"rows": rows, "count": mine.count(), "overdue": overdue}


def _staff_forms(application: Application, user, bound: dict | None = None) -> dict:
    bound = bound or {}
    result: dict = {}
    stage = application.current_step.stage if application.current_step is not None else None
    if policies.can_act(user, application):
        if stage == Stage.COMPLETENESS:
            result["complete_form"] = bound.get("complete") or forms.NoteForm(prefix="complete")
            result["return_form"] = bound.get("return") or forms.ReturnForm(
                prefix="return", permit_type=application.permit_type
            )
        elif stage == Stage.TECHNICAL_REVIEW:
            result["review_form"] = bound.get("review") or forms.ReviewForm(prefix="review")
            result["return_form"] = bound.get("return") or forms.ReturnForm(
                prefix="return", permit_type=application.permit_type
            )
        elif stage == Stage.FEE_ASSESSMENT:
            try:
                computation = services.fee_preview(application)
                result["fee_computation"] = computation
                result["fee_form"] = bound.get("assess") or forms.FeeForm(
                    prefix="assess", initial={"amount": str(int(computation.amount))}, computed=computation.amount
                )
            except DomainError as exc:
                result["fee_error"] = exc.message
                result["return_form"] = bound.get("return") or forms.ReturnForm(
                    prefix="return", permit_type=application.permit_type
                )
        elif stage == Stage.DECISION:
            result["decision_form"] = bound.get("decide") or forms.DecisionForm(prefix="decide")
        elif stage == Stage.SIGNING:
            result["sign_ready"] = True
            result["decision_form"] = bound.get("decide") or forms.DecisionForm(prefix="decide")
        elif stage == Stage.HANDOVER:
            result["release_ready"] = True
    if policies.can_record_payment(user, application):
        assessment = selectors.live_assessment(application)
        result["payment_form"] = bound.get("pay") or forms.ManualPaymentForm(
            prefix="pay",
            initial={"amount": str(assessment.amount) if assessment else "", "paid_on": timezone.localdate()},
        )
    return result


def _staff_context(request, application: Application, bound: dict | None = None) -> dict:
    permit = Permit.objects.filter(application=application).first()
    visit = selectors.open_visit(application)
    return {
        "application": application,
        "progress": _progress(application),
        "events": selectors.timeline(application, staff=True),
        "documents": selectors.documents(application, staff=True),
        "answers": answer_fields.answers(application.permit_type, application.data),
        "assessment": selectors.live_assessment(application),
        "permit": permit,
        "visit": visit,
        "deadline": sla.deadline(visit.due_at)
        if visit and application.status == Status.IN_PROCESS
        else (sla.deadline(None, paused=True) if application.is_paused else None),
        "holder": services.holder_label(application.current_step),
        "can_act": policies.can_act(request.user, application),
        "missing_mandatory": services.missing_mandatory(application) if application.is_open else [],
        **_staff_forms(application, request.user, bound),
    }


@never_cache
@login_required
@require_GET
def staff_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_staff(request)
    application = selectors.staff_application(request.user, pk)
    return render(request, "permits/staff/detail.html", _staff_context(request, application))


STAFF_ACTIONS = ("complete", "return", "review", "assess", "decide", "sign", "release", "pay")


@login_required
@require_POST
def staff_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One staff action on an application; errors are shown on the same page, next to the form."""
    _require_staff(request)
    if action not in STAFF_ACTIONS:
        raise Http404
    application = selectors.staff_application(request.user, pk)
    form = None
    try:
        form, done = _run_action(request, application, action)
    except DomainError as exc:
        if form is None:
            messages.error(request, exc.message)
            return redirect("permits:staff_detail", pk=application.pk)
        form.add_error(None, exc.message)
        done = None
    if done:
        messages.success(request, done)
        return redirect("permits:staff_detail", pk=application.pk)
    application = selectors.staff_application(request.user, pk)
    return render(
        request, "permits/staff/detail.html", _staff_context(request, application, {action: form}), status=400
    )


def _run_action(request, application: Application, action: str):
    user = request.user
    post, files = request.POST, request.FILES
    form: Any = None
    if action == "complete":
        form = forms.NoteForm(post, prefix="complete")
        if form.is_valid():
            _guard(
                form,
                lambda: services.completeness_confirm(
                    actor=user, application=application, note=form.cleaned_data["note"]
                ),
            )
            return form, _("Marked complete; the application moved on.") if not form.errors else None
    elif action == "return":
        form = forms.ReturnForm(post, prefix="return", permit_type=application.permit_type)
        if form.is_valid():
            _guard(
                form,
                lambda: services.application_return(
                    actor=user,
                    application=application,
                    note=form.cleaned_data["note"],
                    missing_documents=form.cleaned_data["missing_documents"],
                ),
            )
            return form, _("Returned to the applicant; the clock stops until they answer.") if not form.errors else None
    elif action == "review":
        form = forms.ReviewForm(post, files, prefix="review")
        if form.is_valid():
            _guard(
                form,
                lambda: services.review_submit(
                    actor=user,
                    application=application,
                    recommendation=form.cleaned_data["recommendation"],
                    note=form.cleaned_data["note"],
                    survey_report=form.cleaned_data.get("survey_report"),
                ),
                field="survey_report",
            )
            return form, _("Review recorded; the application moved on.") if not form.errors else None
    elif action == "assess":
        computed = None
        with contextlib.suppress(DomainError):
            computed = services.fee_preview(application).amount
        form = forms.FeeForm(post, prefix="assess", computed=computed)
        if form.is_valid():
            _guard(
                form,
                lambda: services.fee_assess(
                    actor=user,
                    application=application,
                    amount=form.cleaned_data["amount"],
                    reason=form.cleaned_data["reason"],
                ),
            )
            return form, _("Fee assessed and SKRD issued; the applicant is told to pay.") if not form.errors else None
    elif action == "decide":
        form = forms.DecisionForm(post, prefix="decide")
        if form.is_valid():
            if form.cleaned_data["decision"] == "approve":
                _guard(
                    form,
                    lambda: services.application_approve(
                        actor=user, application=application, note=form.cleaned_data["reason"]
                    ),
                )
                return form, _("Approved; the permit goes to signing.") if not form.errors else None
            _guard(
                form,
                lambda: services.application_reject(
                    actor=user, application=application, reason=form.cleaned_data["reason"]
                ),
            )
            return form, _("Rejected; the applicant is told why.") if not form.errors else None
    elif action == "sign":
        permit = services.permit_sign(actor=user, application=application)
        return None, _("Signed: permit number %(number)s.") % {"number": permit.number}
    elif action == "release":
        permit = services.permit_release(actor=user, application=application)
        return None, _("Permit %(number)s released to the holder.") % {"number": permit.number}
    elif action == "pay":
        form = forms.ManualPaymentForm(post, prefix="pay")
        if form.is_valid():
            _guard(
                form,
                lambda: services.payment_record_manual(
                    actor=user,
                    application=application,
                    amount=form.cleaned_data["amount"],
                    reference=form.cleaned_data["reference"],
                    paid_on=form.cleaned_data["paid_on"],
                ),
            )
            return form, _("Payment recorded; the application moved on.") if not form.errors else None
    return form, None


def _guard(form, call, *, field: str | None = None) -> None:
    try:
        call()
    except uploads.UploadRejected as exc:
        form.add_error(field, exc.message)
    except DomainError as exc:
        form.add_error(None, exc.message)


@never_cache
@login_required
@require_GET
def staff_permits(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    query = request.GET.get("q", "")
    page = Paginator(selectors.staff_permits(request.user, query=query), QUEUE_PAGE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    for permit in page.object_list:
        permit.status = permit.status_on(today)  # type: ignore[attr-defined]
    return render(request, "permits/staff/permits.html", {"page": page, "q": query})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def staff_permit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_staff(request)
    permit = selectors.staff_permit(request.user, pk)
    form = forms.RevokeForm(prefix="revoke")
    status = 200
    if request.method == "POST":
        form = forms.RevokeForm(request.POST, prefix="revoke")
        if form.is_valid():
            try:
                with transaction.atomic():
                    services.permit_revoke(
                        actor=request.user,
                        permit=permit,
                        reason=form.cleaned_data["reason"],
                        effective_on=form.cleaned_data.get("effective_on"),
                    )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Permit %(number)s is revoked.") % {"number": permit.number})
                return redirect("permits:staff_permit_detail", pk=permit.pk)
        status = 400
    return render(
        request,
        "permits/staff/permit_detail.html",
        {
            "permit": permit,
            "verify_url": pdfs.verify_url(permit),
            "revoke_form": form if policies.can_revoke(request.user, permit) else None,
        },
        status=status,
    )
