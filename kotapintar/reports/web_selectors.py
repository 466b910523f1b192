"""Reads for the residents' pages of Lapor (the report form, "Laporan Saya", tracking).

Thin helpers over reports.selectors and regions.selectors that shape what the resident's
templates show; nothing here writes, and nothing widens what a reader may see:

    area_choices()                      kecamatan and kelurahan for the lists (cached)
    area_point(code)                    a point inside an area (its representative point)
    locate(lat, lng)                    core.geo's answer, or None
    my_report_rows(user)                "Laporan Saya": each report with its deadline badge
    reporter_page(report, user, token)  the reporter's view of one report (timeline, actions)
    similar_public(...)                 similar PUBLIC reports near a point, without identities
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from kotapintar.core import geo
from kotapintar.regions import selectors as regions
from kotapintar.regions.models import Region

from . import duplicates, selectors
from .actions import allowed_actions
from .models import OPEN_STATUSES, Category, Disposition, EventKind, Report, Status

MY_REPORTS_PAGE = 20


# --- areas ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AreaOption:
    code: str
    name: str


@dataclass(frozen=True)
class DistrictOption:
    code: str
    name: str
    villages: tuple[AreaOption, ...]


def area_choices() -> list[DistrictOption]:
    """The city's kecamatan by name, each with its kelurahan by name (cached per boundary version)."""
    key = f"reports:web:areas:{settings.CITY_CODE}:{geo.boundaries_version()}"
    rows = cache.get(key)
    if rows is None:
        rows = [
            DistrictOption(
                entry.district.code,
                entry.district.name,
                tuple(AreaOption(v.code, v.name) for v in entry.villages),
            )
            for entry in regions.city_tree()
        ]
        cache.set(key, rows, 3600)
    return rows


def area_point(code: str) -> tuple[float, float] | None:
    """A point certainly inside a kecamatan/kelurahan of the city (the representative point
    stored with its boundary), or None when the code is not one of the city's areas."""
    if not code or not code.startswith(settings.CITY_CODE + "."):
        return None
    row = (
        Region.objects.filter(code=code, level__in=[Region.Level.DISTRICT, Region.Level.VILLAGE])
        .values_list("center_lat", "center_lng")
        .first()
    )
    if not row or row[0] is None or row[1] is None:
        return None
    return float(row[0]), float(row[1])


def area_bounds(code: str) -> list[list[float]] | None:
    """[[south, west], [north, east]] of an area of the city, to centre the map on it."""
    if not code or not code.startswith(settings.CITY_CODE + "."):
        return None
    row = Region.objects.filter(code=code).values_list("min_lat", "min_lng", "max_lat", "max_lng").first()
    if not row or any(v is None for v in row):
        return None
    return [[row[0], row[1]], [row[2], row[3]]]


def parse_point(lat: Any, lng: Any) -> tuple[float, float] | None:
    """Two finite numbers in range, or None (a comma as decimal separator is accepted)."""
    try:
        lat_f = float(str(lat).strip().replace(",", "."))
        lng_f = float(str(lng).strip().replace(",", "."))
    except (TypeError, ValueError):
        return None
    if not (math.isfinite(lat_f) and math.isfinite(lng_f) and -90 <= lat_f <= 90 and -180 <= lng_f <= 180):
        return None
    return lat_f, lng_f


def locate(lat: float, lng: float) -> geo.Location | None:
    return geo.locate(lat, lng)


# --- similar public reports -------------------------------------------------------------------------


@dataclass(frozen=True)
class SimilarReport:
    """A possible duplicate as the form shows it: public fields only, never an identity."""

    tracking_number: str
    title: str
    status: str
    status_label: str
    district_name: str
    created_at: dt.datetime
    support_count: int
    distance_m: int
    reason: str
    following: bool = False


def similar_public(
    *, category: Category, lat: float, lng: float, text: str = "", user: Any = None, limit: int = 3
) -> list[SimilarReport]:
    """Similar PUBLIC reports near the point (reports.duplicates, public=True)."""
    found = duplicates.find_similar(category=category, lat=lat, lng=lng, text=text, public=True, limit=limit)
    following: set[int] = set()
    if getattr(user, "is_authenticated", False) and found:
        from .models import Follower

        following = set(
            Follower.objects.filter(user_id=user.pk, report_id__in=[c.report.pk for c in found]).values_list(
                "report_id", flat=True
            )
        )
    rows = []
    for candidate in found:
        data = duplicates.as_public_dict(candidate)
        report = candidate.report
        rows.append(
            SimilarReport(
                tracking_number=data["tracking_number"],
                title=data["title"],
                status=data["status"],
                status_label=str(Status(data["status"]).label),
                district_name=data["district"],
                created_at=data["created_at"],
                support_count=data["support_count"],
                distance_m=data["distance_m"],
                reason=data["reason"],
                following=report.pk in following or report.reporter_id == getattr(user, "pk", -1),
            )
        )
    return rows


def deadline(report: Report, now: dt.datetime | None = None) -> dict:
    """selectors.deadline_badge plus `days_late` (a positive number when overdue)."""
    badge = dict(selectors.deadline_badge(report, now))
    left = badge.get("days_left")
    badge["days_late"] = -left if left is not None and left < 0 else 0
    return badge


