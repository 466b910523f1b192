"""Permit types are configured here (administrators); the records of the process are read-only.

A permit type is checked as a whole before it is saved (services.permit_type_check): the
number format, the object summary's field keys, the fee rule's unit fields, the workflow's
steps. Errors show on the page; nothing half-configured is stored. Every save is audited.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kotapintar.core import access
from kotapintar.core.errors import DomainError

from . import services
from .models import (
    Application,
    FeeAssessment,
    GatewayEvent,
    Payment,
    Permit,
    PermitField,
    PermitType,
    RequiredDocument,
    WorkflowStep,
)


def _is_admin(request) -> bool:
    return access.role_of(request.user) == access.ADMIN


class AdminOnly:
    def has_module_permission(self, request):
        return _is_admin(request)

    def has_view_permission(self, request, obj=None):
        return _is_admin(request)

    def has_add_permission(self, request, obj=None):
        return _is_admin(request)

    def has_change_permission(self, request, obj=None):
        return _is_admin(request)

    def has_delete_permission(self, request, obj=None):
        return _is_admin(request)


class ReadOnly(AdminOnly):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CheckedInlineFormSet(forms.BaseInlineFormSet):
    """The last inline of a permit type: checks the whole configuration (type + fields + steps)."""

    siblings: list = []

    def _rows(self, formset):
        rows = []
        for form in formset.forms:
            if not hasattr(form, "cleaned_data") or not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            rows.append(form.instance)
        return rows

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        fields, steps = [], []
        for sibling in self.siblings:
            if not sibling.is_valid():
                return
            if sibling.model is PermitField:
                fields = self._rows(sibling)
            elif sibling.model is WorkflowStep:
                steps = self._rows(sibling)
        for step in steps:
            step.permit_type = self.instance
        try:
            services.permit_type_check(self.instance, steps=steps, fields=fields)
        except DomainError as exc:
            raise ValidationError(exc.message) from exc


class FieldInline(AdminOnly, admin.TabularInline):
    model = PermitField
    extra = 0
    fields = [
        "position",
        "key",
        "label",
        "kind",
        "required",
        "choices",
        "min_value",
        "max_value",
        "max_length",
        "print_on_permit",
        "help_text",
    ]


class DocumentInline(AdminOnly, admin.TabularInline):
    model = RequiredDocument
    extra = 0
    fields = ["position", "key", "label", "allowed_kinds", "max_size_mb", "mandatory", "help_text"]


class StepInline(AdminOnly, admin.TabularInline):
    model = WorkflowStep
    formset = CheckedInlineFormSet
    extra = 0
    fields = ["stage", "name", "agency", "handler_role", "deadline_days"]


class PermitTypeForm(forms.ModelForm):
    class Meta:
        model = PermitType
        exclude: list[str] = []

    def clean_code(self):
        return (self.cleaned_data.get("code") or "").strip().upper()


@admin.register(PermitType)
class PermitTypeAdmin(AdminOnly, admin.ModelAdmin):
    form = PermitTypeForm
    list_display = ["name", "code", "lead_agency", "technical_agency", "fee_kind", "service_days_display", "is_active"]
    list_filter = ["is_active", "fee_kind", "lead_agency"]
    search_fields = ["name", "code"]
    inlines = [FieldInline, DocumentInline, StepInline]
    fieldsets = [
        (None, {"fields": ["code", "name", "document_title", "description", "is_active"]}),
        (_("Agencies"), {"fields": ["lead_agency", "technical_agency", "treasury_agency"]}),
        (
            _("Validity"),
            {
                "fields": [
                    "validity_months",
                    "validity_field",
                    "allow_renewal",
                    "renewal_window_days",
                    "allow_amendment",
                ]
            },
        ),
        (
            _("Fee (retribusi)"),
            {
                "fields": [
                    "fee_kind",
                    "fee_amount",
                    "fee_unit_fields",
                    "fee_minimum",
                    "fee_description",
                    "fee_rate_label",
                    "payment_days",
                ]
            },
        ),
        (_("Permit document"), {"fields": ["number_format", "object_summary_template", "conditions"]}),
    ]

    def has_delete_permission(self, request, obj=None):
        return False  # close a type (is_active) instead: applications and permits refer to it

    @admin.display(description=_("service time (working days)"))
    def service_days_display(self, obj):
        return obj.service_days

    def _create_formsets(self, request, obj, change):
        formsets, inline_instances = super()._create_formsets(request, obj, change)
        for formset in formsets:
            if isinstance(formset, CheckedInlineFormSet):
                formset.siblings = formsets
        return formsets, inline_instances

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.permit_type_record(actor=request.user, permit_type=form.instance, created=not change)


@admin.register(Application)
class ApplicationAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["registration_number", "permit_type", "status", "submitted_at", "due_at"]
    list_filter = ["status", "permit_type"]
    search_fields = ["registration_number"]
    readonly_fields = [f.name for f in Application._meta.fields]
    exclude = ["data"]


@admin.register(Permit)
class PermitAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["number", "permit_type", "holder_name", "valid_from", "valid_until", "revoked_on"]
    list_filter = ["permit_type"]
    search_fields = ["number", "holder_name"]
    readonly_fields = [f.name for f in Permit._meta.fields]


@admin.register(FeeAssessment)
class FeeAssessmentAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["skrd_number", "application", "amount", "computed_amount", "status", "due_date"]
    list_filter = ["status"]
    search_fields = ["skrd_number", "payment_code"]


@admin.register(Payment)
class PaymentAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["assessment", "amount", "channel", "reference", "paid_at"]
    list_filter = ["channel"]


@admin.register(GatewayEvent)
class GatewayEventAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["event_id", "payment_code", "amount", "outcome", "http_status", "received_at"]
    list_filter = ["outcome"]
    search_fields = ["event_id", "payment_code"]
