"""Staff pages of Lapor: the verifier desk, the agency inbox, a report's staff page, and the
leadership overview (mounted under /lapor/staf/ by reports/urls_staff.py).

Thin views: reads through reports.selectors (scoped: a report the user may not see is a
404, exactly like a missing one), every action posts to a view that calls ONE service and
shows a domain error (not allowed, wrong step, invalid input) as a clear message next to
the form. Staff must have passed two-factor sign-in (accounts middleware).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from kotapintar.agencies.models import Agency
from kotapintar.core import access
from kotapintar.core.errors import DomainError
from kotapintar.core.exports import Column, export_links, export_or_none

from .. import actions as report_actions
from .. import desk_selectors, desk_services, duplicates, selectors, services, sla
from ..errors import ReportInvalid
from ..forms_staff import (
    AssignForm,
    BulkForm,
    DispositionForm,
    FollowUpForm,
    InboxFilterForm,
    MergeForm,
    NoteForm,
    OverviewFilterForm,
    PrivacyForm,
    RecategoriseForm,
    RequestInfoForm,
    RerouteForm,
    ResolveForm,
    RevealForm,
    SetAsideForm,
    TriageFilterForm,
    VerifyForm,
    add_service_errors,
)
from ..models import AGENCY_STATUSES, OPEN_STATUSES, Disposition, Report, Status
from ..policies import TRIAGE, can_see_reporter

logger = logging.getLogger(__name__)

STAFF_ROLES = frozenset({access.VERIFIER, access.AGENCY, access.LEADERSHIP, access.ADMIN})
DESK_ROLES = frozenset({access.VERIFIER, access.ADMIN})
INBOX_ROLES = frozenset({access.AGENCY, access.VERIFIER, access.LEADERSHIP, access.ADMIN})
OVERVIEW_ROLES = frozenset({access.LEADERSHIP, access.ADMIN, access.VERIFIER})

ESCALATION_LABELS = {
    1: gettext_lazy("Reminder to the officer"),
    2: gettext_lazy("Escalated to the agency head"),
    3: gettext_lazy("Escalated to leadership"),
}


def _require_role(request: HttpRequest, roles: frozenset[str]) -> None:
    """Staff pages are not even admitted to exist for other roles (404, as hidden rows)."""
    if access.role_of(request.user) not in roles:
        raise Http404


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _back(request: HttpRequest, default: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect(default)


def _detail_url(report: Report) -> str:
    return reverse("reports:staff_detail", kwargs={"tracking_number": report.tracking_number})


def nav_flags(user: Any) -> dict[str, bool]:
    """Which staff pages of Lapor the user's role opens (the tabs above every page)."""
    role = access.role_of(user)
    return {
        "desk": role in DESK_ROLES,
        "inbox": role in INBOX_ROLES,
        "overview": role in OVERVIEW_ROLES,
    }


# --- export ----------------------------------------------------------------------------------------


def _deadline_state_label(report: Report) -> str:
    from ..models import DeadlineState

    return str(DeadlineState(sla.deadline_state(report)).label)


#: Columns of the list downloads. No reporter identity, ever: agencies download these.
EXPORT_COLUMNS = [
    Column(gettext_lazy("Tracking number"), "tracking_number"),
    Column(gettext_lazy("Filed"), "created_at"),
    Column(gettext_lazy("Kind"), "get_kind_display"),
    Column(gettext_lazy("Category"), "category.name"),
    Column(gettext_lazy("Title"), "title"),
    Column(gettext_lazy("Kecamatan"), "district.name"),
    Column(gettext_lazy("Kelurahan"), "village.name"),
    Column(gettext_lazy("Address / landmark"), "address"),
    Column(gettext_lazy("Status"), "get_status_display"),
    Column(gettext_lazy("Responsible agency"), "responsible_agency.name"),
    Column(gettext_lazy("Assigned officer"), lambda r: r.assigned_to.full_name if r.assigned_to_id else ""),
    Column(gettext_lazy("Due"), lambda r: r.due_at if r.status in OPEN_STATUSES else None),
    Column(gettext_lazy("Deadline"), _deadline_state_label),
    Column(gettext_lazy("Escalation level"), "escalation_level"),
    Column(gettext_lazy("Updated"), "updated_at"),
]


