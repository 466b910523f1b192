"""Reads of the Open311 server: services, service definitions, requests, updates, clients.

What is visible (the same rule as the public pages, reports.selectors.public_reports):

- every PUBLIC report (verified, not confidential, not set aside), to anybody;
- besides, a client that presents its api_key sees the requests IT filed by their id
  (requests/{id}, service_request_id=…, tokens/{token}) before the desk has verified them,
  and after they were set aside (closed, with the reason as status_notes), so it can follow
  what it filed. Never a confidential one: those answer 404 exactly like a missing id.

No answer ever carries the reporter's name, e-mail, phone, device or account id: the
queries below do not even load those columns. An anonymous report (the default for
Open311) shows its point rounded to 0.001° and no typed address, like every public
surface (reports.transparency.public_location).

Lists are ordered by (requested_datetime, id) ascending, which the (is_public, created_at)
index serves: a report that becomes public (filed, then verified) lands at the recent end,
so a client paging from page 1 with page/page_size sees no item twice and misses none while
reports arrive. The default window starts at 00:00 WIB 90 days ago (it moves once a day, not
with every call). The ordering is keyset-friendly ((created_at, id) > (t, n)) for a later
cursor parameter.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Max, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kotapintar.regions.models import Region

from .. import selectors as report_selectors
from ..attributes import active_attributes
from ..models import (
    OPEN311_CLOSED,
    OPEN_STATUSES,
    Category,
    Channel,
    EventKind,
    Privacy,
    Report,
    ReportEvent,
    ReportKind,
    ReportPhoto,
    SetAsideReason,
    Status,
    Visibility,
)
from ..tracking import normalise_tracking_number
from ..transparency import public_location
from .errors import Open311Error, not_found
from .formats import MIME_TYPES, iso
from .models import Open311Client

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
DEFAULT_JURISDICTION = "semarangkota.go.id"
MAX_RESULTS = 1000

#: Columns a request answer needs: no reporter, contact, device or idempotency columns.
COLUMNS = (
    "id",
    "tracking_number",
    "category_id",
    "text",
    "lat",
    "lng",
    "address",
    "village_id",
    "district_id",
    "privacy",
    "status",
    "set_aside_reason",
    "is_public",
    "channel",
    "responsible_agency_id",
    "duplicate_of_id",
    "external_media_url",
    "created_at",
    "updated_at",
    "resolution_due",
    "category__code",
    "category__name",
    "category__name_en",
    "category__resolution_days",
    "responsible_agency__name",
    "district__name",
    "village__name",
    "duplicate_of__tracking_number",
)

#: Timeline entries that close a request, and the one that opens it again.
CLOSING_KINDS = frozenset(
    {EventKind.RESOLVED, EventKind.CONFIRMED, EventKind.CLOSED, EventKind.AUTO_CLOSED, EventKind.SET_ASIDE}
)
#: The agency's public answers: the latest one is a request's status_notes.
FOLLOW_UP_KINDS = (EventKind.FOLLOW_UP, EventKind.RESOLVED)
#: Public entries that are not news about the request itself (servicerequestupdates skips them).
NOT_UPDATES = frozenset({EventKind.SUPPORTED})


def jurisdiction_id() -> str:
    return (getattr(settings, "OPEN311_JURISDICTION_ID", "") or DEFAULT_JURISDICTION).strip().lower()


def check_jurisdiction(value: str | None) -> None:
    """Absent (or empty) and this instance's own id are accepted; any other is not found."""
    given = (value or "").strip().lower()
    if given and given != jurisdiction_id():
        raise not_found(
            _("jurisdiction_id “%(given)s” was not found: this server serves “%(own)s”.")
            % {"given": value.strip()[:100], "own": jurisdiction_id()}
        )


# --- clients -----------------------------------------------------------------------------------

KEY_MARK = "kp311_"  # every key starts with it (secret scanners can find leaked keys)
KEY_PREFIX_LENGTH = 14  # the mark + 8 random characters


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def client_for_key(key: str | None) -> Open311Client | None:
    """The ACTIVE client owning this api_key, or None (missing, unknown, revoked)."""
    key = (key or "").strip()
    if len(key) < KEY_PREFIX_LENGTH + 8 or len(key) > 200:
        return None
    client = Open311Client.objects.filter(key_prefix=key[:KEY_PREFIX_LENGTH]).first()
    if client is None or not hmac.compare_digest(client.key_hash, hash_key(key)):
        return None
    return client if client.is_active else None


