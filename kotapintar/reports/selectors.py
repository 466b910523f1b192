"""Reads of reports that depend on who asks (scoped by reports.policies), and public reads.

Staff and reporters:

    reports_visible(user)                 every report the user may view (scoped queryset)
    report_for(user, tracking_number)     one report, or Http404 (hidden = missing)
    report_by_token(tracking_number, token)   the tracking link of a person without account
    my_reports(user), followed_reports(user)
    verifier_queue(user, **filters)       triage queue, deadline first
    agency_inbox(user, agency=None, **filters)   routed to my agencies, deadline first
    timeline(report, user=None, token_ok=False)  entries for that audience
    report_view(report, user)             detail with the reporter shown only when allowed
    filter_reports(qs, **filters)         the list filters (status, category, area, dates, …) on any of these

The public (transparency pages, public API, exports):

    public_reports(**filters)             queryset of public reports (no identity columns loaded)
    public_report(tracking_number)        PublicReport or Http404
    public_summary(report)                PublicReport (dataclass WITHOUT identity fields)

Helpers: categories_active(), category_by_code(code), deadline_badge(report).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from kotapintar.core import access

from . import photos as photo_files
from . import sla
from .models import (
    AGENCY_STATUSES,
    OPEN_STATUSES,
    TRIAGE_STATUSES,
    Category,
    CategoryAttribute,
    Disposition,
    Follower,
    Privacy,
    Report,
    ReportEvent,
    ReportPhoto,
    Status,
    Visibility,
)
from .policies import VIEW, can_see_reporter, sees_staff_names
from .tracking import check_token, normalise_tracking_number

# Columns a public list needs (no reporter, contact, device or idempotency columns).
PUBLIC_COLUMNS = (
    "id",
    "tracking_number",
    "kind",
    "category_id",
    "title",
    "text",
    "lat",
    "lng",
    "address",
    "village_id",
    "district_id",
    "privacy",
    "public_name",
    "status",
    "is_public",
    "responsible_agency_id",
    "duplicate_of_id",
    "created_at",
    "updated_at",
    "verified_at",
    "dispositioned_at",
    "first_response_at",
    "resolved_at",
    "closed_at",
    "due_at",
    "resolution_due",
    "support_count",
    "follower_count",
    "rating",
    "channel",
)


# --- categories ------------------------------------------------------------------------------

_CATEGORY_VERSION_KEY = "reports:categories:version"
_CATEGORY_CHECK_SECONDS = 5.0
_CATEGORY_MAX_AGE = 60.0
_category_memo: dict[str, Any] = {"version": None, "rows": None, "checked": 0.0, "loaded": 0.0}
_category_lock = threading.Lock()


def categories_active() -> list[Category]:
    """Active categories in order, with their active questions prefetched.

    Kept in this process's memory (they are read on every filing) and reloaded when another
    process changes them: a small version token in the shared cache is compared at most
    every few seconds, so no request unpickles the whole list.
    """
    memo = _category_memo
    now = time.monotonic()
    if memo["rows"] is not None and now - memo["checked"] < _CATEGORY_CHECK_SECONDS:
        return memo["rows"]
    with _category_lock:
        version = cache.get(_CATEGORY_VERSION_KEY)
        if version is None:
            version = uuid.uuid4().hex
            cache.add(_CATEGORY_VERSION_KEY, version, None)
            version = cache.get(_CATEGORY_VERSION_KEY) or version
        # A process-local cache (the embedded mode) never hears of another process's change:
        # reload at least every minute anyway.
        stale = now - memo.get("loaded", 0.0) > _CATEGORY_MAX_AGE
        if memo["rows"] is None or memo["version"] != version or stale:
            memo["rows"] = list(
                Category.objects.filter(is_active=True)
                .select_related("default_agency")
                .prefetch_related(
                    Prefetch(
                        "attributes",
                        queryset=CategoryAttribute.objects.filter(is_active=True).order_by("order", "code"),
                    ),
                    Prefetch("related", queryset=Category.objects.filter(is_active=True).only("id", "code")),
                )
                .order_by("order", "name")
            )
            memo["version"] = version
            memo["loaded"] = now
        memo["checked"] = time.monotonic()
        return memo["rows"]


def forget_categories() -> None:
    """The categories changed: every process reloads them (services call this on commit)."""
    cache.set(_CATEGORY_VERSION_KEY, uuid.uuid4().hex, None)
    _category_memo["rows"] = None


def category_by_code(code: str) -> Category | None:
    """An ACTIVE category by its code (case-insensitive), with its questions; None if unknown."""
    wanted = (code or "").strip().upper()
    return next((c for c in categories_active() if c.code == wanted), None)


# --- staff and reporters -----------------------------------------------------------------------

_LIST_RELATED = ("category", "responsible_agency", "district", "village")
# The kecamatan/kelurahan of a report are shown by name: their boundary geometry (large
# GeoJSON) is never loaded with a list.
_LIST_DEFERRED = ("district__boundary", "village__boundary")


def reports_visible(user: Any, action: str = VIEW) -> QuerySet[Report]:
    """Every report `user` may use for `action`, with what lists show joined in."""
    return access.scope(Report.objects.select_related(*_LIST_RELATED).defer(*_LIST_DEFERRED), user, action)


def report_for(user: Any, tracking_number: str, action: str = VIEW) -> Report:
    """One report by tracking number for `user`; Http404 when missing or hidden."""
    number = normalise_tracking_number(tracking_number)
    if not number:
        raise Http404("report")
    return access.get_object_or_404(
        Report.objects.select_related(*_LIST_RELATED, "assigned_to", "reporter", "duplicate_of").defer(*_LIST_DEFERRED),
        user,
        action,
        tracking_number=number,
    )


def report_by_token(tracking_number: str, token: str | None) -> Report:
    """The report behind a tracking link (number + secret token); Http404 otherwise."""
    number = normalise_tracking_number(tracking_number)
    report = (
        Report.objects.select_related(*_LIST_RELATED, "duplicate_of")
        .defer(*_LIST_DEFERRED)
        .filter(tracking_number=number)
        .first()
        if number
        else None
    )
    if report is None or not check_token(report.tracking_token_hash, token):
        raise Http404("report")
    return report


def my_reports(user: Any) -> QuerySet[Report]:
    """The reports the user filed, newest first ("Laporan Saya")."""
    if not getattr(user, "is_authenticated", False):
        return Report.objects.none()
    return (
        Report.objects.filter(reporter_id=user.pk)
        .select_related("category", "responsible_agency", "district")
        .defer("district__boundary")
        .order_by("-created_at", "-id")
    )


def followed_reports(user: Any) -> QuerySet[Report]:
    """Public reports the user follows or supports, newest first."""
    if not getattr(user, "is_authenticated", False):
        return Report.objects.none()
    return (
        Report.objects.filter(followers__user_id=user.pk, is_public=True)
        .select_related("category", "responsible_agency", "district")
        .defer("district__boundary")
        .order_by("-created_at", "-id")
    )


def is_following(user: Any, report: Report) -> Follower | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Follower.objects.filter(report=report, user_id=user.pk).first()


def filter_reports(
    qs: QuerySet[Report],
    *,
    status: str | list[str] | None = None,
    category: str | None = None,
    district: str | None = None,
    village: str | None = None,
    overdue: bool | None = None,
    created_from: dt.date | None = None,
    created_to: dt.date | None = None,
    assigned_to: Any = None,
    unassigned: bool | None = None,
    q: str | None = None,
    kind: str | None = None,
    privacy: str | None = None,
    now: dt.datetime | None = None,
) -> QuerySet[Report]:
    if status:
        qs = qs.filter(status__in=[status] if isinstance(status, str) else list(status))
    if category:
        qs = qs.filter(category__code=category.upper())
    if district:
        qs = qs.filter(district_id=district)
    if village:
        qs = qs.filter(village_id=village)
    if kind:
        qs = qs.filter(kind=kind)
    if privacy:
        qs = qs.filter(privacy=privacy)
    if overdue is not None:
        now = now or timezone.now()
        qs = qs.filter(due_at__lt=now) if overdue else qs.filter(Q(due_at__gte=now) | Q(due_at__isnull=True))
    if created_from:
        qs = qs.filter(created_at__gte=_start_of(created_from))
    if created_to:
        qs = qs.filter(created_at__lt=_start_of(created_to + dt.timedelta(days=1)))
    if assigned_to is not None:
        qs = qs.filter(assigned_to=assigned_to)
    if unassigned:
        qs = qs.filter(assigned_to__isnull=True)
    if q:
        text = q.strip()
        number = normalise_tracking_number(text)
        qs = (
            qs.filter(tracking_number=number)
            if number
            else qs.filter(Q(title__icontains=text) | Q(text__icontains=text))
        )
    return qs


def _start_of(day: dt.date) -> dt.datetime:
    from kotapintar.core.calendar import WIB

    return dt.datetime.combine(day, dt.time.min, tzinfo=WIB)


def verifier_queue(user: Any, **filters: Any) -> QuerySet[Report]:
    """The desk's triage queue: filed or verified reports, most urgent deadline first."""
    if "status" not in filters or not filters["status"]:
        filters["status"] = list(TRIAGE_STATUSES)
    qs = access.scope(Report.objects.select_related(*_LIST_RELATED).defer(*_LIST_DEFERRED), user, "triage")
    return filter_reports(qs, **filters).order_by("due_at", "created_at", "id")