# --- "Laporan Saya" --------------------------------------------------------------------------------


@dataclass(frozen=True)
class MyReportRow:
    report: Report
    badge: dict
    needs_me: bool  # the reporter is asked to do something (answer, confirm, rate)


def _needs_reporter(report: Report) -> bool:
    if report.awaiting_reporter and report.status not in (Status.CLOSED, Status.SET_ASIDE, Status.MERGED):
        return True
    if report.status == Status.RESOLVED:
        return True
    return report.status == Status.CLOSED and report.rating is None


def my_report_rows(user: Any, *, status: str = "", now: dt.datetime | None = None) -> list[MyReportRow]:
    """The user's reports, newest first, each with its deadline badge. `status`: "open",
    "action" (waiting for me) or "done"; anything else means all."""
    now = now or timezone.now()
    qs = selectors.my_reports(user)
    if status == "open":
        qs = qs.filter(status__in=list(OPEN_STATUSES))
    elif status == "done":
        qs = qs.exclude(status__in=list(OPEN_STATUSES))
    rows = [MyReportRow(r, deadline(r, now), _needs_reporter(r)) for r in qs]
    if status == "action":
        rows = [r for r in rows if r.needs_me]
    return rows


def my_report_counts(user: Any) -> dict[str, int]:
    rows = my_report_rows(user)
    return {
        "all": len(rows),
        "open": sum(1 for r in rows if r.report.status in OPEN_STATUSES),
        "action": sum(1 for r in rows if r.needs_me),
    }


# --- one report, for its reporter --------------------------------------------------------------------


@dataclass
class ReporterPage:
    """What the reporter's page of one report shows."""

    report: Report
    badge: dict
    timeline: list
    photos: list
    agencies: list[str]
    actions: list[str]
    open_question: Any = None  # the latest unanswered request for information
    reopen_until: dt.datetime | None = None
    steps: list[dict] = field(default_factory=list)
    answers: list[tuple[str, str]] = field(default_factory=list)


def _answers(report: Report) -> list[tuple[str, str]]:
    """(question, answer) of the category's questions, answers in words (list keys → names)."""
    from .attributes import active_attributes

    given = report.attributes or {}
    if not given:
        return []
    rows = []
    by_code = {a.code: a for a in active_attributes(report.category)}
    for code, value in given.items():
        attribute = by_code.get(code)
        names = {str(v.get("key")): str(v.get("name")) for v in (attribute.values if attribute else []) or []}
        if isinstance(value, list):
            text = ", ".join(names.get(str(v), str(v)) for v in value)
        else:
            text = names.get(str(value), str(value))
        rows.append((attribute.description if attribute else code, text))
    return rows


def _steps(report: Report) -> list[dict]:
    """The stages of the process with the moment each was reached (for the progress bar)."""
    order = [
        (Status.SUBMITTED, report.created_at),
        (Status.VERIFIED, report.verified_at),
        (Status.DISPOSITIONED, report.dispositioned_at),
        (Status.IN_PROGRESS, report.first_response_at),
        (Status.RESOLVED, report.resolved_at),
        (Status.CLOSED, report.closed_at),
    ]
    labels = {
        Status.SUBMITTED: EventKind.SUBMITTED.label,
        Status.VERIFIED: Status.VERIFIED.label,
        Status.DISPOSITIONED: Status.DISPOSITIONED.label,
        Status.IN_PROGRESS: Status.IN_PROGRESS.label,
        Status.RESOLVED: Status.RESOLVED.label,
        Status.CLOSED: Status.CLOSED.label,
    }
    current = report.status
    index = next((i for i, (s, _at) in enumerate(order) if s == current), None)
    steps = []
    for i, (state, at) in enumerate(order):
        done = at is not None if index is None else i <= index
        steps.append({"status": state, "label": labels[state], "at": at, "done": done, "current": state == current})
    return steps


def reporter_page(report: Report, user: Any = None, *, token_ok: bool = False) -> ReporterPage:
    """The reporter's view: timeline with agency names only (never staff names), their own
    exchanges with the city, the actions open to them now."""
    entries = selectors.timeline(report, audience="reporter")
    question = None
    if report.awaiting_reporter:
        question = next((e for e in reversed(entries) if e.kind == EventKind.INFO_REQUESTED), None)
    agencies = [
        d.agency.name
        for d in Disposition.objects.filter(report=report, state__in=[Disposition.State.ACTIVE, Disposition.State.DONE])
        .select_related("agency")
        .order_by("-is_primary", "created_at")
    ]
    if not agencies and report.responsible_agency_id:
        agencies = [report.responsible_agency.name]
    return ReporterPage(
        report=report,
        badge=deadline(report),
        timeline=list(reversed(entries)),
        photos=selectors.report_photos(report),
        agencies=list(dict.fromkeys(agencies)),
        actions=allowed_actions(report, user, token_ok=token_ok),
        open_question=question,
        reopen_until=report.reopen_until if report.status in (Status.RESOLVED, Status.CLOSED) else None,
        steps=_steps(report),
        answers=_answers(report),
    )
