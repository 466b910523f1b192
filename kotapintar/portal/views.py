"""Pages of the portal: the catalogue (/layanan/), Layanan Saya, the survey, the published IKM."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from kotapintar.core.errors import DomainError
from kotapintar.core.exports import Column, export_links, export_or_none

from . import links, periods, registry, selectors, services, skm
from .forms import CatalogueSearchForm, PeriodForm, SurveyForm
from .ikm import ELEMENTS, GRADES
from .models import Category, SatisfactionSurvey, ServiceStandard

PAGE_SIZE = 20
TREND_LENGTH = 6


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


# --- the catalogue -------------------------------------------------------------------------------


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """All published services, searchable and filterable by agency and category."""
    form = CatalogueSearchForm(request.GET or None, agencies=selectors.agencies_with_services())
    query, agency, category = "", None, ""
    if form.is_bound:
        form.is_valid()  # a stale agency or category in a shared link drops that filter, not the search
        query = form.cleaned_data.get("q") or ""
        agency = form.cleaned_data.get("agency")
        category = form.cleaned_data.get("category") or ""
    results = selectors.services_public(query=query, agency=agency, category=category)
    page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "query": query,
        "filtered": bool(query or agency or category),
        "categories": Category.choices,
        "online": {s.pk: links.online_link(s) for s in page.object_list},
    }
    if _is_htmx(request):
        return render(request, "portal/partials/results.html", context)
    return render(request, "portal/index.html", context)


@require_GET
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    """One service's published standard, its online form, and its satisfaction index."""
    try:
        service = selectors.service_public(slug)
    except ServiceStandard.DoesNotExist as exc:
        raise Http404(_("No such service.")) from exc
    year = periods.current(periods.YEAR)
    context = {
        "service": service,
        "online": links.online_link(service),
        "ikm_this_year": selectors.ikm_figure(year, service=service),
        "ikm_last_year": selectors.ikm_figure(year.previous(), service=service),
        "related": selectors.services_public(agency=service.agency).exclude(pk=service.pk)[:6],
    }
    return render(request, "portal/detail.html", context)


# --- Layanan Saya -----------------------------------------------------------------------------------


@never_cache
@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """Everything the signed-in resident has going on, one section per app (see registry.py)."""
    sections = registry.render_sections(request)
    return render(request, "portal/mine.html", {"sections": sections})


def surveys_section(user) -> dict:
    """The portal's own section of Layanan Saya: surveys waiting, and the last ones answered."""
    surveys = selectors.surveys_of(user)
    pending = list(surveys.filter(status=SatisfactionSurvey.Status.PENDING))
    done = list(surveys.exclude(status=SatisfactionSurvey.Status.PENDING)[:5])
    return {"pending": pending, "done": done, "count": len(pending), "attention": len(pending)}


# --- the survey -------------------------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, pk: int) -> HttpResponse:
    """The SKM questionnaire of one of the resident's cases (someone else's: 404)."""
    item = selectors.survey_of(request.user, pk)
    form = SurveyForm(request.POST or None) if item.is_pending else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            services.survey_answer(
                user=request.user,
                survey=item,
                scores=form.scores(),
                suggestions=form.cleaned_data["suggestions"],
            )
        except services.SurveyAnswerInvalid as exc:
            for name, errors in exc.errors.items():
                for error in errors:
                    form.add_error(None if name == "__all__" else name, error)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("portal:survey", pk=item.pk)
        else:
            messages.success(request, _("Thank you! Your answers help the city improve its services."))
            return redirect("portal:survey", pk=item.pk)
    status = 400 if form is not None and form.is_bound and form.errors else 200
    context = {"survey": item, "form": form, "questions": skm.QUESTIONS}
    return render(request, "portal/survey.html", context, status=status)


# --- the published IKM ------------------------------------------------------------------------------


def _period_choices(kind: str) -> list[periods.Period]:
    """Periods of `kind` from the first year with answers up to the current one, newest first."""
    today = timezone.localdate()
    years = selectors.years_with_responses()
    first_year = min([*years, today.year])
    found, period = [], periods.containing(today, kind)
    while period.year >= first_year:
        found.append(period)
        period = period.previous()
    return found


def _ikm_rows(city, by_agency, by_service) -> list[dict]:
    rows = []
    for level, figures in (
        (gettext_lazy("City"), [city]),
        (gettext_lazy("Agency"), by_agency),
        (gettext_lazy("Service"), by_service),
    ):
        for figure in figures:
            rows.append({"level": level, "figure": figure})
    return rows


def _export_columns() -> list[Column]:
    columns = [
        Column(gettext_lazy("Level"), lambda r: r["level"]),
        Column(
            gettext_lazy("Name"),
            lambda r: str(r["figure"].service or r["figure"].agency or _("Whole city")),
        ),
        Column(gettext_lazy("Agency"), lambda r: r["figure"].agency.name if r["figure"].agency else ""),
        Column(gettext_lazy("Period"), lambda r: r["figure"].period.key),
        Column(gettext_lazy("Respondents"), lambda r: r["figure"].respondents),
        Column(gettext_lazy("Published"), lambda r: r["figure"].published),
    ]
    for i in range(len(ELEMENTS)):
        columns.append(
            Column(
                f"U{i + 1} NRR",
                lambda r, i=i: r["figure"].result.element_nrr[i] if r["figure"].result else None,
            )
        )
    columns += [
        Column(gettext_lazy("IKM (1–4)"), lambda r: r["figure"].result.ikm if r["figure"].result else None),
        Column(gettext_lazy("IKM (25–100)"), lambda r: r["figure"].unit_ikm),
        Column(gettext_lazy("Grade"), lambda r: r["figure"].grade),
        Column(
            gettext_lazy("Service quality"),
            lambda r: str(r["figure"].result.grade_label) if r["figure"].result else "",
        ),
    ]
    return columns


