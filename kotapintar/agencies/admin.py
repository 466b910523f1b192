"""Agencies in the Django admin: administrators only, every save goes through the services."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from kotapintar.core import access
from kotapintar.core.errors import DomainError

from . import services
from .models import Agency, Membership, Unit


def _is_admin(request) -> bool:
    return access.role_of(request.user) == access.ADMIN


class AdminOnly:
    """Only administrators see and edit agencies here; nothing is ever deleted (deactivate instead)."""

    def has_module_permission(self, request):
        return _is_admin(request)

    def has_view_permission(self, request, obj=None):
        return _is_admin(request)

    def has_add_permission(self, request, obj=None):
        return _is_admin(request)

    def has_change_permission(self, request, obj=None):
        return _is_admin(request)

    def has_delete_permission(self, request, obj=None):
        return False


class MembershipInlineForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["user", "role", "unit", "position"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from kotapintar.accounts.models import Role

        if "user" in self.fields:
            self.fields["user"].queryset = get_user_model().objects.filter(role=Role.AGENCY, is_active=True)
            if self.instance.pk:
                # A membership belongs to one person: add a new row for somebody else.
                self.fields["user"].disabled = True

    def clean(self):
        cleaned = super().clean()
        agency = getattr(self, "parent_agency", None)
        user = cleaned.get("user")
        if user is None or not cleaned.get("role"):
            return cleaned
        try:
            if agency is not None and agency.pk:
                services.membership_check(user=user, agency=agency, role=cleaned["role"], unit=cleaned.get("unit"))
            else:
                services.membership_check_user(user)
        except DomainError as exc:
            raise ValidationError(exc.message) from exc
        return cleaned


class UnitInline(AdminOnly, admin.TabularInline):
    model = Unit
    fields = ["name", "code", "is_active"]
    extra = 0
    can_delete = False


class MembershipInline(AdminOnly, admin.TabularInline):
    model = Membership
    form = MembershipInlineForm
    fields = ["user", "role", "unit", "position", "is_active"]
    readonly_fields = ["is_active"]
    extra = 0
    can_delete = True  # "delete" here ends the membership (membership_remove); the row stays

    def has_delete_permission(self, request, obj=None):
        return _is_admin(request)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form.parent_agency = obj
        return formset

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "unit":
            agency_id = request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
            field.queryset = (
                Unit.objects.filter(agency_id=agency_id, is_active=True) if agency_id else Unit.objects.none()
            )
        return field


class AgencyAdminForm(forms.ModelForm):
    class Meta:
        model = Agency
        fields = list(services.AGENCY_FIELDS)

    def clean_code(self):
        return services.normalise_code(self.cleaned_data["code"])

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            candidate = Agency(
                pk=self.instance.pk, **{f: cleaned.get(f) for f in services.AGENCY_FIELDS if f in cleaned}
            )
            try:
                services.agency_check(candidate)
            except DomainError as exc:
                raise ValidationError(exc.message) from exc
        return cleaned


@admin.register(Agency)
class AgencyAdmin(AdminOnly, admin.ModelAdmin):
    form = AgencyAdminForm
    list_display = ["code", "name", "short_name", "kind", "region", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name", "short_name"]
    list_select_related = ["region"]
    raw_id_fields = ["region"]
    fields = ["code", "name", "short_name", "kind", "region", "description", "email", "phone", "address", "is_active"]
    inlines = [UnitInline, MembershipInline]
    ordering = ["name"]

    def get_actions(self, request):
        return {}

    def save_model(self, request, obj, form, change):
        data = {f: form.cleaned_data[f] for f in services.AGENCY_FIELDS if f in form.cleaned_data}
        if change:
            changes = {f: data[f] for f in form.changed_data if f in data}
            saved = services.agency_update(actor=request.user, agency=obj, **changes)
        else:
            saved = services.agency_create(actor=request.user, **data)
        # The admin goes on with `obj` (inlines, messages, redirect): make it the saved row.
        obj.pk = saved.pk
        obj.created_at, obj.updated_at = saved.created_at, saved.updated_at
        obj._state.adding = False
        obj._state.db = saved._state.db

    def save_formset(self, request, form, formset, change):
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        agency = form.instance
        for inline_form in formset.forms:
            if not inline_form.has_changed() and inline_form.instance.pk is None:
                continue
            instance = inline_form.instance
            if formset.can_delete and formset._should_delete_form(inline_form):
                if instance.pk is not None and formset.model is Membership:
                    services.membership_remove(actor=request.user, membership=instance)
                    formset.deleted_objects.append(instance)
                continue
            data = inline_form.cleaned_data
            if formset.model is Unit:
                if instance.pk is None:
                    saved = services.unit_create(
                        actor=request.user,
                        agency=agency,
                        name=data["name"],
                        code=data.get("code", ""),
                        is_active=data.get("is_active", True),
                    )
                    formset.new_objects.append(saved)
                elif inline_form.changed_data:
                    changes = {f: data[f] for f in inline_form.changed_data if f in services.UNIT_FIELDS}
                    saved = services.unit_update(actor=request.user, unit=instance, **changes)
                    formset.changed_objects.append((saved, inline_form.changed_data))
            elif formset.model is Membership:
                if instance.pk is not None and not inline_form.changed_data:
                    continue
                saved = services.membership_set(
                    actor=request.user,
                    user=data["user"],
                    agency=agency,
                    role=data["role"],
                    unit=data.get("unit"),
                    position=data.get("position", ""),
                )
                if instance.pk is None:
                    formset.new_objects.append(saved)
                else:
                    formset.changed_objects.append((saved, inline_form.changed_data))


@admin.register(Membership)
class MembershipAdmin(AdminOnly, admin.ModelAdmin):
    """Every membership of every agency, to search and filter; edit them on the agency's page."""

    list_display = ["user", "agency", "role", "unit", "position", "is_active"]
    list_filter = ["role", "is_active", "agency"]
    search_fields = ["user__full_name", "user__email", "agency__name", "agency__code", "position"]
    list_select_related = ["user", "agency", "unit"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        return {}