def _export_rows(qs):
    qs = qs.select_related("category", "district", "village", "responsible_agency", "assigned_to")
    return qs.defer("district__boundary", "village__boundary").order_by(
        *desk_selectors._order_by(desk_selectors.SORTS["due"])
    )


# --- the verifier desk ---------------------------------------------------------------------------


def _list_context(request: HttpRequest, qs, sort: str) -> dict[str, Any]:
    page = desk_selectors.keyset_page(qs, sort, request.GET.get("after"), size=desk_selectors.PAGE_SIZE)
    query = request.GET.copy()
    query.pop("after", None)
    first_url = f"{request.path}?{query.urlencode()}" if query else request.path
    next_url = ""
    if page.next_cursor:
        query["after"] = page.next_cursor
        next_url = f"{request.path}?{query.urlencode()}"
    return {
        "page": page,
        "rows": desk_selectors.with_badges(page.rows),
        "first_url": first_url,
        "next_url": next_url,
        "list_url": request.get_full_path(),
    }


@never_cache
@login_required
@require_GET
def triage(request: HttpRequest) -> HttpResponseBase:
    """The verifier desk's queue: reports to verify and route, the most urgent deadline first."""
    _require_role(request, DESK_ROLES)
    form = TriageFilterForm(request.GET or None)
    qs = selectors.verifier_queue(request.user, **form.filters())
    exported = export_or_none(request, _export_rows(qs), EXPORT_COLUMNS, _("verification-queue"))
    if exported is not None:
        return exported
    context = {
        "form": form,
        "nav": nav_flags(request.user),
        "bulk_form": BulkForm(actions=["verify", "disposition", "set_aside"]),
        "bulk_url": reverse("reports:staff_triage_bulk"),
        "export_links": export_links(request),
        "card": desk_selectors.triage_card(request.user),
        **_list_context(request, qs, form.value("sort", "due")),
    }
    return render(request, "reports/staff/triage.html", context)


def _bulk(
    request: HttpRequest, *, actions: list[str], officers=None, agency: Agency | None = None, default: str
) -> HttpResponse:
    form = BulkForm(request.POST, actions=actions, officers=officers)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return _back(request, default)
    numbers = form.cleaned_data["reports"]
    found = {r.tracking_number: r for r in selectors.reports_visible(request.user).filter(tracking_number__in=numbers)}
    params = form.params()
    if form.cleaned_data["action"] == "assign" and agency is not None:
        params["agency"] = agency
    result = services.reports_bulk(
        actor=request.user,
        reports=[found[n] for n in numbers if n in found],
        action=form.cleaned_data["action"],
        **params,
    )
    missing = [n for n in numbers if n not in found]
    if result.done:
        messages.success(
            request,
            _("Done for %(n)d report(s): %(numbers)s.") % {"n": len(result.done), "numbers": ", ".join(result.done)},
        )
    for number, message in result.failed:
        messages.error(request, _("%(number)s: %(message)s") % {"number": number, "message": message})
    for number in missing:
        messages.error(request, _("%(number)s: report not found.") % {"number": number})
    return _back(request, default)


@login_required
@require_POST
def triage_bulk(request: HttpRequest) -> HttpResponse:
    """Verify, route (to the default agencies) or set aside the ticked reports."""
    _require_role(request, DESK_ROLES)
    return _bulk(request, actions=["verify", "disposition", "set_aside"], default=reverse("reports:staff_triage"))


# --- the agency inbox ---------------------------------------------------------------------------


def _inbox_agencies(user: Any) -> list[Agency]:
    if access.role_of(user) == access.AGENCY:
        return list(Agency.objects.filter(pk__in=list(access.agency_ids(user))).order_by("name"))
    return list(Agency.objects.filter(is_active=True).order_by("name"))


