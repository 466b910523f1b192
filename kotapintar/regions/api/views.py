"""Public, read-only area API: list/detail of areas, point lookup, the city's boundaries."""

from __future__ import annotations

import django_filters
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import permissions, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from kotapintar.core import geo

from .. import selectors
from ..models import Region
from .serializers import (
    BoundariesQuerySerializer,
    LocateQuerySerializer,
    LocateResultSerializer,
    RegionDetailSerializer,
    RegionErrorSerializer,
    RegionSerializer,
)

CODE_REGEX = r"[0-9]{2}(?:\.[0-9]{2}(?:\.[0-9]{2}(?:\.[0-9]{4})?)?)?"


class RegionFilter(django_filters.FilterSet):
    level = django_filters.TypedChoiceFilter(
        choices=Region.Level.choices, coerce=int, help_text="1 province, 2 regency/city, 3 district, 4 village."
    )
    parent = django_filters.CharFilter(field_name="parent_id", help_text="Code of the parent area, e.g. 33.74.")
    q = django_filters.CharFilter(method="search", help_text="Part of the name, or the start of the code.")

    class Meta:
        model = Region
        fields = ["level", "parent", "q"]

    def search(self, queryset, name, value):
        return selectors.region_search(queryset, value)


@extend_schema_view(
    list=extend_schema(summary="Areas (province, regency/city, kecamatan, kelurahan)", tags=["regions"]),
    retrieve=extend_schema(
        summary="One area with its ancestors",
        tags=["regions"],
        responses={200: RegionDetailSerializer, 404: RegionErrorSerializer},
    ),
)
class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    """Official Kemendagri area codes; public."""

    permission_classes = [permissions.AllowAny]
    lookup_field = "code"
    lookup_value_regex = CODE_REGEX
    filterset_class = RegionFilter
    serializer_class = RegionSerializer

    def get_queryset(self):
        queryset = selectors.regions_public()
        if self.action == "retrieve":
            queryset = queryset.annotate(children_count=Count("children"))
        return queryset

    def get_serializer_class(self):
        return RegionDetailSerializer if self.action == "retrieve" else RegionSerializer

    def retrieve(self, request, *args, **kwargs):
        region = self.get_object()
        context = {**self.get_serializer_context(), "ancestors": selectors.ancestors(region)}
        return Response(RegionDetailSerializer(region, context=context).data)


class LocateView(APIView):
    """Which kelurahan and kecamatan of the city a point lies in."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        summary="Find the kelurahan/kecamatan of a point in the city",
        tags=["regions"],
        parameters=[LocateQuerySerializer],
        responses={
            200: LocateResultSerializer,
            400: OpenApiResponse(RegionErrorSerializer, description="lat/lng missing or out of range"),
            404: OpenApiResponse(RegionErrorSerializer, description="the point is not in any kelurahan of the city"),
        },
    )
    def get(self, request):
        query = LocateQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        location = geo.locate(query.validated_data["lat"], query.validated_data["lng"])
        if location is None:
            raise NotFound(_("This point is not inside any kelurahan of the city (or no boundaries are loaded)."))
        return Response(
            LocateResultSerializer(
                {
                    "village": {"code": location.village_code, "name": location.village_name},
                    "district": {"code": location.district_code, "name": location.district_name},
                    "approximate": location.approximate,
                }
            ).data
        )


class GeoJSONRenderer(JSONRenderer):
    media_type = "application/geo+json"
    format = "geojson"


class CityBoundariesView(APIView):
    """The city's kecamatan or kelurahan boundaries as GeoJSON (for maps)."""

    permission_classes = [permissions.AllowAny]
    renderer_classes = [GeoJSONRenderer, JSONRenderer]

    @extend_schema(
        summary="Boundaries of the city's kecamatan or kelurahan (GeoJSON FeatureCollection)",
        operation_id="regions_city_boundaries",
        description=(
            "Each feature has the properties code, name, level, approximate (true for the demo boundaries, "
            "which are not official) and source; kelurahan also district_code and district_name."
        ),
        tags=["regions"],
        parameters=[BoundariesQuerySerializer],
        responses={
            (200, "application/geo+json"): OpenApiTypes.OBJECT,
            (200, "application/json"): OpenApiTypes.OBJECT,
            (400, "application/json"): RegionErrorSerializer,
        },
    )
    def get(self, request):
        query = BoundariesQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        response = Response(selectors.city_boundaries_geojson(query.validated_data["level"]))
        response["Cache-Control"] = "public, max-age=300"
        return response