def agency_inbox(user: Any, *, agency: Any = None, include_closed: bool = False, **filters: Any) -> QuerySet[Report]:
    """Reports routed (now) to the user's agencies — or to one of them — deadline first.

    Open ones by default (routed, being handled); `include_closed` adds resolved and closed
    ones (and the filters narrow further). Leadership, the desk and administrators see
    every agency's inbox (pass `agency`).
    """
    role = access.role_of(user)
    ids: set[int] | None
    if role == access.AGENCY:
        ids = set(access.agency_ids(user))
        if agency is not None:
            ids &= {agency.pk}
    elif role in (access.VERIFIER, access.LEADERSHIP, access.ADMIN):
        ids = {agency.pk} if agency is not None else None
    else:
        return Report.objects.none()
    qs = Report.objects.select_related(*_LIST_RELATED, "assigned_to").defer(*_LIST_DEFERRED)
    if ids is not None:
        if not ids:
            return Report.objects.none()
        # The primary agency is on the report itself (index); supporting agencies through
        # their dispositions.
        routed = Disposition.objects.filter(agency_id__in=ids, is_primary=False).values("report_id")
        if not include_closed:
            routed = routed.filter(state=Disposition.State.ACTIVE)
        qs = qs.filter(Q(responsible_agency_id__in=ids) | Q(pk__in=routed))
    if not filters.get("status"):
        filters["status"] = list(AGENCY_STATUSES) if not include_closed else None
    qs = filter_reports(qs, **filters)
    order = ("due_at", "created_at", "id") if not include_closed else ("-updated_at", "-id")
    return qs.order_by(*order)