def client_by_name_or_prefix(text: str) -> Open311Client | None:
    """A client by its name (any case) or by the prefix of its key ("kp311_Ab3dE9xQ")."""
    text = (text or "").strip()
    if not text:
        return None
    found = Open311Client.objects.filter(name__iexact=text).first()
    if found is None and text.startswith(KEY_MARK) and len(text) >= KEY_PREFIX_LENGTH:
        found = Open311Client.objects.filter(key_prefix=text[:KEY_PREFIX_LENGTH]).first()
    return found


# --- discovery and services ----------------------------------------------------------------------


def _changeset() -> str:
    latest = Category.objects.aggregate(latest=Max("updated_at"))["latest"]
    return iso(latest) or "1970-01-01T07:00:00+07:00"


def discovery(endpoint_url: str) -> dict[str, Any]:
    changeset = _changeset()
    contact = getattr(settings, "OPEN311_CONTACT", "") or _(
        "Questions about this service: the complaint desk (Lapor) of %(platform)s."
    ) % {"platform": settings.PLATFORM_NAME}
    key_service = getattr(settings, "OPEN311_KEY_SERVICE", "") or _(
        "An API key is needed only to file requests: ask the platform's administrators for one key per application."
    )
    return {
        "changeset": changeset,
        "contact": contact,
        "key_service": key_service,
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": endpoint_url,
                "changeset": changeset,
                "type": getattr(settings, "OPEN311_ENDPOINT_TYPE", "production") or "production",
                "formats": [MIME_TYPES["xml"], MIME_TYPES["json"]],
            }
        ],
    }


def _keywords(category: Category) -> str | None:
    words = [w.strip() for w in re.split(r"[,;\n]", category.keywords or "") if w.strip()]
    return ", ".join(words) or None


def _group(category: Category) -> str:
    """The agency a service belongs to (its default agency), else its kind of report."""
    agency = category.default_agency
    if agency is not None:
        return agency.name
    return str(ReportKind(category.kind).label) if category.kind in ReportKind.values else category.kind


def service_list() -> list[dict[str, Any]]:
    """The active categories as Open311 services (with metadata true when they have questions)."""
    return [
        {
            "service_code": category.code,
            "service_name": category.display_name,
            "description": category.description or None,
            "metadata": bool(active_attributes(category)),
            "type": "realtime",
            "keywords": _keywords(category),
            "group": _group(category),
        }
        for category in report_selectors.categories_active()
    ]


def active_category(code: str) -> Category:
    category = report_selectors.category_by_code(code)
    if category is None:
        raise not_found(_("service_code “%(code)s” was not found.") % {"code": (code or "")[:60]})
    return category


def service_definition(code: str) -> dict[str, Any]:
    """The category's questions as a service definition; `order` is 1, 2, 3… in the form's order."""
    category = active_category(code)
    attributes = []
    for position, attribute in enumerate(active_attributes(category), start=1):
        attributes.append(
            {
                "variable": attribute.variable,
                "code": attribute.code,
                "datatype": attribute.datatype,
                "required": bool(attribute.required and attribute.variable),
                "datatype_description": attribute.datatype_description or None,
                "order": position,
                "description": attribute.description,
                "values": [
                    {"key": str(v.get("key")), "name": str(v.get("name") or v.get("key"))}
                    for v in (attribute.values or [])
                    if isinstance(v, dict)
                ],
            }
        )
    return {"service_code": category.code, "attributes": attributes}


# --- requests ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestQuery:
    """What GET requests asks for, already checked (see params.parse_request_query)."""

    ids: tuple[str, ...] | None = None  # overrides every other filter
    service_codes: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()  # "open" / "closed"
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    updated_after: dt.datetime | None = None
    updated_before: dt.datetime | None = None
    page: int = 1
    page_size: int = MAX_RESULTS
    extensions: bool = False


def _own_filter(client: Open311Client | None) -> Q | None:
    if client is None:
        return None
    return Q(channel=Channel.OPEN311, channel_client=client.channel_label) & ~Q(privacy=Privacy.CONFIDENTIAL)


def _base() -> QuerySet[Report]:
    return Report.objects.select_related("category", "responsible_agency", "district", "village", "duplicate_of").only(
        *COLUMNS
    )


def public_requests() -> QuerySet[Report]:
    """Public reports (the backbone's rule) with the columns an answer needs, oldest first."""
    return report_selectors.public_reports().only(*COLUMNS).order_by("created_at", "id")


def _by_ids(ids: Iterable[str], client: Open311Client | None) -> QuerySet[Report]:
    visible = Q(is_public=True) & ~Q(privacy=Privacy.CONFIDENTIAL)
    own = _own_filter(client)
    if own is not None:
        visible |= own
    return _base().filter(visible, tracking_number__in=list(ids)).order_by("created_at", "id")


