"""The catalogue in the Django admin: administrators edit service standards through the services.

Surveys and answers are read-only here: a survey changes only through the resident's
answer, and an anonymous answer is never edited or deleted (the published index must stay
reproducible).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kotapintar.core import access

from . import services
from .models import SatisfactionSurvey, ServiceStandard, SurveyResponse


def _is_admin(request) -> bool:
    return access.role_of(request.user) == access.ADMIN


class ServiceStandardAdminForm(forms.ModelForm):
    class Meta:
        model = ServiceStandard
        fields = list(services.SERVICE_FIELDS)
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "requirements": forms.Textarea(attrs={"rows": 6}),
            "procedure": forms.Textarea(attrs={"rows": 6}),
            "product": forms.Textarea(attrs={"rows": 2}),
            "complaint_channel": forms.Textarea(attrs={"rows": 3}),
            "legal_basis": forms.Textarea(attrs={"rows": 4}),
        }

    def _post_clean(self):
        # The service's rules decide (the same ones the import and the API use); the model's
        # own constraint check would only repeat the fee rule with a less helpful message.
        super()._post_clean()
        if self.errors:
            return
        candidate = ServiceStandard(pk=self.instance.pk, **services._clean_values(dict(self.cleaned_data)))
        for name, messages in services.service_standard_errors(candidate).items():
            for message in messages:
                self.add_error(name if name in self.fields else None, ValidationError(message))

    def validate_constraints(self):
        return None


@admin.register(ServiceStandard)
class ServiceStandardAdmin(admin.ModelAdmin):
    form = ServiceStandardAdminForm
    list_display = ["name", "agency", "category", "service_time_days", "fee_kind", "online_kind", "is_published"]
    list_filter = ["category", "is_published", "online_kind", "fee_kind", "agency"]
    search_fields = ["name", "slug", "keywords", "agency__name", "agency__code"]
    list_select_related = ["agency"]
    prepopulated_fields = {"slug": ("name",)}
    ordering = ["name"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "agency", "category", "summary", "keywords", "is_published"]}),
        (
            _("Service standard"),
            {
                "fields": [
                    "requirements",
                    "procedure",
                    "service_time_days",
                    "service_time_note",
                    "fee_kind",
                    "fee_amount",
                    "fee_note",
                    "product",
                    "complaint_channel",
                    "legal_basis",
                    "location",
                ]
            },
        ),
        (_("Online form"), {"fields": ["online_kind", "online_code"]}),
    ]

    def has_module_permission(self, request):
        return _is_admin(request)

    def has_view_permission(self, request, obj=None):
        return _is_admin(request)

    def has_add_permission(self, request):
        return _is_admin(request)

    def has_change_permission(self, request, obj=None):
        return _is_admin(request)

    def has_delete_permission(self, request, obj=None):
        return False  # unpublish instead: surveys and answers refer to the service

    def get_actions(self, request):
        return {}

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in services.SERVICE_FIELDS if name in form.cleaned_data}
        if change:
            saved = services.service_standard_update(
                actor=request.user, service=obj, **{n: data[n] for n in form.changed_data if n in data}
            )
        else:
            saved = services.service_standard_create(actor=request.user, **data)
        obj.pk = saved.pk
        obj.created_at, obj.updated_at = saved.created_at, saved.updated_at
        obj._state.adding = False
        obj._state.db = saved._state.db


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_module_permission(self, request):
        return _is_admin(request)

    def has_view_permission(self, request, obj=None):
        return _is_admin(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        return {}


@admin.register(SatisfactionSurvey)
class SatisfactionSurveyAdmin(ReadOnlyAdmin):
    list_display = ["service", "agency", "case_kind", "case_id", "status", "offered_at", "answered_at"]
    list_filter = ["status", "case_kind", "agency"]
    search_fields = ["case_id", "case_label", "service__name"]
    list_select_related = ["service", "agency"]


@admin.register(SurveyResponse)
class SurveyResponseAdmin(ReadOnlyAdmin):
    list_display = ["service", "agency", "answered_on", "u1", "u2", "u3", "u4", "u5", "u6", "u7", "u8", "u9"]
    list_filter = ["agency", "answered_on"]
    list_select_related = ["service", "agency"]
    date_hierarchy = "answered_on"