def agency_officers(agency: Any) -> QuerySet:
    """Active staff of an agency, for the assignment list."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(memberships__agency=agency, memberships__is_active=True, is_active=True)
        .order_by("full_name", "pk")
    )


def deadline_badge(report: Report, now: dt.datetime | None = None) -> dict[str, Any]:
    """What a deadline badge shows: state (on_time/due_soon/overdue/none), the deadline, the
    working days left (negative when late) and the stage it belongs to."""
    state = sla.deadline_state(report, now)
    stage = (
        "verify"
        if report.status in TRIAGE_STATUSES
        else "response"
        if report.status == Status.DISPOSITIONED and report.first_response_at is None
        else "resolution"
        if report.status in AGENCY_STATUSES
        else ""
    )
    due = report.due_at if report.status in OPEN_STATUSES else None
    return {"state": state, "due": due, "days_left": sla.working_days_left(due, now), "stage": stage}


# --- timelines ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PhotoRef:
    """A photo as pages show it: its URLs only."""

    id: int
    kind: str
    url: str
    thumbnail_url: str
    width: int
    height: int


@dataclass(frozen=True)
class TimelineEntry:
    """One entry of a timeline, for one audience. `actor_name` is empty unless staff read it."""

    id: int
    kind: str
    label: str
    visibility: str
    text: str
    agency_name: str
    actor_name: str
    reason: str
    data: dict
    created_at: dt.datetime
    photos: tuple[PhotoRef, ...] = ()


def photo_ref(photo: ReportPhoto, report: Report) -> PhotoRef:
    from django.urls import reverse

    if photo.storage == ReportPhoto.Storage.PUBLIC and report.is_public:
        url, thumb = photo_files.public_url(photo), photo_files.public_url(photo, thumbnail=True)
    else:
        url = reverse("report-photo", kwargs={"pk": photo.pk})
        thumb = reverse("report-photo-thumbnail", kwargs={"pk": photo.pk})
    return PhotoRef(photo.pk, photo.kind, url, thumb, photo.width, photo.height)


def _audience_visibilities(audience: str) -> list[str]:
    if audience == "staff":
        return [Visibility.PUBLIC, Visibility.REPORTER, Visibility.INTERNAL]
    if audience == "reporter":
        return [Visibility.PUBLIC, Visibility.REPORTER]
    return [Visibility.PUBLIC]


def audience_of(user: Any, report: Report, *, token_ok: bool = False) -> str:
    """ "staff", "reporter" or "public": which timeline a reader of this report gets."""
    if user is not None and sees_staff_names(user) and access.can(user, report, VIEW):
        return "staff"
    if token_ok or (report.reporter_id and getattr(user, "pk", None) == report.reporter_id):
        return "reporter"
    return "public"


def timeline(
    report: Report, user: Any = None, *, audience: str | None = None, token_ok: bool = False
) -> list[TimelineEntry]:
    """The report's timeline for the reader: the public sees public entries with agency
    names; the reporter also their own exchanges; staff everything, with staff names."""
    audience = audience or audience_of(user, report, token_ok=token_ok)
    related = ("agency", "actor") if audience == "staff" else ("agency",)
    events = list(
        ReportEvent.objects.filter(report=report, visibility__in=_audience_visibilities(audience))
        .select_related(*related)
        .order_by("created_at", "id")
    )
    photo_rows = ReportPhoto.objects.filter(report=report, event_id__in=[e.pk for e in events]).order_by(
        "created_at", "id"
    )
    by_event: dict[int | None, list[PhotoRef]] = {}
    for photo in photo_rows:
        by_event.setdefault(photo.event_id, []).append(photo_ref(photo, report))
    entries = []
    for event in events:
        actor_name = ""
        if audience == "staff" and event.actor_id:
            actor = event.actor
            # The desk's staff see residents' names only where they may see the reporter.
            if getattr(actor, "is_staff_member", False) or can_see_reporter(user, report):
                actor_name = str(actor)
        entries.append(
            TimelineEntry(
                id=event.pk,
                kind=event.kind,
                label=str(event.get_kind_display()),
                visibility=event.visibility,
                text=event.text,
                agency_name=event.agency.name if event.agency is not None else "",
                actor_name=actor_name,
                reason=event.reason,
                data=event.data if audience != "public" else _public_data(event),
                created_at=event.created_at,
                photos=tuple(by_event.get(event.pk, ())),
            )
        )
    return entries


def _public_data(event: ReportEvent) -> dict:
    allowed = {"from", "to", "into", "supporters", "primary"}
    return {k: v for k, v in (event.data or {}).items() if k in allowed}


def report_photos(report: Report, *, kinds: tuple[str, ...] | None = None) -> list[PhotoRef]:
    """The reporter's photos (not those of follow-ups), as URLs."""
    qs = ReportPhoto.objects.filter(report=report, event__isnull=True)
    if kinds:
        qs = qs.filter(kind__in=kinds)
    return [photo_ref(p, report) for p in qs.order_by("created_at", "id")]


