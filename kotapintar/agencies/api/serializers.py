"""API shapes of agencies (public) and memberships (staff only)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import Agency, Membership, Unit


class UnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["code", "name"]


class RegionRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class AgencySerializer(serializers.ModelSerializer):
    """An agency as the public sees it: no staff names."""

    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    region = serializers.SerializerMethodField()

    class Meta:
        model = Agency
        fields = ["code", "name", "short_name", "kind", "kind_label", "region", "email", "phone", "address"]

    @extend_schema_field(RegionRefSerializer(allow_null=True))
    def get_region(self, obj: Agency) -> dict | None:
        if obj.region_id is None:
            return None
        return {"code": obj.region.code, "name": obj.region.name}


class AgencyDetailSerializer(AgencySerializer):
    units = UnitSerializer(many=True, read_only=True)

    class Meta(AgencySerializer.Meta):
        fields = [*AgencySerializer.Meta.fields, "description", "units"]


class StaffRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    full_name = serializers.CharField()


class MembershipSerializer(serializers.ModelSerializer):
    """A staff member's place in an agency (for the agency's staff and administrators)."""

    user = serializers.SerializerMethodField()
    role_label = serializers.CharField(source="get_role_display", read_only=True)
    unit = UnitSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Membership
        fields = ["id", "user", "role", "role_label", "unit", "position", "is_active"]

    @extend_schema_field(StaffRefSerializer)
    def get_user(self, obj: Membership) -> dict:
        return {"id": obj.user_id, "full_name": obj.user.full_name}
