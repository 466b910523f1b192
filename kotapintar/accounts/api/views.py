"""Accounts API: own profile, token sign-in and sign-out."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import AuthenticationFailed, PermissionDenied, Throttled, ValidationError
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from .. import services
from ..contact import identifier_for_login
from .serializers import MeSerializer, MeUpdateSerializer, TokenRequestSerializer, TokenResponseSerializer

ERROR = inline_serializer(
    name="AccountsError",
    fields={
        "error": inline_serializer(
            name="AccountsErrorBody",
            fields={
                "code": serializers.CharField(),
                "message": serializers.CharField(),
                "fields": serializers.DictField(child=serializers.ListField(child=serializers.CharField())),
            },
        )
    },
)


class AuthRateThrottle(SimpleRateThrottle):
    """Token endpoints: a few requests a minute per client address (settings rate "auth")."""

    scope = "auth"
    default_rate = "10/min"

    def get_rate(self):
        # Read at each request (not at import) so that settings changes apply.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope) or self.default_rate

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class MeView(APIView):
    """The signed-in person's own profile."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(operation_id="me_retrieve", responses={200: MeSerializer, 401: ERROR, 403: ERROR}, tags=["accounts"])
    def get(self, request):
        return Response(MeSerializer(request.user).data)

    @extend_schema(
        operation_id="me_partial_update",
        request=MeUpdateSerializer,
        responses={200: MeSerializer, 400: ERROR, 401: ERROR, 403: ERROR},
        tags=["accounts"],
        description="Change your name or language. Email, phone and NIK are changed on the website "
        "(they need a code or an audited check).",
    )
    def patch(self, request):
        serializer = MeUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        user = services.user_profile_update(actor=request.user, user=request.user, **serializer.validated_data)
        return Response(MeSerializer(user).data)


class TokenObtainView(APIView):
    """Sign in for API clients: email/phone + password (+ TOTP code for staff) → a token."""

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [AuthRateThrottle]

    @extend_schema(
        operation_id="auth_token_create",
        request=TokenRequestSerializer,
        responses={
            200: TokenResponseSerializer,
            400: OpenApiResponse(ERROR, description="Missing fields, or a wrong/missing staff code."),
            401: OpenApiResponse(ERROR, description="Wrong email/phone or password."),
            403: OpenApiResponse(ERROR, description="Account not verified, or staff 2FA not set up."),
            429: OpenApiResponse(ERROR, description="Too many attempts: locked out or throttled."),
        },
        auth=[],
        tags=["accounts"],
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        # The Django request: django-axes counts failures on it and its middleware turns a
        # lockout into a 429 answer (accounts.lockout).
        django_request = request._request
        user = authenticate(django_request, username=identifier_for_login(data["username"]), password=data["password"])
        if user is None:
            raise AuthenticationFailed(_("The email/phone number or the password is not correct."))
        if user.is_staff_member:
            self._check_staff_code(user, data.get("otp") or "")
            if user.must_change_password:
                raise PermissionDenied(_("Choose your own password on the website first."))
        elif not user.is_contact_verified:
            raise PermissionDenied(_("Confirm your email address or phone number on the website first."))
        token = services.api_token_issue(user=user)
        # A token is a sign-in: update last_login and clear axes' failure count.
        user_logged_in.send(sender=user.__class__, request=django_request, user=user)
        return Response({"token": token.key, "user": MeSerializer(user).data})

    def _check_staff_code(self, user, code: str) -> None:
        if services.confirmed_device(user) is None:
            raise PermissionDenied(_("Set up two-step verification on the website before using the API."))
        if not code:
            raise ValidationError({"otp": [_("Staff accounts must send the 6-digit code from the authenticator app.")]})
        result = services.two_factor_verify(user=user, token=code)
        if result.ok:
            return
        if result.wait_seconds:
            raise Throttled(
                wait=result.wait_seconds,
                detail=_("Too many wrong codes. Wait %(seconds)d seconds, then send the new code.")
                % {"seconds": result.wait_seconds},
            )
        raise ValidationError({"otp": [_("The code is not correct.")]})


class TokenRevokeView(APIView):
    """Sign out an API client: its token stops working."""

    permission_classes = [permissions.IsAuthenticated]
    throttle_classes = [AuthRateThrottle]

    @extend_schema(
        operation_id="auth_token_revoke",
        request=None,
        responses={204: OpenApiResponse(description="The token no longer works."), 401: ERROR},
        tags=["accounts"],
    )
    def post(self, request):
        services.api_token_revoke(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
