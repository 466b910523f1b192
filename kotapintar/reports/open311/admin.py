"""Admin of the Open311 server (administrators only; every save goes through a service).

- Open311 clients: adding one shows its key ONCE, on the page that follows (never stored,
  never put in a message or a log); the action "Revoke" stops the selected keys at once.
- Report categories (Open311 services) with their questions (service-definition attributes)
  as an inline: the six datatypes, list answers as "key = name" lines. Categories come from
  the category file (import_categories); here they are edited, never added or deleted, and
  a question is retired by unticking "active" (old reports keep their answers).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from kotapintar.core import access
from kotapintar.core.errors import DomainError

from .. import services as report_services
from ..errors import ReportInvalid
from ..models import Category, CategoryAttribute
from . import services
from .models import Open311Client


def _is_admin(request) -> bool:
    return access.role_of(request.user) == access.ADMIN


class AdminOnly:
    """Administrators only; nothing is deleted here."""

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


# --- client applications ---------------------------------------------------------------------------


class Open311ClientForm(forms.ModelForm):
    class Meta:
        model = Open311Client
        fields = ["name", "contact"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and "name" in self.fields:
            # Reports carry "<id>:<name>" of their client: the name stays as it was registered.
            self.fields["name"].disabled = True

    def clean_name(self):
        name = self.cleaned_data["name"]
        if self.instance.pk:
            return self.instance.name
        try:
            return services.client_name_check(name)
        except DomainError as exc:
            raise ValidationError(exc.message) from exc

    def clean_contact(self):
        try:
            return services.client_contact_check(self.cleaned_data.get("contact", ""))
        except DomainError as exc:
            raise ValidationError(exc.message) from exc


@admin.register(Open311Client)
class Open311ClientAdmin(AdminOnly, admin.ModelAdmin):
    form = Open311ClientForm
    list_display = ["name", "key_prefix", "is_active", "contact", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "key_prefix", "contact"]
    ordering = ["name"]
    actions = ["revoke_keys"]
    READ_ONLY = [
        "key_prefix",
        "is_active",
        "created_at",
        "created_by",
        "last_used_at",
        "revoked_at",
        "revoked_by",
    ]

    def get_fields(self, request, obj=None):
        return ["name", "contact"] if obj is None else ["name", "contact", *self.READ_ONLY]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.READ_ONLY

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def save_model(self, request, obj, form, change):
        if change:
            saved = services.client_update(actor=request.user, client=obj, contact=form.cleaned_data["contact"])
        else:
            saved, key = services.client_create(
                actor=request.user, name=form.cleaned_data["name"], contact=form.cleaned_data["contact"]
            )
            obj._new_key = key  # shown once by response_add, kept nowhere else
        obj.pk = saved.pk
        obj.key_prefix, obj.created_at = saved.key_prefix, saved.created_at
        obj._state.adding = False
        obj._state.db = saved._state.db

    def response_add(self, request, obj, post_url_continue=None):
        key = getattr(obj, "_new_key", None)
        if key is None:  # pragma: no cover - save_model always sets it
            return super().response_add(request, obj, post_url_continue)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "client": obj,
            "key": key,
            "title": _("Key of %(name)s") % {"name": obj.name},
        }
        response = TemplateResponse(request, "reports/open311/key_created.html", context)
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description=_("Revoke the keys of the selected applications"), permissions=["change"])
    def revoke_keys(self, request, queryset):
        revoked = 0
        for client in queryset:
            try:
                services.client_revoke(actor=request.user, client=client)
            except DomainError as exc:
                self.message_user(request, exc.message, messages.WARNING)
            else:
                revoked += 1
        if revoked:
            self.message_user(
                request,
                ngettext("%(n)d key revoked.", "%(n)d keys revoked.", revoked) % {"n": revoked},
                messages.SUCCESS,
            )


# --- categories (services) and their questions (service-definition attributes) -----------------------


def _values_to_text(values) -> str:
    return "\n".join(f"{v.get('key')} = {v.get('name')}" for v in (values or []) if isinstance(v, dict))


def _text_to_values(text: str) -> list[dict[str, str]]:
    values = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        key, sep, name = line.partition("=")
        if not sep:
            key, sep, name = line.partition("|")
        values.append({"key": key.strip(), "name": (name if sep else key).strip()})
    return values


class CategoryAttributeForm(forms.ModelForm):
    choices = forms.CharField(
        label=_("choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 30}),
        help_text=_("For list answers: one choice per line, as “key = name”."),
    )

    class Meta:
        model = CategoryAttribute
        fields = ["code", "description", "datatype", "required", "variable", "datatype_description", "order"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["choices"].initial = _values_to_text(self.instance.values)
        if self.instance.pk and "code" in self.fields:
            # Answers already given are stored under the code: it cannot change.
            self.fields["code"].disabled = True

    def clean(self):
        cleaned = super().clean()
        if self.errors or not self.has_changed():
            return cleaned
        candidate = CategoryAttribute(
            code=cleaned.get("code") or "",
            datatype=cleaned.get("datatype") or "",
            description=cleaned.get("description") or "",
            values=_text_to_values(cleaned.get("choices", "")),
        )
        try:
            report_services._check_attribute(candidate)
        except ReportInvalid as exc:
            for field, problems in exc.fields.items():
                target = "choices" if field == "values" else field
                self.add_error(target if target in self.fields else None, problems)
        cleaned["values"] = candidate.values
        return cleaned


class CategoryAttributeInline(AdminOnly, admin.TabularInline):
    model = CategoryAttribute
    form = CategoryAttributeForm
    fields = [
        "code",
        "description",
        "datatype",
        "required",
        "variable",
        "datatype_description",
        "choices",
        "order",
        "is_active",
    ]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return _is_admin(request)


class CategoryForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = [*report_services.CATEGORY_FIELDS, "related"]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        candidate = Category(**{f: cleaned[f] for f in report_services.CATEGORY_FIELDS if f in cleaned})
        try:
            report_services._check_category(candidate)
        except ReportInvalid as exc:
            for field, problems in exc.fields.items():
                self.add_error(field if field in self.fields else None, problems)
        return cleaned


@admin.register(Category)
class CategoryAdmin(AdminOnly, admin.ModelAdmin):
    """A category is an Open311 service; its questions are the service definition."""

    form = CategoryForm
    list_display = ["code", "name", "kind", "default_agency", "routing", "resolution_days", "is_active", "order"]
    list_filter = ["kind", "routing", "is_active"]
    search_fields = ["code", "name", "name_en", "keywords"]
    list_select_related = ["default_agency"]
    readonly_fields = ["code"]
    fields = ["code", *report_services.CATEGORY_FIELDS, "related"]
    filter_horizontal = ["related"]
    inlines = [CategoryAttributeInline]
    ordering = ["order", "name"]

    def has_add_permission(self, request, obj=None):
        return False  # categories come from the category file (manage.py import_categories)

    def get_actions(self, request):
        return {}

    def save_model(self, request, obj, form, change):
        fresh = Category.objects.get(pk=obj.pk)
        changes = {f: form.cleaned_data[f] for f in form.changed_data if f in report_services.CATEGORY_FIELDS}
        related = form.cleaned_data["related"] if "related" in form.changed_data else None
        # Always through the service (it also bumps the discovery changeset when questions change).
        report_services.category_update(actor=request.user, category=fresh, related=related, **changes)

    def save_related(self, request, form, formsets, change):
        # `related` was saved by the service; the inline rows are saved by save_formset.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request, form, formset, change):
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        category = Category.objects.get(pk=form.instance.pk)
        with transaction.atomic():
            for inline_form in formset.forms:
                if not inline_form.has_changed():
                    continue
                data = inline_form.cleaned_data
                fields = {
                    f: data[f]
                    for f in ("variable", "datatype", "required", "description", "datatype_description", "order")
                    if f in data
                }
                fields["values"] = data.get("values", [])
                fields["is_active"] = data.get("is_active", True)
                instance = inline_form.instance
                if instance.pk is None:
                    saved = report_services.category_attribute_save(
                        actor=request.user, category=category, code=data["code"], **fields
                    )
                    formset.new_objects.append(saved)
                else:
                    fresh = CategoryAttribute.objects.get(pk=instance.pk)
                    saved = report_services.category_attribute_save(
                        actor=request.user, category=category, code=fresh.code, attribute=fresh, **fields
                    )
                    formset.changed_objects.append((saved, inline_form.changed_data))
