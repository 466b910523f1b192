"""Reads of the portal: the public catalogue, a person's own surveys, and the published IKM.

IKM figures: the index depends on the responses only through each element's total and
the number of respondents, so the database adds them up (one GROUP BY for all agencies or
services of a period) and ikm.ikm_from_totals does exactly the arithmetic of
ikm.compute_ikm on them. A figure is published only when at least
settings.PORTAL_IKM_MIN_RESPONDENTS (default 5) people answered in that period for that
scope: with fewer, the "aggregate" would be one person's answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, QuerySet, Sum

from kotapintar.agencies.models import Agency
from kotapintar.core import access
from kotapintar.core.search import text_search

from .ikm import ELEMENT_COUNT, IkmResult, ikm_from_totals
from .models import SatisfactionSurvey, ServiceStandard, SurveyResponse
from .periods import Period

DEFAULT_MIN_RESPONDENTS = 5
SEARCH_FIELDS = ("name", "keywords", "summary", "requirements", "product", "agency__name")
_SUMS = {f"t{i}": Sum(f"u{i}") for i in range(1, ELEMENT_COUNT + 1)}


def min_respondents() -> int:
    return max(1, int(getattr(settings, "PORTAL_IKM_MIN_RESPONDENTS", DEFAULT_MIN_RESPONDENTS)))


# --- the catalogue -------------------------------------------------------------------------------


def services_visible(user: Any) -> QuerySet[ServiceStandard]:
    """Catalogue entries the user may see: the published ones (administrators: all)."""
    return access.scope(ServiceStandard.objects.select_related("agency"), user)


def services_public(
    *,
    query: str = "",
    agency: Agency | None = None,
    category: str = "",
    online: bool | None = None,
) -> QuerySet[ServiceStandard]:
    """The published catalogue, filtered; best matches first when searching, else by name."""
    qs = ServiceStandard.objects.filter(is_published=True, agency__is_active=True).select_related("agency")
    if agency is not None:
        qs = qs.filter(agency=agency)
    if category:
        qs = qs.filter(category=category)
    if online is True:
        qs = qs.exclude(online_kind="")
    elif online is False:
        qs = qs.filter(online_kind="")
    if query.strip():
        return text_search(qs, query, fields=SEARCH_FIELDS).order_by("-search_rank", "name", "pk")
    return qs.order_by("name", "pk")


def service_public(slug: str) -> ServiceStandard:
    """One published service by its address name; ServiceStandard.DoesNotExist otherwise."""
    return ServiceStandard.objects.select_related("agency").get(slug=slug, is_published=True, agency__is_active=True)


def agencies_with_services() -> QuerySet[Agency]:
    """Active agencies that publish at least one service (for the catalogue's filter)."""
    published = ServiceStandard.objects.filter(agency=OuterRef("pk"), is_published=True)
    return Agency.objects.filter(is_active=True).filter(Exists(published)).order_by("name")


def service_for_online(kind: str, code: str = "") -> ServiceStandard | None:
    """The catalogue entry whose online form is (kind, code), e.g. ("permit", "IZIN-REKLAME").

    For the apps that offer surveys: the permits app finds the service of a permit type,
    Lapor the service of reports (code "" = the general complaints service). Unpublished
    entries count too (a survey of a service being reworded is still about that service).
    """
    qs = ServiceStandard.objects.select_related("agency").filter(online_kind=kind)
    found = qs.filter(online_code__iexact=code).order_by("pk").first()
    if found is None and kind == "report" and code:
        found = qs.filter(online_code="").order_by("pk").first()
    return found


# --- a person's surveys ----------------------------------------------------------------------------


def surveys_of(user: Any) -> QuerySet[SatisfactionSurvey]:
    """The surveys offered to `user` (their own only, whatever their role), newest first."""
    if not getattr(user, "is_authenticated", False):
        return SatisfactionSurvey.objects.none()
    return (
        access.scope(SatisfactionSurvey.objects.select_related("service", "agency"), user)
        .filter(respondent_id=user.pk)
        .order_by("-offered_at", "-id")
    )


def survey_of(user: Any, pk: Any) -> SatisfactionSurvey:
    """One of the user's own surveys; someone else's answers 404 exactly like a missing one."""
    return access.get_object_or_404(surveys_of(user), user, pk=pk)


def pending_survey_count(user: Any) -> int:
    return surveys_of(user).filter(status=SatisfactionSurvey.Status.PENDING).count()


# --- the published IKM -------------------------------------------------------------------------------


@dataclass(frozen=True)
class IkmFigure:
    """The IKM of one scope (city, agency or service) in one period."""

    period: Period
    respondents: int
    result: IkmResult | None  # None when there are too few respondents to publish
    agency: Agency | None = None
    service: ServiceStandard | None = None

    @property
    def published(self) -> bool:
        return self.result is not None

    @property
    def unit_ikm(self):
        return self.result.unit_ikm if self.result else None

    @property
    def grade(self) -> str:
        return self.result.grade if self.result else ""


def _responses(period: Period, agency: Agency | None = None, service: ServiceStandard | None = None):
    qs = SurveyResponse.objects.filter(answered_on__gte=period.start, answered_on__lte=period.end)
    if agency is not None:
        qs = qs.filter(agency=agency)
    if service is not None:
        qs = qs.filter(service=service)
    return qs


def _figure(period: Period, row: dict, **scope) -> IkmFigure:
    respondents = int(row.get("n") or 0)
    result = None
    if respondents and respondents >= min_respondents():
        totals = [int(row[f"t{i}"]) for i in range(1, ELEMENT_COUNT + 1)]
        result = ikm_from_totals(totals, respondents)
    return IkmFigure(period=period, respondents=respondents, result=result, **scope)


def ikm_figure(period: Period, *, agency: Agency | None = None, service: ServiceStandard | None = None) -> IkmFigure:
    """The IKM of the city (no scope), an agency or a service in `period`."""
    row = _responses(period, agency, service).aggregate(n=Count("pk"), **_SUMS)
    return _figure(period, row, agency=agency, service=service)


def ikm_by_agency(period: Period) -> list[IkmFigure]:
    """One figure per agency that has responses in `period`, best first (unpublished last)."""
    rows = _responses(period).values("agency").annotate(n=Count("pk"), **_SUMS).order_by()
    agencies = Agency.objects.in_bulk([r["agency"] for r in rows])
    figures = [_figure(period, r, agency=agencies[r["agency"]]) for r in rows]
    return sorted(figures, key=_rank_key)


def ikm_by_service(period: Period, *, agency: Agency | None = None) -> list[IkmFigure]:
    """One figure per service that has responses in `period` (of one agency if given)."""
    rows = _responses(period, agency).values("service").annotate(n=Count("pk"), **_SUMS).order_by()
    services = ServiceStandard.objects.select_related("agency").in_bulk([r["service"] for r in rows])
    figures = [_figure(period, r, service=services[r["service"]], agency=services[r["service"]].agency) for r in rows]
    return sorted(figures, key=_rank_key)


def ikm_trend(
    periods: Iterable[Period], *, agency: Agency | None = None, service: ServiceStandard | None = None
) -> list[IkmFigure]:
    """The figure of each period, in the order given (for a chart over time)."""
    return [ikm_figure(p, agency=agency, service=service) for p in periods]


def _rank_key(figure: IkmFigure):
    name = str(figure.service or figure.agency or "")
    if figure.result is None:
        return (1, 0, name)
    return (0, -figure.result.unit_ikm, name)


def years_with_responses() -> list[int]:
    """The years that have survey answers, newest first (for the period picker)."""
    dates = SurveyResponse.objects.dates("answered_on", "year", order="DESC")
    return [d.year for d in dates]


def suggestions_for(user: Any, *, period: Period, agency: Agency | None = None) -> QuerySet[SurveyResponse]:
    """Anonymous suggestions the user may read (their agency's; leadership and administrators: all)."""
    qs = access.scope(SurveyResponse.objects.select_related("service", "agency"), user)
    qs = qs.filter(answered_on__gte=period.start, answered_on__lte=period.end).exclude(suggestions="")
    if agency is not None:
        qs = qs.filter(agency=agency)
    return qs.order_by("-answered_on", "service__name")


def has_suggestions_access(user: Any) -> bool:
    return access.role_of(user) in (access.AGENCY, access.LEADERSHIP, access.ADMIN) and (
        access.role_of(user) != access.AGENCY or bool(access.agency_ids(user))
    )
