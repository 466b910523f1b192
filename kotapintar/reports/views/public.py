"""Public transparency pages of Lapor (no sign-in): the map and list of public reports, one
report's public page, and the statistics per agency and per kecamatan.

Thin views: reads through reports.transparency (public reports only, identity-free, the
location of anonymous reports blurred) and reports.stats (the pre-aggregated figures).
A report the public may not see answers 404, exactly like a missing one.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from kotapintar.regions import maps

from .. import stats, transparency
from ..forms_public import PublicFilterForm, StatsPeriodForm
from ..models import Status

#: Map symbols (public_map.js and public.css draw them with the same colours): a group of
#: reports is orange when at least half of it is not yet resolved, green otherwise.
OPEN_COLOR = "#92400e"
DONE_COLOR = "#1f6f36"
CLUSTER_COLOR = "#0b4f8a"


def _query(params: dict) -> str:
    return urlencode({k: v for k, v in params.items() if v})


def _report_map(filters: transparency.PublicFilters) -> dict:
    """The city map (kecamatan boundaries, approximate-boundary notice) plus the reports
    layer that public_map.js asks the server for, viewport by viewport."""
    config = maps.city_map(map_id="reports-map", height="30rem")
    config["label"] = _("Map of public reports")
    config["legend"] = [
        *config["legend"],
        {
            "label": _("Not yet resolved (a dot, or a group: the number is how many)"),
            "color": OPEN_COLOR,
            "dash": False,
        },
        {"label": _("Resolved (mostly, for a group)"), "color": DONE_COLOR, "dash": False},
    ]
    data_url = reverse("public-report-map")
    query = _query(filters.query())
    config["reports"] = {
        "url": f"{data_url}?{query}" if query else data_url,
        "pointsZoom": transparency.POINTS_ZOOM,
        "colors": {"open": OPEN_COLOR, "done": DONE_COLOR, "cluster": CLUSTER_COLOR},
        "messages": {
            "loading": _("Loading reports…"),
            "failed": _("The reports could not be loaded on the map; the list below has them."),
            "clusters": _("%(total)s reports in this area, grouped. Zoom in to see single reports."),
            "points": _("%(total)s reports shown in this area."),
            "truncated": _("Only the newest %(total)s reports are shown; zoom in further to see the rest."),
            "none": _("No public reports in this area with these filters."),
            "cluster": _("%(count)s reports (%(open)s not yet resolved). Zoom in"),
            "approximate": _("Approximate location (anonymous report)"),
            "open": _("Open report page"),
        },
    }
    return config


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The public map and list of reports, with filters."""
    form = PublicFilterForm(request.GET or None)
    if form.is_bound:
        form.is_valid()  # invalid fields are shown with their message and left out
    filters = form.filters()
    error = ""
    try:
        page = transparency.public_list(
            filters,
            after=request.GET.get("after", ""),
            before=request.GET.get("before", ""),
            size=transparency.PAGE_SIZE,
        )
    except transparency.PublicQueryError as exc:
        error = exc.message
        page = transparency.public_list(filters, size=transparency.PAGE_SIZE)
    base = filters.query()
    export_query = _query(base)
    exports = [
        ("CSV", reverse("public-report-export-csv") + (f"?{export_query}" if export_query else "")),
        ("GeoJSON", reverse("public-report-export-geojson") + (f"?{export_query}" if export_query else "")),
    ]
    context = {
        "form": form,
        "filters": filters,
        "page": page,
        "error": error,
        "map": _report_map(filters),
        "next_url": f"?{_query({**base, 'after': page.next_cursor})}" if page.next_cursor else "",
        "prev_url": f"?{_query({**base, 'before': page.prev_cursor})}" if page.prev_cursor else "",
        "first_url": f"?{_query(base)}" if not page.is_first else "",
        "exports": exports,
        "filtered": bool(base),
    }
    return render(request, "reports/public/index.html", context)


def _support_url(tracking_number: str, page_url: str) -> tuple[str, bool]:
    """The residents' "this is my problem too" action (reports:support, a POST), or — if
    that page is not installed — sign-in first. Returns (url, is_post)."""
    try:
        return reverse("reports:support", kwargs={"tracking_number": tracking_number}), True
    except NoReverseMatch:
        pass
    try:
        login = reverse("accounts:login")
    except NoReverseMatch:
        return page_url, False
    return f"{login}?{urlencode({'next': page_url})}", False


def _location_map(page: transparency.ReportPage) -> dict:
    report = page.report
    pad = 0.004
    return maps.map_config(
        map_id="report-location",
        label=_("Location of the report"),
        markers=[{"lat": report.lat, "lng": report.lng, "label": report.title, "color": CLUSTER_COLOR}],
        bounds=[[report.lat - pad, report.lng - pad], [report.lat + pad, report.lng + pad]],
        notice=_(
            "Approximate location (within about 100 m): the reporter chose to stay anonymous, so the exact point "
            "and address are not shown."
        )
        if page.approximate
        else "",
        height="16rem",
    )


@require_GET
def detail(request: HttpRequest, tracking_number: str) -> HttpResponse:
    """The public page of one report: where, what, who is responsible, its timeline."""
    page = transparency.report_page(tracking_number)
    report = page.report
    page_url = reverse("reports:public_detail", kwargs={"tracking_number": report.tracking_number})
    support_url, support_is_post = _support_url(report.tracking_number, page_url)
    context = {
        "page": page,
        "report": report,
        "map": _location_map(page),
        "support_url": support_url,
        "support_is_post": support_is_post,
        "is_open": report.status in transparency.OPEN_PUBLIC or report.status == Status.SUBMITTED,
        "is_resolved": report.status in (Status.RESOLVED, Status.CLOSED),
        "stars": range(1, 6),
    }
    return render(request, "reports/public/detail.html", context)


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _chart_data(view: stats.StatsView) -> dict:
    agencies = view.agencies[:15]
    return {
        "labels": {
            "received": str(stats.FIGURE_LABELS["received"]),
            "in_progress": str(stats.FIGURE_LABELS["in_progress"]),
            "resolved": str(stats.FIGURE_LABELS["resolved"]),
            "set_aside": str(stats.FIGURE_LABELS["set_aside"]),
        },
        "agencies": {
            "names": [r.label for r in agencies],
            "resolved": [r.resolved for r in agencies],
            "in_progress": [r.in_progress for r in agencies],
            "set_aside": [r.set_aside for r in agencies],
        },
        "districts": {
            "names": [r.label for r in view.districts],
            "resolved": [r.resolved for r in view.districts],
            "in_progress": [r.in_progress for r in view.districts],
            "set_aside": [r.set_aside for r in view.districts],
        },
        "months": {
            "names": [r.key for r in view.months],
            "received": [r.received for r in view.months],
            "resolved": [r.resolved for r in view.months],
        },
    }


@require_GET
def statistics(request: HttpRequest) -> HttpResponse:
    """Counts, on-time share, medians and ratings per agency and per kecamatan."""
    stats.ensure_fresh()
    form = StatsPeriodForm(request.GET or None, initial={"period": stats.DEFAULT_PERIOD})
    if form.is_bound:
        form.is_valid()
    view = stats.read(form.chosen_period())
    city = view.city
    context = {
        "form": form,
        "view": view,
        "city": city,
        "on_time_share": _share(city.on_time, city.with_deadline) if city else None,
        "chart": _chart_data(view) if city else {},
        "api_url": reverse("public-report-stats") + f"?{_query({'period': view.period})}",
    }
    return render(request, "reports/public/stats.html", context)