def _inbox_query(request: HttpRequest) -> tuple[InboxFilterForm, Any, Agency | None, list[Agency]]:
    user = request.user
    agencies = _inbox_agencies(user)
    form = InboxFilterForm(request.GET or None, agencies=agencies)
    if access.role_of(user) != access.AGENCY:
        form.fields["agency"].choices = [("", _("All agencies")), *list(form.fields["agency"].choices)]
    code = form.value("agency")
    agency = next((a for a in agencies if a.code == code), None)
    if agency is None and access.role_of(user) == access.AGENCY and len(agencies) == 1:
        agency = agencies[0]
    filters = form.filters()
    status = form.value("status")
    include_closed = status in (Status.RESOLVED, Status.CLOSED, "all")
    if status and status != "all":
        filters["status"] = status
    assigned = form.value("assigned")
    if assigned == "me":
        filters["assigned_to"] = user
    elif assigned == "none":
        filters["unassigned"] = True
    qs = selectors.agency_inbox(user, agency=agency, include_closed=include_closed, **filters)
    if form.value("escalated"):
        qs = qs.filter(escalation_level__gte=2)
    return form, qs, agency, agencies


@never_cache
@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponseBase:
    """What was routed to my agency: filters, deadline badges, bulk actions, downloads."""
    _require_role(request, INBOX_ROLES)
    form, qs, agency, agencies = _inbox_query(request)
    exported = export_or_none(request, _export_rows(qs), EXPORT_COLUMNS, _("agency-inbox"))
    if exported is not None:
        return exported
    may_handle = access.role_of(request.user) in (access.AGENCY, access.VERIFIER, access.ADMIN)
    officers = selectors.agency_officers(agency) if agency is not None else None
    bulk_actions = (["assign"] if officers is not None else []) + ["follow_up", "resolve"]
    context = {
        "form": form,
        "agency": agency,
        "nav": nav_flags(request.user),
        "bulk_form": BulkForm(actions=bulk_actions, officers=officers) if may_handle else None,
        "bulk_url": reverse("reports:staff_inbox_bulk"),
        "export_links": export_links(request),
        "card": desk_selectors.inbox_card(request.user, agency=agency),
        "show_agency": agency is None or len(agencies) > 1,
        **_list_context(request, qs, form.value("sort", "due")),
    }
    return render(request, "reports/staff/inbox.html", context)


@login_required
@require_POST
def inbox_bulk(request: HttpRequest) -> HttpResponse:
    """Assign, follow up or resolve the ticked reports of the inbox."""
    _require_role(request, frozenset({access.AGENCY, access.VERIFIER, access.ADMIN}))
    agencies = _inbox_agencies(request.user)
    code = request.POST.get("agency", "")
    agency = next((a for a in agencies if a.code == code), None)
    if agency is None and len(agencies) == 1 and access.role_of(request.user) == access.AGENCY:
        agency = agencies[0]
    officers = selectors.agency_officers(agency) if agency is not None else None
    actions = (["assign"] if officers is not None else []) + ["follow_up", "resolve"]
    return _bulk(request, actions=actions, officers=officers, agency=agency, default=reverse("reports:staff_inbox"))


# --- leadership overview -------------------------------------------------------------------------


@never_cache
@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponseBase:
    """Every report, read only: counts by status and by agency, filters, the list."""
    _require_role(request, OVERVIEW_ROLES)
    form = OverviewFilterForm(request.GET or None)
    filters = form.filters()
    qs = selectors.filter_reports(selectors.reports_visible(request.user), **filters)
    agency_code = form.value("agency")
    if agency_code:
        qs = qs.filter(responsible_agency__code=agency_code)
        filters["agency"] = agency_code
    exported = export_or_none(request, _export_rows(qs), EXPORT_COLUMNS, _("reports"))
    if exported is not None:
        return exported
    context = {
        "form": form,
        "nav": nav_flags(request.user),
        "counts": desk_selectors.overview_counts(request.user, **filters),
        "export_links": export_links(request),
        "show_agency": True,
        **_list_context(request, qs, form.value("sort", "newest")),
    }
    return render(request, "reports/staff/overview.html", context)


