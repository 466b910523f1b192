"""Open data of Lapor (no sign-in), mounted under /api/v1/ by kotapintar/urls.py:

| path                                   | name                           | what                                   |
|----------------------------------------|--------------------------------|----------------------------------------|
| public/map/reports/                    | public-report-map              | clusters or points of a map viewport   |
| public/stats/reports/                  | public-report-stats            | the statistics of a period (rollup)    |
| public/exports/reports.csv             | public-report-export-csv       | every public report, CSV (streamed)    |
| public/exports/reports.geojson         | public-report-export-geojson   | every public report, GeoJSON (streamed)|

The list and one report are the backbone's /api/v1/public/reports/. Nothing here carries a
reporter's identity, contact, internal note or staff name; anonymous reports have blurred
coordinates and no address (reports.transparency).
"""

from __future__ import annotations

from operator import itemgetter

from django.http import StreamingHttpResponse
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from kotapintar.core.api.errors import error_body
from kotapintar.core.exports import Column, export_response

from . import stats, transparency
from .forms_public import PublicFilterForm, StatsPeriodForm

FILTER_PARAMETERS = [
    OpenApiParameter("category", str, description="Category code, e.g. JALAN."),
    OpenApiParameter(
        "status", str, description="open, done, or one of verified, dispositioned, in_progress, resolved, closed."
    ),
    OpenApiParameter("district", str, description="Kemendagri code of the kecamatan."),
    OpenApiParameter("date_from", OpenApiTypes.DATE, description="Filed on or after (WIB)."),
    OpenApiParameter("date_to", OpenApiTypes.DATE, description="Filed on or before (WIB)."),
]


def _filters(request: Request) -> transparency.PublicFilters | Response:
    form = PublicFilterForm(request.query_params)
    if not form.is_valid():
        fields = {name: [str(m) for m in messages] for name, messages in form.errors.items()}
        return Response(error_body("invalid", _("Some filters are not valid; see the fields."), fields), status=400)
    return form.filters()


class MapThrottle(SimpleRateThrottle):
    """A map asks at every move: 600 answers a minute per address (an office behind one
    address, a resident panning fast), far above one person's use."""

    scope = "reports_public_map"
    rate = "600/min"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class ExportThrottle(MapThrottle):
    """A whole export is heavy: 20 a minute per address."""

    scope = "reports_public_export"
    rate = "20/min"


class _Public(APIView):
    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []  # open data: no session, no CSRF, cacheable


class MapResponseSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="FeatureCollection")
    mode = serializers.ChoiceField(choices=["clusters", "points"])
    source = serializers.ChoiceField(
        choices=["rollup", "live"], help_text="rollup: pre-aggregated (see computed_at); live: from the reports."
    )
    total = serializers.IntegerField(help_text="Reports in the answer (sum of the clusters' counts).")
    truncated = serializers.BooleanField(help_text="Points only: more reports than MAX_POINTS; zoom in.")
    cell = serializers.FloatField(required=False, help_text="Clusters: cell size in degrees.")
    computed_at = serializers.DateTimeField(required=False, allow_null=True)
    features = serializers.ListField(
        child=serializers.DictField(),
        help_text="Point features. Clusters: properties {cluster: true, count, open, bounds}. "
        "Points: {cluster: false, tracking_number, title, category, category_code, status, status_label, "
        "open, district, created_at, approximate, url}.",
    )


class MapView(_Public):
    """Clusters (counts per grid cell) below zoom 15, single reports from zoom 15 on."""

    throttle_classes = [MapThrottle]

    @extend_schema(
        summary="Public reports on a map viewport (clusters or points)",
        parameters=[
            OpenApiParameter("bbox", str, required=True, description="south,west,north,east in degrees."),
            OpenApiParameter("zoom", int, required=True, description="Map zoom level (0–22)."),
            *FILTER_PARAMETERS,
        ],
        responses=MapResponseSerializer,
        tags=["reports: public"],
    )
    def get(self, request: Request) -> Response:
        filters = _filters(request)
        if isinstance(filters, Response):
            return filters
        try:
            bbox = transparency.BBox.parse(request.query_params.get("bbox", ""))
            zoom = int(request.query_params.get("zoom", ""))
        except transparency.PublicQueryError as exc:
            return Response(error_body(exc.code, exc.message, {"bbox": [exc.message]}), status=400)
        except ValueError:
            message = _("Give the zoom level as a whole number, e.g. 12.")
            return Response(error_body("invalid", message, {"zoom": [message]}), status=400)
        response = Response(transparency.map_data(bbox, zoom, filters))
        response["Cache-Control"] = f"public, max-age={transparency.MAP_CACHE_SECONDS}"
        return response


class StatRowSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="Agency code, kecamatan code, YYYY-MM, or empty for the city.")
    name = serializers.CharField()
    received = serializers.IntegerField()
    in_progress = serializers.IntegerField()
    resolved = serializers.IntegerField()
    set_aside = serializers.IntegerField()
    resolved_with_deadline = serializers.IntegerField()
    resolved_on_time = serializers.IntegerField()
    on_time_share = serializers.FloatField(allow_null=True, help_text="0–1.")
    median_days_to_first_follow_up = serializers.FloatField(allow_null=True, help_text="Calendar days from filing.")
    median_days_to_resolution = serializers.FloatField(allow_null=True, help_text="Calendar days from filing.")
    rated = serializers.IntegerField()
    average_rating = serializers.FloatField(allow_null=True)


class StatsResponseSerializer(serializers.Serializer):
    period = serializers.CharField()
    period_label = serializers.CharField()
    computed_at = serializers.DateTimeField(allow_null=True)
    city = StatRowSerializer(allow_null=True)
    agencies = StatRowSerializer(many=True)
    districts = StatRowSerializer(many=True)
    months = StatRowSerializer(many=True)


def _stat_row(row) -> dict:
    return {
        "key": row.key,
        "name": row.label,
        "received": row.received,
        "in_progress": row.in_progress,
        "resolved": row.resolved,
        "set_aside": row.set_aside,
        "resolved_with_deadline": row.with_deadline,
        "resolved_on_time": row.on_time,
        "on_time_share": None if row.on_time_share is None else round(row.on_time_share, 4),
        "median_days_to_first_follow_up": row.median_response_days,
        "median_days_to_resolution": row.median_resolution_days,
        "rated": row.rated,
        "average_rating": row.rating_avg,
    }


class StatsView(_Public):
    """The statistics page's figures (pre-aggregated; at most 5 minutes old)."""

    @extend_schema(
        summary="Public statistics of reports per agency, kecamatan and month",
        parameters=[OpenApiParameter("period", str, description="30d, 90d, 365d (default) or a year, e.g. 2025.")],
        responses=StatsResponseSerializer,
        tags=["reports: public"],
    )
    def get(self, request: Request) -> Response:
        stats.ensure_fresh()
        form = StatsPeriodForm(request.query_params)
        if not form.is_valid():
            fields = {name: [str(m) for m in messages] for name, messages in form.errors.items()}
            return Response(error_body("invalid", _("Choose a period from the list."), fields), status=400)
        view = stats.read(form.chosen_period())
        body = {
            "period": view.period,
            "period_label": view.period_label,
            "computed_at": view.computed_at,
            "city": _stat_row(view.city) if view.city else None,
            "agencies": [_stat_row(r) for r in view.agencies],
            "districts": [_stat_row(r) for r in view.districts],
            "months": [_stat_row(r) for r in view.months],
        }
        response = Response(StatsResponseSerializer(body).data)
        response["Cache-Control"] = "public, max-age=60"
        return response


EXPORT_DESCRIPTION = (
    "Every public report (confidential and unverified ones never), newest first, with the filters. "
    "No identity, contact, internal note or staff name. Anonymous reports: coordinates rounded to "
    "0.001° (about 100 m) and no address (location_precision=approx_100m)."
)


class ExportCsvView(_Public):
    throttle_classes = [ExportThrottle]

    @extend_schema(
        summary="Public reports as CSV (streamed)",
        description=EXPORT_DESCRIPTION,
        parameters=FILTER_PARAMETERS,
        responses={(200, "text/csv"): OpenApiTypes.BINARY},
        tags=["reports: public"],
    )
    def get(self, request: Request):
        filters = _filters(request)
        if isinstance(filters, Response):
            return filters
        rows = transparency.export_records(transparency.export_queryset(filters).iterator(chunk_size=2000))
        # Rows are dicts: item getters (an attribute path would fail, then retry, per cell).
        columns = [Column(name, itemgetter(name)) for name in transparency.EXPORT_COLUMNS]
        response = export_response(rows=rows, columns=columns, filename="laporan-publik", fmt="csv")
        response["Cache-Control"] = "public, max-age=300"
        return response


class ExportGeoJsonView(_Public):
    throttle_classes = [ExportThrottle]

    @extend_schema(
        summary="Public reports as GeoJSON (streamed)",
        description=EXPORT_DESCRIPTION,
        parameters=FILTER_PARAMETERS,
        responses={(200, "application/geo+json"): OpenApiTypes.OBJECT},
        tags=["reports: public"],
    )
    def get(self, request: Request):
        filters = _filters(request)
        if isinstance(filters, Response):
            return filters
        rows = transparency.export_queryset(filters).iterator(chunk_size=2000)
        response = StreamingHttpResponse(transparency.geojson_chunks(rows), content_type="application/geo+json")
        response["Content-Disposition"] = 'attachment; filename="laporan-publik.geojson"'
        response["Cache-Control"] = "public, max-age=300"
        return response


urlpatterns = [
    path("public/map/reports/", MapView.as_view(), name="public-report-map"),
    path("public/stats/reports/", StatsView.as_view(), name="public-report-stats"),
    path("public/exports/reports.csv", ExportCsvView.as_view(), name="public-report-export-csv"),
    path("public/exports/reports.geojson", ExportGeoJsonView.as_view(), name="public-report-export-geojson"),
]