def _internal_statuses(statuses: Sequence[str]) -> list[str]:
    wanted: set[str] = set()
    if "open" in statuses:
        wanted |= {s for s in Status.values if s not in OPEN311_CLOSED}
    if "closed" in statuses:
        wanted |= set(OPEN311_CLOSED)
    return sorted(wanted)


def request_rows(query: RequestQuery, *, client: Open311Client | None = None) -> list[Report]:
    """The page of reports a GET requests asks for (at most page_size, itself ≤ 1000)."""
    if query.ids is not None:
        qs = _by_ids(query.ids, client)
    else:
        qs = public_requests()
        if query.service_codes:
            qs = qs.filter(category__code__in=[c.upper() for c in query.service_codes])
        if query.statuses:
            qs = qs.filter(status__in=_internal_statuses(query.statuses))
        if query.start is not None:
            qs = qs.filter(created_at__gte=query.start)
        if query.end is not None:
            qs = qs.filter(created_at__lte=query.end)
        if query.updated_after is not None:
            qs = qs.filter(updated_at__gte=query.updated_after)
        if query.updated_before is not None:
            qs = qs.filter(updated_at__lte=query.updated_before)
    return _page(qs, (query.page - 1) * query.page_size, query.page_size)


# From this many rows down, a page picks its ids in a subquery on the report table alone (an
# index-only scan of reports_public_page_idx, no joins), and only those rows are joined with
# their categories and agencies: page 1,000 costs about what page 1 does.
DEFERRED_JOIN_FROM = 1000


def _page(qs: QuerySet, offset: int, size: int) -> list:
    if offset < DEFERRED_JOIN_FROM:
        return list(qs[offset : offset + size])
    # One query: the page's ids picked in a subquery, the rows (with their joins) around it.
    return list(qs.filter(id__in=qs.values("id")[offset : offset + size]))


def request_row(service_request_id: str, *, client: Open311Client | None = None) -> Report:
    number = normalise_tracking_number(service_request_id)
    report = _by_ids([number], client).first() if number else None
    if report is None:
        raise not_found(
            _("service_request_id “%(id)s” was not found.") % {"id": (service_request_id or "")[:40]},
        )
    return report


# --- building the answers ---------------------------------------------------------------------------


def _status_after(kind: str, data: dict, previous: str) -> str:
    if kind in CLOSING_KINDS or (kind == EventKind.MERGED and data.get("into")):
        return "closed"
    if kind == EventKind.REOPENED:
        return "open"
    if kind == EventKind.SUPPORTED:
        return previous
    return "open" if kind != EventKind.MERGED else previous


def _event_description(event: ReportEvent) -> str:
    if event.text:
        return event.text
    label = str(event.get_kind_display())
    data = event.data or {}
    if event.kind == EventKind.MERGED:
        other = data.get("into") or data.get("from")
        return f"{label}: {other}" if other else label
    if event.kind == EventKind.RECATEGORISED and data.get("to"):
        return f"{label}: {data['to']}"
    if event.agency_id and event.agency is not None:
        return f"{label}: {event.agency.name}"
    return label


def _public_events(report_ids: list[int], *, kinds: Sequence[str] | None = None) -> dict[int, list[ReportEvent]]:
    qs = ReportEvent.objects.filter(report_id__in=report_ids, visibility=Visibility.PUBLIC)
    if kinds is not None:
        qs = qs.filter(kind__in=list(kinds)).exclude(text="").only("id", "report_id", "kind", "text", "created_at")
    else:
        qs = qs.select_related("agency").only(
            "id", "report_id", "kind", "text", "data", "created_at", "agency_id", "agency__name"
        )
    found: dict[int, list[ReportEvent]] = {}
    for event in qs.order_by("created_at", "id"):
        found.setdefault(event.report_id, []).append(event)
    return found


def absolute(url: str, base_url: str) -> str:
    if url.startswith(("http://", "https://")):
        return url
    return f"{base_url.rstrip('/')}/{url.lstrip('/')}"


def _photo_urls(report_ids: list[int], base_url: str) -> dict[int, str]:
    """The first public photo of each report (the reporter's own, not a follow-up's)."""
    from .. import photos

    rows = (
        ReportPhoto.objects.filter(
            report_id__in=report_ids, event__isnull=True, storage=ReportPhoto.Storage.PUBLIC, report__is_public=True
        )
        .only("id", "report_id", "file", "created_at")
        .order_by("created_at", "id")
    )
    urls: dict[int, str] = {}
    for photo in rows:
        urls.setdefault(photo.report_id, absolute(photos.public_url(photo), base_url))
    return urls