# --- a report's staff page ------------------------------------------------------------------------


def _acting_agency(user: Any, report: Report, dispositions: list[Disposition]) -> Agency | None:
    """The agency the user works for on this report (their active disposition), or for the
    desk the responsible agency."""
    active = [d for d in dispositions if d.state == Disposition.State.ACTIVE]
    if access.role_of(user) == access.AGENCY:
        mine = [d for d in active if d.agency_id in access.agency_ids(user)]
        mine.sort(key=lambda d: (not d.is_primary, d.created_at))
        return mine[0].agency if mine else None
    return report.responsible_agency


def _stages(report: Report) -> list[dict[str, Any]]:
    """Each stage's deadline, and when it was met (a badge per stage)."""
    verify_done = (
        report.dispositioned_at or report.set_aside_at or (report.closed_at if report.duplicate_of_id else None)
    )
    stages = [
        {"key": "verify", "label": _("Verification and routing"), "due": report.verify_due, "done": verify_done},
    ]
    if report.response_due or report.first_response_at:
        stages.append(
            {
                "key": "response",
                "label": _("First follow-up"),
                "due": report.response_due,
                "done": report.first_response_at,
            }
        )
    if report.resolution_due or report.resolved_at:
        stages.append(
            {"key": "resolution", "label": _("Resolution"), "due": report.resolution_due, "done": report.resolved_at}
        )
    if report.status == Status.RESOLVED and report.auto_close_due:
        stages.append(
            {"key": "auto_close", "label": _("Closes automatically"), "due": report.auto_close_due, "done": None}
        )
    stopped = report.status in (Status.SET_ASIDE, Status.MERGED)
    for stage in stages:
        due, done = stage["due"], stage["done"]
        if done is not None:
            stage["state"] = "met" if due is None or done <= due else "late"
        elif stopped or stage["key"] == "auto_close":
            stage["state"] = "none"
        else:
            stage["state"] = sla.deadline_state_for(due)
        stage["days_left"] = sla.working_days_left(due) if done is None and due else None
    return stages


def _map(report: Report) -> dict:
    from kotapintar.regions.maps import map_config

    pad = 0.004
    return map_config(
        map_id="report-map",
        label=_("Location of report %(number)s") % {"number": report.tracking_number},
        markers=[{"lat": report.lat, "lng": report.lng, "label": report.tracking_number}],
        height="16rem",
        bounds=[[report.lat - pad, report.lng - pad], [report.lat + pad, report.lng + pad]],
    )


def _desk_tools(report: Report) -> dict[str, Any]:
    """Category suggestions (the same engine as the form) and possible duplicates."""
    from ..suggest import suggest_categories

    try:
        suggestions = suggest_categories(report.text)
    except Exception:  # the classifier is an aid: the desk works without it
        logger.exception("category suggestion failed for %s", report.tracking_number)
        suggestions = []
    candidates = duplicates.find_duplicates(report, public=False, limit=5) if report.status in OPEN_STATUSES else []
    return {"suggestions": suggestions, "duplicates": candidates}


