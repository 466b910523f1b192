"""API shapes of the accounts app."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .. import selectors
from ..models import User


class MyMembershipSerializer(serializers.Serializer):
    agency = serializers.CharField(source="agency.name")
    agency_code = serializers.CharField(source="agency.code")
    unit = serializers.CharField(source="unit.name", allow_null=True, default=None)
    role = serializers.CharField()
    position = serializers.CharField()


class MeSerializer(serializers.ModelSerializer):
    """The signed-in person's own profile. The NIK is only ever shown masked here."""

    nik_masked = serializers.SerializerMethodField(help_text=_("The NIK with its middle digits hidden, or null."))
    email_verified = serializers.SerializerMethodField()
    phone_verified = serializers.SerializerMethodField()
    is_staff_member = serializers.BooleanField(read_only=True)
    memberships = serializers.SerializerMethodField()
    preferred_language = serializers.ChoiceField(choices=settings.LANGUAGES, required=False)

    class Meta:
        model = User
        fields = [
            "id",
            "full_name",
            "email",
            "email_verified",
            "phone",
            "phone_verified",
            "role",
            "is_staff_member",
            "preferred_language",
            "nik_masked",
            "memberships",
            "date_joined",
        ]
        read_only_fields = ["id", "email", "phone", "role", "date_joined"]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_nik_masked(self, obj: User) -> str | None:
        return selectors.nik_masked(obj) or None

    def get_email_verified(self, obj: User) -> bool:
        return bool(obj.email and obj.email_verified_at)

    def get_phone_verified(self, obj: User) -> bool:
        return bool(obj.phone and obj.phone_verified_at)

    @extend_schema_field(MyMembershipSerializer(many=True))
    def get_memberships(self, obj: User) -> list[dict]:
        if not obj.is_staff_member:
            return []
        return MyMembershipSerializer(selectors.memberships_of(obj), many=True).data


class MeUpdateSerializer(serializers.Serializer):
    full_name = serializers.CharField(max_length=150, required=False)
    preferred_language = serializers.ChoiceField(choices=settings.LANGUAGES, required=False)


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=254, help_text=_("Email address or phone number (08…, 62…, +62…)."))
    password = serializers.CharField(max_length=256, style={"input_type": "password"}, trim_whitespace=False)
    otp = serializers.CharField(
        max_length=8,
        required=False,
        allow_blank=True,
        help_text=_("Staff accounts only: the 6-digit code from the authenticator app."),
    )


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField(help_text=_("Send it as `Authorization: Bearer <token>`."))
    user = MeSerializer()
