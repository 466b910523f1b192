"""Reads of the staff web UI (verifier desk, agency inbox, leadership overview).

They build on reports.selectors (which scope every row to the user) and add what the staff
pages need on top:

    keyset_page(qs, sort, cursor)       one page of a list, without OFFSET and without COUNT(*)
    staff_timeline(report, user, reveal=False)   the staff timeline; residents' names of an
                                        anonymous report stay masked until revealed
    triage_card(user), inbox_card(user, agency)  figures of the staff-home cards
    overview_counts(user, **filters)    counts by status and by agency (leadership), cached

Lists of a million reports must stay fast: pages are fetched by keyset (the sort key of the
last row of the previous page), so page 1,000 costs what page 1 costs, and no list counts
its rows — the cards count small, indexed slices (open reports of one queue).
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from kotapintar.accounts.models import STAFF_ROLES
from kotapintar.core import access

from . import selectors
from .models import AGENCY_STATUSES, OPEN_STATUSES, EventKind, Report, ReportEvent, Status

PAGE_SIZE = 25
STAFF_ROLE_VALUES = frozenset(str(r) for r in STAFF_ROLES)

# --- keyset pagination ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SortKey:
    """One column of an ordering: ascending or not; nulls always last."""

    field: str
    ascending: bool = True


#: The orderings the lists offer (all end in the primary key, so every row has one place).
SORTS: dict[str, tuple[SortKey, ...]] = {
    "due": (SortKey("due_at"), SortKey("created_at"), SortKey("id")),
    "newest": (SortKey("created_at", False), SortKey("id", False)),
    "oldest": (SortKey("created_at"), SortKey("id")),
    "updated": (SortKey("updated_at", False), SortKey("id", False)),
}
DATETIME_FIELDS = frozenset({"due_at", "created_at", "updated_at"})


@dataclass(frozen=True)
class KeysetPage:
    """One page of a list: its rows, the cursor of the next page (None on the last), and
    whether this is the first page."""

    rows: list[Any]
    next_cursor: str | None
    is_first: bool

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None


def _order_by(keys: Sequence[SortKey]) -> list[Any]:
    return [F(k.field).asc(nulls_last=True) if k.ascending else F(k.field).desc(nulls_last=True) for k in keys]


def _encode(values: list[Any]) -> str:
    plain = [v.isoformat() if isinstance(v, dt.datetime) else v for v in values]
    raw = json.dumps(plain, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str, keys: Sequence[SortKey]) -> list[Any] | None:
    """The values of a cursor, or None when it is malformed (the list starts again)."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
        if not isinstance(values, list) or len(values) != len(keys):
            return None
        decoded = []
        for key, value in zip(keys, values, strict=True):
            if value is None:
                decoded.append(None)
            elif key.field in DATETIME_FIELDS:
                moment = dt.datetime.fromisoformat(value)
                if moment.tzinfo is None:
                    return None
                decoded.append(moment)
            elif isinstance(value, int) and not isinstance(value, bool):
                decoded.append(value)
            else:
                return None
        return decoded
    except (ValueError, TypeError, UnicodeDecodeError, json.JSONDecodeError):
        return None


def _after(keys: Sequence[SortKey], values: Sequence[Any]) -> Q:
    """Rows strictly after `values` in the ordering `keys` (nulls last in every column)."""
    key, value = keys[0], values[0]
    rest = _after(keys[1:], values[1:]) if len(keys) > 1 else None
    if value is None:
        # Inside the null tail of this column: only later rows of the same tail.
        same = Q(**{f"{key.field}__isnull": True})
        return same & rest if rest is not None else Q(pk__in=[])
    beyond = Q(**{f"{key.field}__gt" if key.ascending else f"{key.field}__lt": value})
    beyond |= Q(**{f"{key.field}__isnull": True})
    if rest is None:
        return beyond
    return beyond | (Q(**{key.field: value}) & rest)


def keyset_page(qs: QuerySet, sort: str, cursor: str | None, *, size: int = PAGE_SIZE) -> KeysetPage:
    """The page of `qs` (already scoped and filtered) after `cursor`, in the order `sort`."""
    keys = SORTS.get(sort) or SORTS["due"]
    values = _decode(cursor, keys) if cursor else None
    ordered = qs.order_by(*_order_by(keys))
    if values is not None:
        ordered = ordered.filter(_after(keys, values))
    rows = list(ordered[: size + 1])
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        last = rows[-1]
        next_cursor = _encode([getattr(last, "pk" if k.field == "id" else k.field) for k in keys])
    return KeysetPage(rows=rows, next_cursor=next_cursor, is_first=values is None)


# --- rows with their deadline badge ------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """A report in a staff list, with its current deadline badge."""

    report: Report
    badge: dict


def with_badges(reports: Sequence[Report], now: dt.datetime | None = None) -> list[Row]:
    now = now or timezone.now()
    return [Row(report, selectors.deadline_badge(report, now)) for report in reports]


# --- the timeline as staff read it ---------------------------------------------------------------


def staff_timeline(report: Report, user: Any, *, reveal: bool = False) -> list[selectors.TimelineEntry]:
    """The report's timeline for staff (internal entries included, staff names shown).

    The desk may see who filed an anonymous report, but only through the explicit, audited
    "show the reporter" action: until then the names of residents in the timeline (the
    reporter filing, replying, confirming…) are masked for everybody.
    """
    entries = selectors.timeline(report, user, audience="staff")
    entries = _with_officer_names(entries)
    if reveal or not report.is_anonymous:
        return entries
    resident_events = set(
        ReportEvent.objects.filter(report=report, actor__isnull=False)
        .exclude(actor__role__in=list(STAFF_ROLE_VALUES))
        .values_list("pk", flat=True)
    )
    return [dataclasses.replace(e, actor_name="") if e.id in resident_events else e for e in entries]