def _detail_context(
    request: HttpRequest,
    report: Report,
    *,
    bound: dict[str, Any] | None = None,
    revealed: selectors.Reporter | None = None,
) -> dict[str, Any]:
    user = request.user
    bound = bound or {}
    allowed = set(report_actions.allowed_actions(report, user))
    dispositions = selectors.dispositions_of(report)
    acting = _acting_agency(user, report, dispositions)
    active_ids = [d.agency_id for d in dispositions if d.state == Disposition.State.ACTIVE]
    is_desk = access.can(user, report, TRIAGE)

    def form(name: str, factory: Callable[[], Any]):
        return bound.get(name) or factory()

    forms: dict[str, Any] = {}
    if "verify" in allowed:
        forms["verify"] = form("verify", VerifyForm)
    if "set-aside" in allowed:
        forms["set_aside"] = form("set_aside", SetAsideForm)
    if "recategorise" in allowed:
        forms["recategorise"] = form(
            "recategorise", lambda: RecategoriseForm(initial={"category": report.category.code})
        )
    if "disposition" in allowed:
        adding = report.status in AGENCY_STATUSES
        default = [] if adding else services.default_agencies(report)
        forms["disposition"] = form(
            "disposition",
            lambda: DispositionForm(
                adding=adding, initial={"agency": default[0].code if default else None, "others": []}
            ),
        )
    if "merge" in allowed:
        forms["merge"] = form("merge", lambda: MergeForm(initial={"duplicate": report.tracking_number}))
    if "privacy" in allowed and is_desk:
        forms["privacy"] = form("privacy", lambda: PrivacyForm(initial={"privacy": report.privacy}))
    if "request-info" in allowed:
        forms["request_info"] = form("request_info", RequestInfoForm)
    if "note" in allowed:
        forms["note"] = form("note", NoteForm)
    if "assign" in allowed and acting is not None:
        forms["assign"] = form(
            "assign",
            lambda: AssignForm(officers=selectors.agency_officers(acting), initial={"officer": report.assigned_to_id}),
        )
    if "follow-up" in allowed:
        forms["follow_up"] = form("follow_up", FollowUpForm)
    if "reroute" in allowed:
        forms["reroute"] = form("reroute", lambda: RerouteForm(exclude_ids=active_ids))
    if "resolve" in allowed:
        forms["resolve"] = form("resolve", ResolveForm)

    sees_reporter = can_see_reporter(user, report)
    reporter = None
    reveal_form = None
    if sees_reporter:
        if report.is_anonymous and revealed is None:
            reveal_form = bound.get("reveal") or RevealForm()
        else:
            reporter = revealed or selectors.reporter_of(report, user)
    context = {
        "report": report,
        "nav": nav_flags(user),
        "badge": selectors.deadline_badge(report),
        "stages": _stages(report),
        "escalation_label": ESCALATION_LABELS.get(report.escalation_level, ""),
        "photos": selectors.report_photos(report),
        "map": _map(report),
        "dispositions": dispositions,
        "timeline": desk_selectors.staff_timeline(report, user, reveal=revealed is not None),
        "forms": forms,
        "acting_agency": acting,
        "sees_reporter": sees_reporter,
        "reporter": reporter,
        "reveal_form": reveal_form,
        "is_desk": is_desk,
        "open_form": next(iter(bound), ""),
    }
    if is_desk and report.status in OPEN_STATUSES:
        context.update(_desk_tools(report))
    return context


@never_cache
@login_required
@require_GET
def detail(request: HttpRequest, tracking_number: str) -> HttpResponse:
    """A report as staff see it: text, photos, place, deadlines, timeline, actions."""
    _require_role(request, STAFF_ROLES)
    report = selectors.report_for(request.user, tracking_number)
    return render(request, "reports/staff/detail.html", _detail_context(request, report))


# --- actions: one view, one service ---------------------------------------------------------------


def _act(
    request: HttpRequest,
    tracking_number: str,
    name: str,
    make_form: Callable[[Report], Any],
    run: Callable[[Report, Any], Any],
    success: str,
    *,
    field_map: dict[str, str] | None = None,
) -> HttpResponse:
    """Validate the form, call the service, and either go back to the report with a success
    message or show the page again with the errors next to the form's fields."""
    _require_role(request, STAFF_ROLES)
    report = selectors.report_for(request.user, tracking_number)
    form = make_form(report)
    status = 400
    if form.is_valid():
        try:
            run(report, form)
        except ReportInvalid as exc:
            add_service_errors(form, exc, field_map)
        except DomainError as exc:
            form.add_error(None, exc.message)
            messages.error(request, exc.message)
            status = exc.status_code
        else:
            messages.success(request, success)
            return redirect(_detail_url(report))
    report = selectors.report_for(request.user, tracking_number)
    context = _detail_context(request, report, bound={name: form})
    return render(request, "reports/staff/detail.html", context, status=status)


