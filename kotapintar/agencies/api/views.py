"""Agencies API: the public list of the city's agencies, and each agency's staff (scoped)."""

from __future__ import annotations

import django_filters
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import permissions, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied

from .. import selectors
from ..models import Agency
from .serializers import AgencyDetailSerializer, AgencySerializer, MembershipSerializer


class AgencyFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Agency.Kind.choices)
    region = django_filters.CharFilter(field_name="region_id", help_text="Kemendagri code of the kecamatan.")

    class Meta:
        model = Agency
        fields = ["kind", "region"]


@extend_schema_view(
    list=extend_schema(summary="The city's agencies (OPD)", tags=["agencies"]),
    retrieve=extend_schema(summary="One agency, with its units", tags=["agencies"]),
    members=extend_schema(
        summary="The agency's staff (administrators, leadership and the agency's own staff)",
        tags=["agencies"],
        responses=MembershipSerializer(many=True),
        filters=False,
    ),
)
class AgencyViewSet(viewsets.ReadOnlyModelViewSet):
    """Public: anybody may read the active agencies. Staff names only under /members/."""

    permission_classes = [permissions.AllowAny]
    lookup_field = "code"
    lookup_value_regex = r"[A-Za-z0-9._-]+"
    filterset_class = AgencyFilter
    serializer_class = AgencySerializer

    def get_queryset(self):
        return selectors.agencies_public()

    def get_serializer_class(self):
        if self.action == "retrieve":
            return AgencyDetailSerializer
        if self.action == "members":
            return MembershipSerializer
        return AgencySerializer

    def filter_queryset(self, queryset):
        if self.action == "members":
            return queryset
        return super().filter_queryset(queryset)

    @action(detail=True, methods=["get"], permission_classes=[permissions.IsAuthenticated])
    def members(self, request, code=None):
        agency = get_object_or_404(selectors.agencies_public(), code=code)
        if not selectors.can_see_members(request.user, agency):
            raise PermissionDenied(
                _("Only administrators, leadership and this agency's own staff may see its members.")
            )
        page = self.paginate_queryset(selectors.memberships_visible(request.user, agency=agency))
        return self.get_paginated_response(MembershipSerializer(page, many=True).data)