def _short_label(figure: selectors.IkmFigure) -> str:
    if figure.service is not None:
        return Truncator(figure.service.name).chars(40)
    return str(figure.agency)  # the short name (DPMPTSP) when there is one


@require_GET
def ikm(request: HttpRequest) -> HttpResponseBase:
    """The community satisfaction index per agency and service, per period, with charts and downloads."""
    kind = request.GET.get("kind") if request.GET.get("kind") in periods.KINDS else periods.YEAR
    choices = _period_choices(kind)
    try:
        period = periods.parse(request.GET.get("period", ""))
        if period.kind != kind:
            raise periods.InvalidPeriod
    except periods.InvalidPeriod:
        period = choices[0]
    agencies = selectors.agencies_with_services()
    form = PeriodForm(
        {"kind": kind, "period": period.key, "agency": request.GET.get("agency", "")},
        period_choices=[(p.key, p.label) for p in choices],
        agencies=agencies,
    )
    agency = form.cleaned_data.get("agency") if form.is_valid() else None

    headline = selectors.ikm_figure(period, agency=agency)
    by_agency = [] if agency else selectors.ikm_by_agency(period)
    by_service = selectors.ikm_by_service(period, agency=agency)
    exported = export_or_none(
        request,
        _ikm_rows(headline, by_agency, by_service),
        _export_columns(),
        f"ikm-{period.key}" + (f"-{agency.code}" if agency else ""),
    )
    if exported is not None:
        return exported

    trend = selectors.ikm_trend(periods.recent(period, TREND_LENGTH), agency=agency)
    while len(trend) > 1 and trend[0].respondents == 0:
        trend.pop(0)  # the periods before the first answer say nothing
    compared = by_service if agency else by_agency
    chart = {
        "compare": {
            # Short labels fit a phone (agency codes, shortened names); the tooltip and the table give the full name.
            "labels": [_short_label(f) for f in compared if f.published],
            "names": [str(f.service.name if f.service else f.agency.name) for f in compared if f.published],
            "values": [float(f.unit_ikm) for f in compared if f.published],
            "title": _("IKM per service") if agency else _("IKM per agency"),
        },
        "trend": {
            "labels": [f.period.short_label for f in trend],
            "values": [float(f.unit_ikm) if f.published else None for f in trend],
            "title": _("IKM over time"),
        },
        "elements": {
            "labels": [f"U{i + 1}" for i in range(len(ELEMENTS))],
            "names": [str(name) for _key, name in ELEMENTS],
            "values": [float(v) for v in headline.result.element_nrr] if headline.result else [],
            "title": _("Average score per element (1–4)"),
        },
        "axis": {"ikm": _("IKM (25–100)"), "nrr": _("Average score (1–4)")},
    }
    context = {
        "form": form,
        "period": period,
        "agency": agency,
        "headline": headline,
        "by_agency": by_agency,
        "by_service": by_service,
        "trend": trend,
        "chart": chart,
        "min_respondents": selectors.min_respondents(),
        "export_links": export_links(request),
        "grades": [
            (letter, label, bounds)
            for (_lowest, letter, label), bounds in zip(
                GRADES, ("88.31–100.00", "76.61–88.30", "65.00–76.60", "25.00–64.99"), strict=True
            )
        ],
    }
    return render(request, "portal/ikm.html", context)


# --- suggestions for the agencies' staff ----------------------------------------------------------

SUGGESTION_EXPORT_COLUMNS = [
    Column(gettext_lazy("Answered on"), "answered_on"),
    Column(gettext_lazy("Service"), "service.name"),
    Column(gettext_lazy("Agency"), "agency.name"),
    Column(gettext_lazy("Suggestions"), "suggestions"),
]


@never_cache
@require_GET
def suggestions(request: HttpRequest) -> HttpResponseBase:
    """The anonymous suggestions of the survey, for the staff of the agency that served (404 for others)."""
    if not selectors.has_suggestions_access(request.user):
        raise Http404
    try:
        period = periods.parse(request.GET.get("period", ""))
    except periods.InvalidPeriod:
        period = periods.current(periods.YEAR)
    rows = selectors.suggestions_for(request.user, period=period)
    exported = export_or_none(request, rows, SUGGESTION_EXPORT_COLUMNS, f"saran-skm-{period.key}")
    if exported is not None:
        return exported
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    years = [periods.Period(periods.YEAR, y, 1) for y in sorted({*selectors.years_with_responses(), period.year})]
    context = {"page": page, "period": period, "years": years[::-1], "export_links": export_links(request)}
    return render(request, "portal/suggestions.html", context)


def suggestions_card_context(request: HttpRequest) -> dict | None:
    """Staff home card: the latest suggestions for the user's agencies this year."""
    if not selectors.has_suggestions_access(request.user):
        return None
    rows = selectors.suggestions_for(request.user, period=periods.current(periods.YEAR))
    return {"latest": list(rows[:3]), "count": rows.count()}
