"""Serializers of the permits API (money as decimal strings, times in ISO 8601 UTC)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .. import fees, sla
from .. import fields as answer_fields
from ..models import (
    Application,
    ApplicationDocument,
    ApplicationEvent,
    FeeAssessment,
    FeeKind,
    Permit,
    PermitField,
    PermitType,
    Recommendation,
    RequiredDocument,
    WorkflowStep,
)
from ..services import holder_label


class PermitFormFieldSerializer(serializers.ModelSerializer):
    choices = serializers.ListField(source="choice_list", child=serializers.CharField(), read_only=True)

    class Meta:
        model = PermitField
        fields = ["key", "label", "kind", "required", "help_text", "choices", "min_value", "max_value", "max_length"]
        read_only_fields = fields


class PermitRequiredDocumentSerializer(serializers.ModelSerializer):
    kinds = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = RequiredDocument
        fields = ["key", "label", "help_text", "kinds", "max_size_mb", "mandatory"]
        read_only_fields = fields


class PermitWorkflowStepSerializer(serializers.ModelSerializer):
    holder = serializers.SerializerMethodField()

    class Meta:
        model = WorkflowStep
        fields = ["stage", "name", "deadline_days", "holder"]
        read_only_fields = fields

    def get_holder(self, obj: WorkflowStep) -> str:
        return holder_label(obj)


class PermitTypeSerializer(serializers.ModelSerializer):
    lead_agency = serializers.CharField(source="lead_agency.name", read_only=True)
    technical_agency = serializers.CharField(source="technical_agency.name", read_only=True, default=None)
    service_days = serializers.IntegerField(read_only=True)
    fee_rule = serializers.ChoiceField(source="fee_kind", choices=FeeKind.choices, read_only=True)
    fee = serializers.SerializerMethodField()
    fields = PermitFormFieldSerializer(many=True, read_only=True)
    documents = PermitRequiredDocumentSerializer(many=True, read_only=True)
    steps = serializers.SerializerMethodField()

    class Meta:
        model = PermitType
        fields = [
            "code",
            "name",
            "description",
            "lead_agency",
            "technical_agency",
            "service_days",
            "validity_months",
            "fee_rule",
            "fee",
            "fields",
            "documents",
            "steps",
        ]
        read_only_fields = fields

    def get_fee(self, obj: PermitType) -> str:
        return fees.describe_rule(obj)

    @extend_schema_field(PermitWorkflowStepSerializer(many=True))
    def get_steps(self, obj: PermitType):
        return PermitWorkflowStepSerializer(obj.ordered_steps(), many=True).data


class PermitDeadlineSerializer(serializers.Serializer):
    state = serializers.CharField(help_text="overdue, today, soon, ok, paused")
    working_days = serializers.IntegerField(source="days")
    label = serializers.CharField()
    due_at = serializers.DateTimeField(allow_null=True)


class PermitDocumentSerializer(serializers.ModelSerializer):
    requirement = serializers.CharField(source="requirement.key", read_only=True, default=None)

    class Meta:
        model = ApplicationDocument
        fields = [
            "id",
            "kind",
            "requirement",
            "label",
            "original_name",
            "content_type",
            "size",
            "uploaded_at",
            "is_current",
        ]
        read_only_fields = fields


class PermitEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApplicationEvent
        fields = ["kind", "created_at", "actor_label", "message"]
        read_only_fields = fields


class PermitFeeAssessmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = FeeAssessment
        fields = ["skrd_number", "payment_code", "amount", "computed_amount", "due_date", "status", "paid_at"]
        read_only_fields = fields


class PermitApplicationSerializer(serializers.ModelSerializer):
    permit_type = serializers.CharField(source="permit_type.code", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    current_step = serializers.CharField(source="current_step.name", read_only=True, default=None)
    held_by = serializers.SerializerMethodField()
    deadline = serializers.SerializerMethodField()

    class Meta:
        model = Application
        fields = [
            "id",
            "registration_number",
            "permit_type",
            "kind",
            "status",
            "status_label",
            "current_step",
            "held_by",
            "deadline",
            "holder_name",
            "created_at",
            "submitted_at",
            "due_at",
            "closed_at",
        ]
        read_only_fields = fields

    def get_held_by(self, obj: Application) -> str:
        return holder_label(obj.current_step) if obj.current_step_id and obj.is_open else ""

    @extend_schema_field(PermitDeadlineSerializer(allow_null=True))
    def get_deadline(self, obj: Application):
        if not obj.is_open:
            return None
        return PermitDeadlineSerializer(sla.deadline(obj.due_at, paused=obj.is_paused)).data


class PermitApplicationDetailSerializer(PermitApplicationSerializer):
    data = serializers.JSONField(read_only=True, help_text="Answers by field key (decimals as strings, dates ISO).")
    holder_address = serializers.CharField(read_only=True)
    return_note = serializers.CharField(read_only=True)
    missing_documents = serializers.ListField(child=serializers.CharField(), read_only=True)
    decision_reason = serializers.CharField(read_only=True)
    documents = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()
    assessment = serializers.SerializerMethodField()
    permit = serializers.SerializerMethodField()

    class Meta(PermitApplicationSerializer.Meta):
        fields = [
            *PermitApplicationSerializer.Meta.fields,
            "holder_address",
            "data",
            "return_note",
            "missing_documents",
            "decision_reason",
            "documents",
            "timeline",
            "assessment",
            "permit",
        ]
        read_only_fields = fields

    def _staff(self) -> bool:
        return bool(self.context.get("staff"))

    @extend_schema_field(PermitDocumentSerializer(many=True))
    def get_documents(self, obj: Application):
        from .. import selectors

        return PermitDocumentSerializer(selectors.documents(obj, staff=self._staff()), many=True).data

    @extend_schema_field(PermitEventSerializer(many=True))
    def get_timeline(self, obj: Application):
        from .. import selectors

        return PermitEventSerializer(selectors.timeline(obj, staff=self._staff()), many=True).data

    @extend_schema_field(PermitFeeAssessmentSerializer(allow_null=True))
    def get_assessment(self, obj: Application):
        from .. import selectors

        assessment = selectors.live_assessment(obj)
        return PermitFeeAssessmentSerializer(assessment).data if assessment else None

    @extend_schema_field(OpenApiTypes.STR)
    def get_permit(self, obj: Application) -> str | None:
        permit = Permit.objects.filter(application=obj).only("number", "released_at").first()
        if permit is None or (not permit.released_at and not self._staff()):
            return None
        return permit.number


class PermitApplicationCreateSerializer(serializers.Serializer):
    permit_type = serializers.SlugRelatedField(
        slug_field="code", queryset=PermitType.objects.filter(is_active=True), help_text="Permit type code."
    )
    client_key = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        help_text="Idempotency key: the same key returns the same draft.",
    )
    holder_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    holder_address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    data = serializers.DictField(required=False, help_text="Answers by field key.")


class PermitApplicationAnswersSerializer(serializers.Serializer):
    holder_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    holder_address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    data = serializers.DictField(required=False, help_text="Answers by field key; replaces the given keys.")


class PermitDocumentUploadSerializer(serializers.Serializer):
    requirement = serializers.CharField(help_text="Key of the required document.")
    file = serializers.FileField(help_text="PDF, JPEG or PNG (checked by content), within the document's size limit.")


class PermitNoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class PermitReturnSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")
    missing_documents = serializers.ListField(child=serializers.CharField(), required=False, default=list)


class PermitReviewSerializer(serializers.Serializer):
    recommendation = serializers.ChoiceField(choices=Recommendation.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    survey_report = serializers.FileField(required=False, allow_null=True)


class PermitAssessSerializer(serializers.Serializer):
    amount = serializers.DecimalField(
        max_digits=16, decimal_places=0, required=False, allow_null=True, help_text="Omit to use the computed fee."
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class PermitReasonSerializer(serializers.Serializer):
    reason = serializers.CharField()


class PermitManualPaymentSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    reference = serializers.CharField(max_length=100)
    paid_on = serializers.DateField(required=False)


class PermitRevokeSerializer(serializers.Serializer):
    reason = serializers.CharField()
    effective_on = serializers.DateField(required=False)


class PermitSerializer(serializers.ModelSerializer):
    permit_type = serializers.CharField(source="permit_type.code", read_only=True)
    permit_type_name = serializers.CharField(source="permit_type.name", read_only=True)
    status = serializers.SerializerMethodField()
    object_fields = serializers.SerializerMethodField()

    class Meta:
        model = Permit
        fields = [
            "id",
            "number",
            "permit_type",
            "permit_type_name",
            "holder_name",
            "object_summary",
            "object_fields",
            "valid_from",
            "valid_until",
            "issued_on",
            "status",
            "revoked_on",
            "revocation_reason",
        ]
        read_only_fields = fields

    def get_status(self, obj: Permit) -> str:
        return obj.status_on()

    @extend_schema_field(serializers.ListField(child=serializers.ListField(child=serializers.CharField())))
    def get_object_fields(self, obj: Permit):
        return obj.object_fields


class PermitVerificationSerializer(serializers.Serializer):
    authentic = serializers.BooleanField(help_text="The code was signed by the city and matches its register.")
    status = serializers.ChoiceField(
        choices=["valid", "not_yet_valid", "expired", "revoked", "invalid"], help_text="invalid when not authentic."
    )
    number = serializers.CharField(required=False)
    type_code = serializers.CharField(required=False)
    type_name = serializers.CharField(required=False)
    holder = serializers.CharField(required=False)
    object = serializers.CharField(required=False)
    valid_from = serializers.DateField(required=False)
    valid_until = serializers.DateField(required=False, allow_null=True)
    issued_on = serializers.DateField(required=False)
    issuer = serializers.CharField(required=False)
    key_id = serializers.CharField(required=False)
    revoked_on = serializers.DateField(required=False, allow_null=True)
    revocation_reason = serializers.CharField(required=False, allow_blank=True)
    replaced_by = serializers.CharField(required=False, allow_blank=True)


class PaymentCallbackSerializer(serializers.Serializer):
    event_id = serializers.CharField(max_length=100)
    status = serializers.CharField(default="paid")
    payment_code = serializers.CharField(max_length=60)
    amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    paid_at = serializers.DateTimeField(required=False)
    reference = serializers.CharField(required=False, allow_blank=True)


class PaymentCallbackResultSerializer(serializers.Serializer):
    result = serializers.ChoiceField(choices=["paid", "already_paid", "ignored"])
    payment_code = serializers.CharField(required=False)
    amount = serializers.CharField(required=False)
    application = serializers.CharField(required=False)


def answers_from_api(permit_type: PermitType, data: dict) -> dict:
    """Validate API answers with the same field rules as the form (types, ranges); drafts need not be complete."""
    by_key = {f.key: f for f in permit_type.fields.all()}
    errors: dict[str, list[str]] = {}
    cleaned: dict = {}
    for key, value in (data or {}).items():
        field = by_key.get(key)
        if field is None:
            errors[f"data.{key}"] = [gettext("This permit type has no such field.")]
            continue
        form_field = answer_fields.form_field(field, draft=True)
        raw = ("on" if value else "") if field.kind == "boolean" else ("" if value is None else str(value))
        try:
            python = form_field.clean(raw)
        except DjangoValidationError as exc:
            errors[f"data.{key}"] = [str(m) for m in getattr(exc, "messages", [str(exc)])]
            continue
        stored = answer_fields.to_json(field, python)
        if stored is not None and not (field.kind == "boolean" and stored is False):
            cleaned[key] = stored
    if errors:
        raise serializers.ValidationError(errors)
    return cleaned