# --- detail for staff and reporters --------------------------------------------------------------


@dataclass(frozen=True)
class Reporter:
    """Who filed a report, for those allowed to see it."""

    account_id: int | None
    name: str
    email: str
    phone: str


def reporter_of(report: Report, user: Any) -> Reporter | None:
    """The reporter's identity for `user`, or None when they may not see it (anonymous
    reports to agencies; everything to the public)."""
    if not can_see_reporter(user, report):
        return None
    person = report.reporter if report.reporter_id else None
    if person is not None:
        return Reporter(person.pk, person.full_name, person.email or "", person.phone or "")
    return Reporter(None, report.reporter_name, report.reporter_email, report.reporter_phone)


def dispositions_of(report: Report) -> list[Disposition]:
    return list(
        Disposition.objects.filter(report=report).select_related("agency", "assigned_to").order_by("created_at", "id")
    )


# --- the public ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicReport:
    """A report as the public sees it. It has NO identity fields at all: the reporter's name
    appears only as `shown_name`, when the person chose to show it on a public report."""

    tracking_number: str
    kind: str
    category_code: str
    category_name: str
    title: str
    text: str
    lat: float
    lng: float
    address: str
    village_code: str
    village_name: str
    district_code: str
    district_name: str
    status: str
    status_label: str
    open311_status: str
    agency_code: str
    agency_name: str
    shown_name: str
    created_at: dt.datetime
    updated_at: dt.datetime
    first_response_at: dt.datetime | None
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    expected_at: dt.datetime | None
    support_count: int
    follower_count: int
    rating: int | None
    duplicate_of: str
    photos: tuple[PhotoRef, ...] = ()
    timeline: tuple[TimelineEntry, ...] = field(default_factory=tuple)