def service_notice(category: Category) -> str:
    days = category.resolution_days
    return ngettext(
        "Checked by the complaint desk within 3 working days, then handled by the responsible agency: "
        "target %(days)d working day.",
        "Checked by the complaint desk within 3 working days, then handled by the responsible agency: "
        "target %(days)d working days.",
        days,
    ) % {"days": days}


def _address(report: Report, typed: str) -> str | None:
    """The address as typed (public reports only), then the kelurahan and kecamatan."""
    parts = [typed] if typed else []
    text = typed.lower()
    for name in (report.village.name if report.village_id else "", report.district.name if report.district_id else ""):
        if name and name.lower() not in text:
            parts.append(name)
            text += " " + name.lower()
    return ", ".join(parts) or None


def _status_notes(report: Report, follow_ups: list[ReportEvent]) -> str | None:
    if report.status == Status.SET_ASIDE:
        reason = report.set_aside_reason
        return str(SetAsideReason(reason).label) if reason in SetAsideReason.values else None
    if report.status == Status.MERGED and report.duplicate_of_id:
        return _("Merged into %(number)s: follow that request.") % {"number": report.duplicate_of.tracking_number}
    answers = [e for e in follow_ups if e.kind in FOLLOW_UP_KINDS and e.text]
    return answers[-1].text if answers else None


def request_dict(
    report: Report,
    *,
    events: list[ReportEvent],
    media_url: str | None,
    extensions: bool,
) -> dict[str, Any]:
    """One request in the specification's field order (identifiers as strings, WIB dates)."""
    category = report.category
    # The transparency pages' rule: an anonymous report's point is blurred (~100 m) and its
    # typed address left out, so a report filed at home does not point at the house.
    where = public_location(report.privacy, report.lat, report.lng, report.address)
    data: dict[str, Any] = {
        "service_request_id": report.tracking_number,
        "status": report.open311_status,
        "status_notes": _status_notes(report, events),
        "service_name": category.display_name,
        "service_code": category.code,
        "description": report.text or None,
        "agency_responsible": report.responsible_agency.name if report.responsible_agency_id else None,
        "service_notice": service_notice(category),
        "requested_datetime": iso(report.created_at),
        "updated_datetime": iso(report.updated_at),
        "expected_datetime": iso(report.resolution_due) if report.status in OPEN_STATUSES else None,
        "address": _address(report, where.address),
        "address_id": None,
        "zipcode": None,
        "lat": where.lat,
        "long": where.lng,
        "media_url": media_url or report.external_media_url or None,
    }
    if extensions:
        data["extended_attributes"] = {
            "channel": report.channel,
            "kecamatan": report.district.name if report.district_id else None,
            "kelurahan": report.village.name if report.village_id else None,
            "duplicate": bool(report.duplicate_of_id),
            "parent_service_request_id": report.duplicate_of.tracking_number if report.duplicate_of_id else None,
        }
        notes = []
        status = "open"
        for event in events:
            status = _status_after(event.kind, event.data or {}, status)
            notes.append(
                {
                    "type": event.kind,
                    "description": _event_description(event),
                    "datetime": iso(event.created_at),
                    "status": status,
                }
            )
        data["notes"] = notes
    return data


def request_dicts(reports: list[Report], *, base_url: str, extensions: bool) -> list[dict[str, Any]]:
    """Answers for a page of reports in a fixed number of queries (events, photos), not per report."""
    if not reports:
        return []
    ids = [r.pk for r in reports]
    events = _public_events(ids) if extensions else _public_events(ids, kinds=FOLLOW_UP_KINDS)
    photos = _photo_urls(ids, base_url)
    return [
        request_dict(r, events=events.get(r.pk, []), media_url=photos.get(r.pk), extensions=extensions) for r in reports
    ]


# --- updates (servicerequestupdates) -----------------------------------------------------------------


def update_rows(*, start: dt.datetime, end: dt.datetime | None, page: int, page_size: int) -> list[ReportEvent]:
    """Public timeline entries of public reports in [start, end], oldest first."""
    qs = (
        ReportEvent.objects.filter(visibility=Visibility.PUBLIC, created_at__gte=start, report__is_public=True)
        .exclude(report__privacy=Privacy.CONFIDENTIAL)
        .exclude(kind__in=list(NOT_UPDATES))
        .select_related("report", "agency")
        .only("id", "kind", "text", "data", "created_at", "agency_id", "agency__name", "report__tracking_number")
        .order_by("created_at", "id")
    )
    if end is not None:
        qs = qs.filter(created_at__lte=end)
    return _page(qs, (page - 1) * page_size, page_size)


