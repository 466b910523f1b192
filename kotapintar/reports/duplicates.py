"""Possible duplicates of a report: same or related category, nearby, recent, similar text.

    find_similar(category=cat, lat=-6.98, lng=110.41, text="jalan berlubang…")  # the form
    find_duplicates(report)                                                     # the desk

A candidate must be in the same category or one of its related categories, filed in the
last 30 days, still open (or resolved in that time), and within the category's radius
(default 150 m). Candidates are fetched with a bounding box on the (lat, lng) index and
then measured exactly (haversine). Each gets a score: 0.3 × closeness within the radius +
0.6 × text similarity (the mean of rapidfuzz token_set_ratio on normalised text and the
share of Sastrawi word stems in common, so "berlubang" and "lubang" meet) + 0.1 when the
category is the same; and a reason in words:
"sama kategori, 80 m, teks mirip 72%".

The form sees PUBLIC reports only and no identities (`public=True`); the desk sees all.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from rapidfuzz import fuzz

from .models import Category, Report, Status

WINDOW_DAYS = 30
EARTH_RADIUS_M = 6_371_008.8
MAX_CANDIDATES = 500
DEFAULT_LIMIT = 5
_WORD = re.compile(r"[a-z0-9]+")
# Statuses worth pointing at: the problem is (or was recently) being dealt with.
CANDIDATE_STATUSES = (
    Status.SUBMITTED,
    Status.VERIFIED,
    Status.DISPOSITIONED,
    Status.IN_PROGRESS,
    Status.RESOLVED,
)


@dataclass(frozen=True)
class Candidate:
    """A possible duplicate, best first: the report, how far, how similar, and why."""

    report: Report
    distance_m: float
    text_similarity: float  # 0..100
    same_category: bool
    score: float  # 0..1
    reason: str


def haversine_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(lat: float, lng: float, radius_m: float) -> tuple[float, float, float, float]:
    """(min_lat, min_lng, max_lat, max_lng) enclosing a circle of `radius_m` around the point."""
    dlat = math.degrees(radius_m / EARTH_RADIUS_M)
    dlng = math.degrees(radius_m / (EARTH_RADIUS_M * max(math.cos(math.radians(lat)), 1e-6)))
    return lat - dlat, lng - dlng, lat + dlat, lng + dlng


def normalise(text: str) -> str:
    return " ".join(_WORD.findall((text or "").lower()))


def _stems(text: str) -> set[str]:
    try:
        from kotapintar.reports.classifier.text import stem_word
    except ImportError:  # pragma: no cover - the classifier ships with the app
        return set(normalise(text).split())
    return {stem_word(w) for w in normalise(text).split() if len(w) > 2}


def text_similarity(a: str, b: str) -> float:
    """0..100: the mean of fuzzy token-set similarity (typos, word order) and the share of
    word stems in common (so "berlubang" and "lubang" meet, and texts that merely look
    alike letter by letter do not)."""
    na, nb = normalise(a), normalise(b)
    if not na or not nb:
        return 0.0
    fuzzy = fuzz.token_set_ratio(na, nb)
    sa, sb = _stems(a), _stems(b)
    overlap = 100.0 * len(sa & sb) / max(1, min(len(sa), len(sb))) if sa and sb else 0.0
    return round(0.5 * fuzzy + 0.5 * overlap, 1)


def _reason(same_category: bool, distance_m: float, similarity: float) -> str:
    parts = [_("same category") if same_category else _("related category")]
    parts.append(_("%(m)d m away") % {"m": round(distance_m)})
    parts.append(_("similar text %(p)d%%") % {"p": round(similarity)})
    return ", ".join(parts)


def find_similar(
    *,
    category: Category,
    lat: float,
    lng: float,
    text: str = "",
    exclude_id: int | None = None,
    public: bool = True,
    limit: int = DEFAULT_LIMIT,
    now: dt.datetime | None = None,
    queryset=None,
) -> list[Candidate]:
    """Ranked nearby reports that may describe the same problem."""
    now = now or timezone.now()
    radius = max(int(category.duplicate_radius_m or 150), 1)
    related_ids = [c.pk for c in category.related.all()]
    min_lat, min_lng, max_lat, max_lng = bounding_box(lat, lng, radius)
    qs = queryset if queryset is not None else Report.objects.all()
    qs = qs.filter(
        category_id__in=[category.pk, *related_ids],
        created_at__gte=now - dt.timedelta(days=WINDOW_DAYS),
        status__in=CANDIDATE_STATUSES,
        lat__gte=min_lat,
        lat__lte=max_lat,
        lng__gte=min_lng,
        lng__lte=max_lng,
    )
    if public:
        qs = qs.filter(is_public=True)
    if exclude_id is not None:
        qs = qs.exclude(pk=exclude_id)
    rows = list(
        qs.select_related("category", "responsible_agency", "district")
        .defer("district__boundary")
        .order_by("-created_at")[:MAX_CANDIDATES]
    )
    found: list[Candidate] = []
    for row in rows:
        distance = haversine_m(lat, lng, row.lat, row.lng)
        if distance > radius:
            continue
        similarity = text_similarity(text, row.text) if text else 0.0
        same = row.category_id == category.pk
        closeness = 1.0 - distance / radius
        # Text weighs more than distance: within the radius, what is said decides.
        score = 0.30 * closeness + 0.60 * (similarity / 100.0) + (0.10 if same else 0.0)
        found.append(Candidate(row, distance, similarity, same, round(score, 4), _reason(same, distance, similarity)))
    found.sort(key=lambda c: (-c.score, c.distance_m, -c.report.created_at.timestamp()))
    return found[:limit]


def find_duplicates(report: Report, *, limit: int = DEFAULT_LIMIT, public: bool = False) -> list[Candidate]:
    """Possible duplicates of a filed report (for the desk: all reports, not only public)."""
    return find_similar(
        category=report.category,
        lat=report.lat,
        lng=report.lng,
        text=report.text,
        exclude_id=report.pk,
        public=public,
        limit=limit,
        now=max(timezone.now(), report.created_at),
    )


def as_public_dict(candidate: Candidate) -> dict[str, Any]:
    """A candidate for the public form: no identities, only what the public page shows."""
    report = candidate.report
    return {
        "tracking_number": report.tracking_number,
        "title": report.title,
        "category": report.category.code,
        "status": report.status,
        "district": report.district.name if report.district_id else "",
        "created_at": report.created_at,
        "support_count": report.support_count,
        "distance_m": round(candidate.distance_m),
        "similarity": round(candidate.text_similarity),
        "score": candidate.score,
        "reason": candidate.reason,
    }