def public_reports(**filters: Any) -> QuerySet[Report]:
    """Public reports (verified, not confidential, not set aside), newest first, with only
    public columns loaded. Filters: status, category, district, village, kind, q,
    created_from, created_to, bbox=(min_lat, min_lng, max_lat, max_lng)."""
    bbox = filters.pop("bbox", None)
    qs = (
        Report.objects.filter(is_public=True)
        .exclude(privacy=Privacy.CONFIDENTIAL)  # belt and braces: is_public already says so
        .select_related("category", "responsible_agency", "district", "village", "duplicate_of")
        .only(
            *PUBLIC_COLUMNS,
            "category__code",
            "category__name",
            "category__name_en",
            "responsible_agency__code",
            "responsible_agency__name",
            "responsible_agency__short_name",
            "district__name",
            "village__name",
            "duplicate_of__tracking_number",
        )
    )
    filters.pop("privacy", None)
    filters.pop("assigned_to", None)
    qs = filter_reports(qs, **filters)
    if bbox:
        min_lat, min_lng, max_lat, max_lng = bbox
        # On the public coordinates: a narrowing box must not find an anonymous report's
        # exact point (transparency.public_location).
        from .transparency import public_coordinate

        qs = qs.annotate(public_lat=public_coordinate("lat"), public_lng=public_coordinate("lng")).filter(
            public_lat__gte=min_lat, public_lat__lte=max_lat, public_lng__gte=min_lng, public_lng__lte=max_lng
        )
    return qs.order_by("-created_at", "-id")


def public_summary(report: Report, *, with_timeline: bool = False, with_photos: bool = False) -> PublicReport:
    """The public view of one report (call only for public reports)."""
    if not report.is_public:
        raise Http404("report")
    from .transparency import public_location

    category = report.category
    agency = report.responsible_agency
    shown = report.public_name if report.privacy == Privacy.PUBLIC and report.show_name else ""
    # Anonymous reports: the point blurred and no address, on every public surface.
    where = public_location(report.privacy, report.lat, report.lng, report.address)
    return PublicReport(
        tracking_number=report.tracking_number,
        kind=report.kind,
        category_code=category.code,
        category_name=category.display_name,
        title=report.title,
        text=report.text,
        lat=where.lat,
        lng=where.lng,
        address=where.address,
        village_code=report.village_id or "",
        village_name=report.village.name if report.village is not None else "",
        district_code=report.district_id or "",
        district_name=report.district.name if report.district is not None else "",
        status=report.status,
        status_label=str(Status(report.status).label),
        open311_status=report.open311_status,
        agency_code=agency.code if agency else "",
        agency_name=agency.name if agency else "",
        shown_name=shown,
        created_at=report.created_at,
        updated_at=report.updated_at,
        first_response_at=report.first_response_at,
        resolved_at=report.resolved_at,
        closed_at=report.closed_at,
        expected_at=report.resolution_due if report.status in OPEN_STATUSES else None,
        support_count=report.support_count,
        follower_count=report.follower_count,
        rating=report.rating,
        duplicate_of=report.duplicate_of.tracking_number if report.duplicate_of is not None else "",
        photos=tuple(report_photos(report)) if with_photos else (),
        timeline=tuple(timeline(report, audience="public")) if with_timeline else (),
    )


def public_report(tracking_number: str) -> PublicReport:
    """One public report with its photos and public timeline; Http404 if not public."""
    number = normalise_tracking_number(tracking_number)
    report = public_reports().filter(tracking_number=number).first() if number else None
    if report is None:
        raise Http404("report")
    return public_summary(report, with_timeline=True, with_photos=True)


def public_report_object(tracking_number: str) -> Report:
    """The public Report row (public columns only) or Http404, e.g. to follow it."""
    number = normalise_tracking_number(tracking_number)
    report = Report.objects.filter(tracking_number=number, is_public=True).first() if number else None
    if report is None:
        raise Http404("report")
    return report