def _statuses_after(events: list[ReportEvent]) -> dict[int, str]:
    """The status of its request after each of `events`, by walking the request's public
    timeline from the start: an entry that changes nothing (a duplicate merged into it) keeps
    the status the request had, so a closed request does not look open again."""
    if not events:
        return {}
    wanted = {event.pk for event in events}
    rows = (
        ReportEvent.objects.filter(
            report_id__in={event.report_id for event in events},
            visibility=Visibility.PUBLIC,
            created_at__lte=max(event.created_at for event in events),
        )
        .exclude(kind__in=list(NOT_UPDATES))
        .order_by("created_at", "id")
        .values_list("id", "report_id", "kind", "data")
    )
    current: dict[int, str] = {}
    found: dict[int, str] = {}
    for pk, report_id, kind, data in rows:
        current[report_id] = _status_after(kind, data or {}, current.get(report_id, "open"))
        if pk in wanted:
            found[pk] = current[report_id]
    return found


def update_dicts(events: list[ReportEvent], *, base_url: str) -> list[dict[str, Any]]:
    from .. import photos

    photo_rows = (
        ReportPhoto.objects.filter(event_id__in=[e.pk for e in events], storage=ReportPhoto.Storage.PUBLIC)
        .only("id", "event_id", "file", "created_at")
        .order_by("created_at", "id")
    )
    urls: dict[int, str] = {}
    for photo in photo_rows:
        urls.setdefault(photo.event_id, absolute(photos.public_url(photo), base_url))
    statuses = _statuses_after(events)
    return [
        {
            "update_id": str(event.pk),
            "service_request_id": event.report.tracking_number,
            "status": statuses.get(event.pk) or _status_after(event.kind, event.data or {}, "open"),
            "updated_datetime": iso(event.created_at),
            "description": _event_description(event),
            "media_url": urls.get(event.pk),
        }
        for event in events
    ]


# --- places named by an address ---------------------------------------------------------------------

_PLACES_KEY = "open311:places:{city}:v1"


@dataclass(frozen=True)
class Place:
    """A kelurahan or kecamatan of the city with a point inside it (its representative point)."""

    code: str
    name: str
    level: int
    lat: float
    lng: float


def _places() -> list[Place]:
    key = _PLACES_KEY.format(city=settings.CITY_CODE)
    places = cache.get(key)
    if places is None:
        rows = Region.objects.filter(
            code__startswith=settings.CITY_CODE + ".",
            level__in=[Region.Level.DISTRICT, Region.Level.VILLAGE],
            center_lat__isnull=False,
            center_lng__isnull=False,
        ).values_list("code", "name", "level", "center_lat", "center_lng")
        places = [Place(code, name, level, lat, lng) for code, name, level, lat, lng in rows]
        cache.set(key, places, 3600)
    return places


def place_by_code(code: str) -> Place | None:
    """A kelurahan of the city by its Kemendagri code (what address_id means here)."""
    wanted = (code or "").strip()
    return next((p for p in _places() if p.code == wanted and p.level == Region.Level.VILLAGE), None)


def example_village_code() -> str:
    place = next((p for p in _places() if p.level == Region.Level.VILLAGE), None)
    return place.code if place else f"{settings.CITY_CODE}.01.1001"


def _normal(text: str) -> str:
    return " " + re.sub(r"[^0-9a-z]+", " ", text.lower()).strip() + " "


def place_in_text(text: str) -> Place | None:
    """The one kelurahan (else kecamatan) of the city an address names, or None when it names
    none or several that cannot be told apart."""
    haystack = _normal(text)
    places = _places()
    districts = [p for p in places if p.level == Region.Level.DISTRICT and _normal(p.name) in haystack]
    villages = [p for p in places if p.level == Region.Level.VILLAGE and _normal(p.name) in haystack]
    if districts and len(villages) > 1:
        inside = [v for v in villages if any(v.code.startswith(d.code + ".") for d in districts)]
        villages = inside or villages
    if len(villages) > 1:
        longest = max(len(v.name) for v in villages)
        villages = [v for v in villages if len(v.name) == longest]
    if len(villages) == 1:
        return villages[0]
    if not villages and len(districts) == 1:
        return districts[0]
    return None


def raise_if_too_many(ids: Sequence[str]) -> None:
    if len(ids) > MAX_RESULTS:
        raise Open311Error(
            400,
            _("Ask for at most %(max)d service_request_id values at once (%(n)d were given).")
            % {"max": MAX_RESULTS, "n": len(ids)},
        )