def _with_officer_names(entries: list[selectors.TimelineEntry]) -> list[selectors.TimelineEntry]:
    """Name the officer of each assignment ("To Budi"), for staff."""
    from django.contrib.auth import get_user_model

    ids = {e.data.get("officer") for e in entries if e.kind == EventKind.ASSIGNED and e.data.get("officer")}
    if not ids:
        return entries
    names = dict(get_user_model().objects.filter(pk__in=ids).values_list("pk", "full_name"))
    return [
        dataclasses.replace(e, data={**e.data, "officer_name": names.get(e.data.get("officer"), "")})
        if e.kind == EventKind.ASSIGNED
        else e
        for e in entries
    ]


# --- staff-home cards ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TriageFigures:
    waiting: int
    overdue: int
    due_soon: int
    urgent: list[Row]


def triage_card(user: Any, *, now: dt.datetime | None = None) -> TriageFigures:
    """The verifier desk's queue at a glance: how many wait, how many are late, the top five."""
    from kotapintar.core import calendar

    now = now or timezone.now()
    queue = selectors.verifier_queue(user)
    # "Due soon" = due by the end of the next working day (as the badges say).
    soon = calendar.end_of_day(calendar.next_working_day(now))
    figures = queue.aggregate(
        waiting=Count("id"),
        overdue=Count("id", filter=Q(due_at__lt=now)),
        due_soon=Count("id", filter=Q(due_at__gte=now, due_at__lte=soon)),
    )
    urgent = with_badges(list(queue.order_by(*_order_by(SORTS["due"]))[:5]), now)
    return TriageFigures(figures["waiting"], figures["overdue"], figures["due_soon"], urgent)


@dataclass(frozen=True)
class InboxFigures:
    open: int
    overdue: int
    unassigned: int
    mine: int
    escalated: int
    is_head: bool


def inbox_card(user: Any, *, agency: Any = None, now: dt.datetime | None = None) -> InboxFigures:
    """The agency inbox at a glance: open, late, not yet assigned, assigned to me, escalated
    to the head (level 2 and up: what the head is told about)."""
    now = now or timezone.now()
    inbox = selectors.agency_inbox(user, agency=agency)
    figures = inbox.aggregate(
        open=Count("id"),
        overdue=Count("id", filter=Q(due_at__lt=now)),
        unassigned=Count("id", filter=Q(assigned_to__isnull=True)),
        mine=Count("id", filter=Q(assigned_to_id=user.pk)),
        escalated=Count("id", filter=Q(escalation_level__gte=2)),
    )
    return InboxFigures(is_head=bool(access.headed_agency_ids(user)), **figures)


# --- leadership overview -------------------------------------------------------------------------

OVERVIEW_CACHE_SECONDS = 60


@dataclass(frozen=True)
class AgencyCount:
    agency_id: int | None
    name: str
    open: int
    overdue: int
    resolved: int
    total: int


@dataclass(frozen=True)
class Overview:
    by_status: list[tuple[str, str, int]]  # (status, label, count)
    by_agency: list[AgencyCount]
    total: int
    open: int
    overdue: int


def overview_counts(user: Any, *, now: dt.datetime | None = None, **filters: Any) -> Overview:
    """Counts by status and by responsible agency of the reports `user` may see (filtered).

    These are GROUP BY queries over the whole table, so the result is cached for a minute
    per set of filters (leadership reads trends, not the last second)."""
    now = now or timezone.now()
    role = access.role_of(user)
    # Roles that see every report share one cache entry per set of filters.
    who = role if role in (access.VERIFIER, access.LEADERSHIP, access.ADMIN) else f"{role}:{user.pk}"
    key_source = json.dumps({"who": who, **filters}, default=str, sort_keys=True)
    key = "reports:overview:" + hashlib.sha256(key_source.encode()).hexdigest()
    cached = cache.get(key)
    if cached is not None:
        return cached
    qs = selectors.filter_reports(selectors.reports_visible(user).order_by(), **filters)
    labels = dict(Status.choices)
    status_rows = dict(qs.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    by_status = [(value, str(labels[value]), status_rows.get(value, 0)) for value in Status.values]
    open_statuses = list(OPEN_STATUSES)
    agency_rows = (
        qs.values("responsible_agency_id", "responsible_agency__name")
        .annotate(
            total=Count("id"),
            open=Count("id", filter=Q(status__in=open_statuses)),
            overdue=Count("id", filter=Q(status__in=open_statuses, due_at__lt=now)),
            resolved=Count("id", filter=Q(status__in=[Status.RESOLVED, Status.CLOSED])),
        )
        .order_by("-open", "-total", "responsible_agency__name")
    )
    by_agency = [
        AgencyCount(
            row["responsible_agency_id"],
            row["responsible_agency__name"] or "",
            row["open"],
            row["overdue"],
            row["resolved"],
            row["total"],
        )
        for row in agency_rows
    ]
    overview = Overview(
        by_status=by_status,
        by_agency=by_agency,
        total=sum(n for _s, _l, n in by_status),
        open=sum(n for s, _l, n in by_status if s in OPEN_STATUSES),
        overdue=sum(a.overdue for a in by_agency),
    )
    cache.set(key, overview, OVERVIEW_CACHE_SECONDS)
    return overview


def is_agency_stage(report: Report) -> bool:
    return report.status in AGENCY_STATUSES