def _post(request: HttpRequest) -> tuple[Any, Any]:
    return request.POST, request.FILES


@login_required
@require_POST
def act_verify(request: HttpRequest, tracking_number: str) -> HttpResponse:
    return _act(
        request,
        tracking_number,
        "verify",
        lambda r: VerifyForm(request.POST),
        lambda r, f: services.report_verify(
            actor=request.user, report=r, note=f.cleaned_data["note"], category=f.cleaned_data["category"]
        ),
        _("The report is verified."),
    )


@login_required
@require_POST
def act_set_aside(request: HttpRequest, tracking_number: str) -> HttpResponse:
    return _act(
        request,
        tracking_number,
        "set_aside",
        lambda r: SetAsideForm(request.POST),
        lambda r, f: services.report_set_aside(
            actor=request.user, report=r, reason=f.cleaned_data["reason"], note=f.cleaned_data["note"]
        ),
        _("The report is set aside; the reporter is told why."),
    )


@login_required
@require_POST
def act_recategorise(request: HttpRequest, tracking_number: str) -> HttpResponse:
    return _act(
        request,
        tracking_number,
        "recategorise",
        lambda r: RecategoriseForm(request.POST),
        lambda r, f: services.report_recategorise(
            actor=request.user, report=r, category=f.cleaned_data["category"], note=f.cleaned_data["note"]
        ),
        _("The category is corrected."),
    )


@login_required
@require_POST
def act_disposition(request: HttpRequest, tracking_number: str) -> HttpResponse:
    return _act(
        request,
        tracking_number,
        "disposition",
        lambda r: DispositionForm(request.POST, adding=r.status in AGENCY_STATUSES),
        lambda r, f: services.report_disposition(
            actor=request.user, report=r, agencies=f.agencies(), note=f.cleaned_data["note"]
        ),
        _("The report is routed; the agency and the reporter are told."),
        field_map={"agencies": "agency"},
    )


@login_required
@require_POST
def act_merge(request: HttpRequest, tracking_number: str) -> HttpResponse:
    def run(report: Report, form: MergeForm) -> None:
        duplicate_number = form.cleaned_data["duplicate"].strip().upper()
        original_number = form.cleaned_data["original"]
        if report.tracking_number not in (duplicate_number, original_number):
            raise ReportInvalid.single("original", _("One of the two reports must be this report."))
        try:
            duplicate = selectors.report_for(request.user, duplicate_number)
            original = selectors.report_for(request.user, original_number)
        except Http404:
            raise ReportInvalid.single(
                "original", _("There is no report with this tracking number; check it and try again.")
            ) from None
        services.report_merge(actor=request.user, report=duplicate, into=original, note=form.cleaned_data["note"])

    return _act(
        request,
        tracking_number,
        "merge",
        lambda r: MergeForm(request.POST),
        run,
        _("The reports are merged; the followers of the duplicate now follow the original and are told."),
        field_map={"into": "original"},
    )


@login_required
@require_POST
def act_privacy(request: HttpRequest, tracking_number: str) -> HttpResponse:
    return _act(
        request,
        tracking_number,
        "privacy",
        lambda r: PrivacyForm(request.POST),
        lambda r, f: services.report_set_privacy(actor=request.user, report=r, privacy=f.cleaned_data["privacy"]),
        _("Who may see the report has changed."),
    )


@login_required
@require_POST
def act_request_info(request: HttpRequest, tracking_number: str) -> HttpResponse:
    return _act(
        request,
        tracking_number,
        "request_info",
        lambda r: RequestInfoForm(request.POST),
        lambda r, f: services.report_request_info(actor=request.user, report=r, text=f.cleaned_data["text"]),
        _("The question is sent to the reporter."),
    )


@login_required
@require_POST
def act_note(request: HttpRequest, tracking_number: str) -> HttpResponse:
    return _act(
        request,
        tracking_number,
        "note",
        lambda r: NoteForm(request.POST),
        lambda r, f: services.report_note(actor=request.user, report=r, text=f.cleaned_data["text"]),
        _("The internal note is saved (staff only)."),
    )


