"""Serializers of the public area API."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import Region


class PointSerializer(serializers.Serializer):
    lat = serializers.FloatField()
    lng = serializers.FloatField()


class BoundsSerializer(serializers.Serializer):
    min_lat = serializers.FloatField()
    min_lng = serializers.FloatField()
    max_lat = serializers.FloatField()
    max_lng = serializers.FloatField()


class RegionAncestorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["code", "name", "level"]
        read_only_fields = fields


class RegionSerializer(serializers.ModelSerializer):
    level_label = serializers.CharField(source="get_level_display", read_only=True)
    parent = serializers.CharField(source="parent_id", read_only=True, allow_null=True)
    has_boundary = serializers.BooleanField(read_only=True)
    center = serializers.SerializerMethodField()

    class Meta:
        model = Region
        fields = ["code", "name", "level", "level_label", "parent", "has_boundary", "boundary_approximate", "center"]
        read_only_fields = fields

    @extend_schema_field(PointSerializer(allow_null=True))
    def get_center(self, obj: Region):
        if obj.center_lat is None or obj.center_lng is None:
            return None
        return {"lat": obj.center_lat, "lng": obj.center_lng}


class RegionDetailSerializer(RegionSerializer):
    ancestors = serializers.SerializerMethodField()
    bounds = serializers.SerializerMethodField()
    children_count = serializers.IntegerField(read_only=True)

    class Meta(RegionSerializer.Meta):
        fields = [
            *RegionSerializer.Meta.fields,
            "ancestors",
            "children_count",
            "bounds",
            "boundary_source",
            "boundary_updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(RegionAncestorSerializer(many=True))
    def get_ancestors(self, obj: Region):
        return RegionAncestorSerializer(self.context.get("ancestors", []), many=True).data

    @extend_schema_field(BoundsSerializer(allow_null=True))
    def get_bounds(self, obj: Region):
        if obj.min_lat is None:
            return None
        return {"min_lat": obj.min_lat, "min_lng": obj.min_lng, "max_lat": obj.max_lat, "max_lng": obj.max_lng}


class LocateQuerySerializer(serializers.Serializer):
    lat = serializers.FloatField(min_value=-90, max_value=90, help_text="Latitude (WGS84), e.g. -6.9826")
    lng = serializers.FloatField(min_value=-180, max_value=180, help_text="Longitude (WGS84), e.g. 110.4093")


class LocatedAreaSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class LocateResultSerializer(serializers.Serializer):
    village = LocatedAreaSerializer(help_text="The kelurahan/desa containing the point.")
    district = LocatedAreaSerializer(help_text="Its kecamatan.")
    approximate = serializers.BooleanField(help_text="True when the boundaries used are approximate (demo).")


class BoundariesQuerySerializer(serializers.Serializer):
    level = serializers.ChoiceField(
        choices=[("district", "district"), ("village", "village")],
        default="district",
        help_text="district: the kecamatan; village: the kelurahan/desa.",
    )


class RegionErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class RegionErrorSerializer(serializers.Serializer):
    error = RegionErrorDetailSerializer()
