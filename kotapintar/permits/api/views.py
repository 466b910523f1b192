"""The permits API: catalogue, applicants' applications, staff actions, verification, payment callback.

Thin: reads through selectors, writes through the same services as the pages. Domain errors
become the platform's error body (core.api.errors) with 400/403/409.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from kotapintar.core import access

from .. import gateway, selectors, services, uploads
from ..models import Application, Permit, PermitType, Status
from . import serializers as s

STAFF_ROLES = frozenset({access.AGENCY, access.LEADERSHIP, access.ADMIN})
SCOPE_PARAMETER = OpenApiParameter(
    "scope", str, enum=["mine", "open", "closed"], description="mine: waiting for me (default); open; closed."
)


def _incomplete(exc: services.ApplicationIncomplete):
    fields = {name.removeprefix("f_"): messages for name, messages in exc.fields.items()}
    raise ValidationError({**fields, "non_field_errors": [exc.message]}) from exc


@extend_schema_view(
    list=extend_schema(summary="Permit types open for online applications", tags=["permits"]),
    retrieve=extend_schema(summary="One permit type: form fields, documents, steps, fee", tags=["permits"]),
)
class PermitTypeViewSet(viewsets.ReadOnlyModelViewSet):
    """The permit catalogue (public)."""

    permission_classes = [permissions.AllowAny]
    serializer_class = s.PermitTypeSerializer
    lookup_field = "code"
    pagination_class = None

    def get_queryset(self):
        return selectors.permit_types_public()


@extend_schema_view(
    list=extend_schema(summary="My applications", tags=["permits"]),
    retrieve=extend_schema(summary="One of my applications, with its timeline", tags=["permits"]),
)
class ApplicationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The signed-in person's own permit applications (someone else's answers 404)."""

    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    filterset_fields = ["status"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Application.objects.none()
        return (
            Application.objects.filter(applicant_id=self.request.user.pk)
            .select_related("permit_type", "current_step__agency", "current_step__permit_type__lead_agency")
            .order_by("-created_at", "-id")
        )

    def get_serializer_class(self):
        return s.PermitApplicationDetailSerializer if self.action != "list" else s.PermitApplicationSerializer

    def _detail(self, application: Application, code: int = status.HTTP_200_OK) -> Response:
        application = selectors.application_of(self.request.user, application.pk)
        return Response(
            s.PermitApplicationDetailSerializer(application, context={"request": self.request}).data, status=code
        )

    @extend_schema(
        summary="Start a draft application (idempotent with client_key)",
        request=s.PermitApplicationCreateSerializer,
        responses={201: s.PermitApplicationDetailSerializer, 200: s.PermitApplicationDetailSerializer},
        tags=["permits"],
    )
    def create(self, request: Request) -> Response:
        body = s.PermitApplicationCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        permit_type: PermitType = body.validated_data["permit_type"]
        answers = s.answers_from_api(permit_type, body.validated_data.get("data") or {})
        application, created = services.application_start(
            applicant=request.user, permit_type=permit_type, client_key=body.validated_data.get("client_key", "")
        )
        if created or application.status == Status.DRAFT:
            services.application_save_answers(
                actor=request.user,
                application=application,
                holder_name=body.validated_data.get("holder_name", application.holder_name),
                holder_address=body.validated_data.get("holder_address", application.holder_address),
                data={**application.data, **answers},
            )
        return self._detail(application, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(
        summary="Change the answers of a draft or of a returned application",
        request=s.PermitApplicationAnswersSerializer,
        responses=s.PermitApplicationDetailSerializer,
        tags=["permits"],
    )
    def partial_update(self, request: Request, pk=None) -> Response:
        application = self.get_object()
        body = s.PermitApplicationAnswersSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        answers = s.answers_from_api(application.permit_type, body.validated_data.get("data") or {})
        services.application_save_answers(
            actor=request.user,
            application=application,
            holder_name=body.validated_data.get("holder_name", application.holder_name),
            holder_address=body.validated_data.get("holder_address", application.holder_address),
            data={**application.data, **answers},
        )
        return self._detail(application)

    @extend_schema(
        summary="Upload a required document (multipart)",
        request={"multipart/form-data": s.PermitDocumentUploadSerializer},
        responses={201: s.PermitDocumentSerializer},
        tags=["permits"],
    )
    @action(detail=True, methods=["post"])
    def documents(self, request: Request, pk=None) -> Response:
        application = self.get_object()
        body = s.PermitDocumentUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        requirement = application.permit_type.documents.filter(key=body.validated_data["requirement"]).first()
        if requirement is None:
            raise ValidationError({"requirement": [_("This permit type has no such document.")]})
        try:
            document = services.document_upload(
                actor=request.user,
                application=application,
                requirement=requirement,
                uploaded=body.validated_data["file"],
            )
        except uploads.UploadRejected as exc:
            raise ValidationError({"file": [exc.message]}) from exc
        return Response(s.PermitDocumentSerializer(document).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Submit: the registration number is given at once (idempotent)",
        request=None,
        responses=s.PermitApplicationDetailSerializer,
        tags=["permits"],
    )
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk=None) -> Response:
        application = self.get_object()
        try:
            services.application_submit(actor=request.user, application=application)
        except services.ApplicationIncomplete as exc:
            _incomplete(exc)
        return self._detail(application)

    @extend_schema(
        summary="Send a returned application back to the office",
        request=s.PermitNoteSerializer,
        responses=s.PermitApplicationDetailSerializer,
        tags=["permits"],
    )
    @action(detail=True, methods=["post"])
    def resubmit(self, request: Request, pk=None) -> Response:
        application = self.get_object()
        body = s.PermitNoteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            services.application_resubmit(actor=request.user, application=application, note=body.validated_data["note"])
        except services.ApplicationIncomplete as exc:
            _incomplete(exc)
        return self._detail(application)

    @extend_schema(
        summary="Withdraw the application",
        request=s.PermitNoteSerializer,
        responses=s.PermitApplicationDetailSerializer,
        tags=["permits"],
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk=None) -> Response:
        application = self.get_object()
        body = s.PermitNoteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.application_withdraw(actor=request.user, application=application, reason=body.validated_data["note"])
        return self._detail(application)


@extend_schema_view(
    list=extend_schema(summary="My permits", tags=["permits"]),
    retrieve=extend_schema(summary="One of my permits", tags=["permits"]),
)
class PermitViewSet(viewsets.ReadOnlyModelViewSet):
    """Permits the signed-in person holds."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = s.PermitSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Permit.objects.none()
        return (
            Permit.objects.filter(holder_id=self.request.user.pk, released_at__isnull=False)
            .select_related("permit_type")
            .order_by("-issued_at", "-id")
        )


class StaffOnly(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        return access.role_of(request.user) in STAFF_ROLES


@extend_schema_view(
    list=extend_schema(summary="Staff queue", parameters=[SCOPE_PARAMETER], tags=["permits-staff"]),
    retrieve=extend_schema(summary="One application as staff see it", tags=["permits-staff"]),
)
class StaffApplicationViewSet(viewsets.ReadOnlyModelViewSet):
    """Applications of the permit types the staff member's agencies take part in; actions of the current step."""

    permission_classes = [permissions.IsAuthenticated, StaffOnly]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Application.objects.none()
        if self.action == "list":
            return selectors.queue(self.request.user, scope=self.request.query_params.get("scope", "mine"))
        return selectors.staff_visible(self.request.user).select_related(
            "permit_type__lead_agency", "permit_type__technical_agency", "current_step__agency"
        )

    def get_serializer_class(self):
        return s.PermitApplicationSerializer if self.action == "list" else s.PermitApplicationDetailSerializer

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "staff": True}

    def _done(self, application: Application) -> Response:
        application = self.get_queryset().get(pk=application.pk)
        return Response(s.PermitApplicationDetailSerializer(application, context=self.get_serializer_context()).data)

    def _body(self, serializer_class):
        body = serializer_class(data=self.request.data)
        body.is_valid(raise_exception=True)
        return body.validated_data

    @extend_schema(
        summary="Completeness check: complete",
        request=s.PermitNoteSerializer,
        responses=s.PermitApplicationDetailSerializer,
        tags=["permits-staff"],
    )
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk=None) -> Response:
        application = self.get_object()
        services.completeness_confirm(
            actor=request.user, application=application, note=self._body(s.PermitNoteSerializer)["note"]
        )
        return self._done(application)

    @extend_schema(
        summary="Return to the applicant with what is missing",
        request=s.PermitReturnSerializer,
        responses=s.PermitApplicationDetailSerializer,
        tags=["permits-staff"],
    )
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request: Request, pk=None) -> Response:
        application = self.get_object()
        body = self._body(s.PermitReturnSerializer)
        services.application_return(
            actor=request.user, application=application, note=body["note"], missing_documents=body["missing_documents"]
        )
        return self._done(application)

    @extend_schema(
        summary="Technical review: recommendation (and site-survey report)",
        request={"multipart/form-data": s.PermitReviewSerializer, "application/json": s.PermitReviewSerializer},
        responses=s.PermitApplicationDetailSerializer,
        tags=["permits-staff"],
    )
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk=None) -> Response:
        application = self.get_object()
        body = self._body(s.PermitReviewSerializer)
        try:
            services.review_submit(
                actor=request.user,
                application=application,
                recommendation=body["recommendation"],
                note=body["note"],
                survey_report=body.get("survey_report"),
            )
        except uploads.UploadRejected as exc:
            raise ValidationError({"survey_report": [exc.message]}) from exc
        return self._done(application)

    @extend_schema(
        summary="Fee assessment: issue the SKRD",
        request=s.PermitAssessSerializer,
        responses=s.PermitApplicationDetailSerializer,
        tags=["permits-staff"],
    )
    @action(detail=True, methods=["post"])
    def assess(self, request: Request, pk=None) -> Response:
        application = self.get_object()
        body = self._body(s.PermitAssessSerializer)
        services.fee_assess(
            actor=request.user, application=application, amount=body.get("amount"), reason=body["reason"]
        )
        return self._done(application)

    @extend_schema(
        summary="Decision: approve",
        request=s.PermitNoteSerializer,
        responses=s.PermitApplicationDetailSerializer,
        tags=["permits-staff"],
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk=None) -> Response:
        application = self.get_object()
        services.application_approve(
            actor=request.user, application=application, note=self._body(s.PermitNoteSerializer)["note"]
        )
        return self._done(application)

    @extend_schema(
        summary="Decision: reject with reasons",
        request=s.PermitReasonSerializer,
        responses=s.PermitApplicationDetailSerializer,
        tags=["permits-staff"],
    )
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk=None) -> Response:
        application = self.get_object()
        services.application_reject(
            actor=request.user, application=application, reason=self._body(s.PermitReasonSerializer)["reason"]
        )
        return self._done(application)

    @extend_schema(
        summary="Sign: number, sign and record the permit (head of the agency)",
        request=None,
        responses=s.PermitApplicationDetailSerializer,
        tags=["permits-staff"],
    )
    @action(detail=True, methods=["post"])
    def sign(self, request: Request, pk=None) -> Response:
        application = self.get_object()
        services.permit_sign(actor=request.user, application=application)
        return self._done(application)

    @extend_schema(
        summary="Final check: release the signed permit to the holder",
        request=None,
        responses=s.PermitApplicationDetailSerializer,
        tags=["permits-staff"],
    )
    @action(detail=True, methods=["post"])
    def release(self, request: Request, pk=None) -> Response:
        application = self.get_object()
        services.permit_release(actor=request.user, application=application)
        return self._done(application)

    @extend_schema(
        summary="Treasury: record a payment by hand",
        request=s.PermitManualPaymentSerializer,
        responses=s.PermitApplicationDetailSerializer,
        tags=["permits-staff"],
    )
    @action(detail=True, methods=["post"], url_path="record-payment")
    def record_payment(self, request: Request, pk=None) -> Response:
        application = self.get_object()
        body = self._body(s.PermitManualPaymentSerializer)
        services.payment_record_manual(
            actor=request.user,
            application=application,
            amount=body["amount"],
            reference=body["reference"],
            paid_on=body.get("paid_on"),
        )
        return self._done(application)