@login_required
@require_POST
def act_assign(request: HttpRequest, tracking_number: str) -> HttpResponse:
    def make(report: Report) -> AssignForm:
        acting = _acting_agency(request.user, report, selectors.dispositions_of(report))
        officers = selectors.agency_officers(acting) if acting is not None else None
        form = AssignForm(request.POST, officers=officers)
        form.acting_agency = acting
        return form

    return _act(
        request,
        tracking_number,
        "assign",
        make,
        lambda r, f: services.report_assign(
            actor=request.user, report=r, officer=f.cleaned_data["officer"], agency=f.acting_agency
        ),
        _("The report is assigned."),
    )


@login_required
@require_POST
def act_follow_up(request: HttpRequest, tracking_number: str) -> HttpResponse:
    return _act(
        request,
        tracking_number,
        "follow_up",
        lambda r: FollowUpForm(*_post(request)),
        lambda r, f: services.report_follow_up(
            actor=request.user, report=r, text=f.cleaned_data["text"], photos_in=f.photo_items()
        ),
        _("The follow-up is published; the reporter and the followers are told."),
        field_map={"photos": "photos_after"},
    )


@login_required
@require_POST
def act_reroute(request: HttpRequest, tracking_number: str) -> HttpResponse:
    def make(report: Report) -> RerouteForm:
        active = [d.agency_id for d in selectors.dispositions_of(report) if d.state == Disposition.State.ACTIVE]
        return RerouteForm(request.POST, exclude_ids=active)

    def run(report: Report, form: RerouteForm) -> None:
        acting = _acting_agency(request.user, report, selectors.dispositions_of(report))
        services.report_reroute(
            actor=request.user,
            report=report,
            to_agency=form.cleaned_data["to_agency"],
            reason=form.cleaned_data["reason"],
            from_agency=acting,
        )

    return _act(
        request,
        tracking_number,
        "reroute",
        make,
        run,
        _("The report is handed over to the other agency."),
        field_map={"from_agency": "to_agency"},
    )


@login_required
@require_POST
def act_resolve(request: HttpRequest, tracking_number: str) -> HttpResponse:
    return _act(
        request,
        tracking_number,
        "resolve",
        lambda r: ResolveForm(*_post(request)),
        lambda r, f: services.report_resolve(
            actor=request.user, report=r, text=f.cleaned_data["text"], photos_in=f.photo_items()
        ),
        _("The report is resolved; the reporter may confirm, rate or reopen it."),
        field_map={"photos": "photos_after"},
    )


@never_cache
@login_required
@require_POST
def act_reveal_reporter(request: HttpRequest, tracking_number: str) -> HttpResponse:
    """The desk asks to see who filed an anonymous report: audited, shown for this page only."""
    _require_role(request, STAFF_ROLES)
    report = selectors.report_for(request.user, tracking_number)
    form = RevealForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            reporter = desk_services.report_reveal_reporter(
                actor=request.user, report=report, reason=form.cleaned_data["reason"]
            )
        except ReportInvalid as exc:
            add_service_errors(form, exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
            status = exc.status_code
        else:
            return render(request, "reports/staff/detail.html", _detail_context(request, report, revealed=reporter))
    context = _detail_context(request, report, bound={"reveal": form})
    return render(request, "reports/staff/detail.html", context, status=status)


# --- staff-home cards ------------------------------------------------------------------------------


def triage_card_context(request: HttpRequest) -> dict | None:
    if access.role_of(request.user) not in DESK_ROLES:
        return None
    return {"figures": desk_selectors.triage_card(request.user)}


def inbox_card_context(request: HttpRequest) -> dict | None:
    if access.role_of(request.user) != access.AGENCY or not access.agency_ids(request.user):
        return None
    return {"figures": desk_selectors.inbox_card(request.user)}


def overview_card_context(request: HttpRequest) -> dict | None:
    if access.role_of(request.user) != access.LEADERSHIP:
        return None
    return {"counts": desk_selectors.overview_counts(request.user)}