@extend_schema_view(
    list=extend_schema(summary="Permits of my agencies' permit types", tags=["permits-staff"]),
    retrieve=extend_schema(summary="One permit", tags=["permits-staff"]),
)
class StaffPermitViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [permissions.IsAuthenticated, StaffOnly]
    serializer_class = s.PermitSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Permit.objects.none()
        return selectors.staff_permits(self.request.user)

    @extend_schema(
        summary="Revoke a permit (head of the issuing agency)",
        request=s.PermitRevokeSerializer,
        responses=s.PermitSerializer,
        tags=["permits-staff"],
    )
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk=None) -> Response:
        permit = self.get_object()
        body = s.PermitRevokeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with transaction.atomic():
            services.permit_revoke(
                actor=request.user,
                permit=permit,
                reason=body.validated_data["reason"],
                effective_on=body.validated_data.get("effective_on"),
            )
        return Response(s.PermitSerializer(permit).data)


class VerifyView(APIView):
    """Check a permit's QR code: authentic or not, and valid / expired / revoked. Public."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    throttle_classes = [AnonRateThrottle]

    @extend_schema(
        summary="Verify a permit code (the token in its QR)",
        responses={200: s.PermitVerificationSerializer},
        tags=["permits"],
        auth=[],
    )
    def get(self, request: Request, code: str) -> Response:
        from ..views import verify_code

        result = verify_code(code)
        return Response(s.PermitVerificationSerializer(result).data, headers={"Cache-Control": "no-store"})


class PaymentCallbackView(APIView):
    """The payment gateway's callback (HMAC-signed; see docs/permits.md). Not for browsers."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    throttle_classes: list = []

    @extend_schema(
        summary="Payment gateway callback (signed with X-KP-Timestamp and X-KP-Signature)",
        request=s.PaymentCallbackSerializer,
        parameters=[
            OpenApiParameter(
                "X-KP-Timestamp",
                OpenApiTypes.INT,
                OpenApiParameter.HEADER,
                required=True,
                description="Unix seconds when sent.",
            ),
            OpenApiParameter(
                "X-KP-Signature",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                required=True,
                description='"sha256=" + hex HMAC-SHA256(secret, "<timestamp>." + raw body).',
            ),
        ],
        responses={
            200: s.PaymentCallbackResultSerializer,
            400: OpenApiResponse(description="Invalid body or amount_mismatch."),
            401: OpenApiResponse(description="invalid_signature, or stale (outside the time window: replay)."),
            404: OpenApiResponse(description="unknown_code."),
            409: OpenApiResponse(description="event_conflict: the event id was used with other content."),
        },
        tags=["payments"],
        auth=[],
    )
    def post(self, request: Request) -> Response:
        result = gateway.handle_callback(
            raw_body=request.body,
            timestamp=request.headers.get(gateway.TIMESTAMP_HEADER),
            signature=request.headers.get(gateway.SIGNATURE_HEADER),
        )
        return Response(result.body, status=result.status)
