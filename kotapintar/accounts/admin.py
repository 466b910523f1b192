"""Django admin for accounts: every change goes through the accounts services.

- New accounts made here are staff accounts (`staff_create`): residents sign up themselves.
- The NIK is shown masked; the clear NIK only through the audited reveal page.
- Accounts are never deleted here: the "delete (anonymise)" action runs `user_delete`.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from kotapintar.core.errors import DomainError

from . import policies, selectors, services
from .contact import parse_email, parse_phone
from .errors import AccountError
from .models import STAFF_ROLES, Role, User


# One sign-in page for the whole platform (axes lockout, 2FA): the admin's own login form
# would skip neither, but would not show them either.
def _platform_login(request, extra_context=None):
    return redirect(
        f"{reverse('accounts:login')}?{urlencode({'next': request.GET.get('next') or reverse('admin:index')})}"
    )


admin.site.login = _platform_login  # type: ignore[method-assign]

# Staff TOTP secrets are shown to their owner once, on the setup page; administrators reset
# devices through the audited action below rather than reading or editing them.
try:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    admin.site.unregister(TOTPDevice)
except admin.sites.NotRegistered:  # pragma: no cover — depends on app order
    pass


class _ContactFieldsMixin:
    """Email/phone checked as the services check them, shown next to the field."""

    def _unique(self, field: str, value):
        qs = User.objects.filter(**{f"{field}__iexact": value})
        if self.instance.pk:
            qs = qs.exclude(pk=self.instance.pk)
        if qs.exists():
            raise ValidationError(
                _("An account with this email address already exists.")
                if field == "email"
                else _("An account with this phone number already exists."),
                code="taken",
            )
        return value

    def clean_email(self):
        value = self.cleaned_data.get("email")
        return self._unique("email", parse_email(value)) if value else None

    def clean_phone(self):
        value = self.cleaned_data.get("phone")
        return self._unique("phone", parse_phone(value)) if value else None


class StaffCreationForm(_ContactFieldsMixin, forms.ModelForm):
    """Create a staff account: the service sets flags, verification and the TOTP device."""

    role = forms.ChoiceField(label=_("role"), choices=[(r.value, r.label) for r in Role if r in STAFF_ROLES])
    password = forms.CharField(
        label=pgettext_lazy("account", "password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty to generate one; it is shown once after saving."),
    )

    agency = forms.ModelChoiceField(
        label=_("agency"),
        queryset=None,
        required=False,
        help_text=_("For the role “Agency staff”: the agency they work for (can be changed later)."),
    )
    agency_role = forms.ChoiceField(label=_("role in the agency"), choices=(), required=False)
    position = forms.CharField(label=_("position"), max_length=120, required=False)

    class Meta:
        model = User
        fields = ["full_name", "email", "phone", "role"]

    def __init__(self, *args, **kwargs):
        from kotapintar.agencies.models import Agency, Membership

        super().__init__(*args, **kwargs)
        self.fields["email"].required = True
        self.fields["full_name"].required = True
        self.fields["agency"].queryset = Agency.objects.filter(is_active=True).order_by("name")
        self.fields["agency_role"].choices = Membership.Role.choices
        self.fields["agency_role"].initial = Membership.Role.OFFICER

    def _post_clean(self):
        # Uniqueness and formats are checked by the service (it knows 08… = +62…).
        pass

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("agency") and cleaned.get("role") != Role.AGENCY:
            self.add_error("agency", _("Only accounts with the role “Agency staff” belong to an agency."))
        return cleaned

    def create(self, *, actor) -> services.StaffCreated:
        from kotapintar.agencies.services import membership_set

        data = self.cleaned_data
        # One transaction: no staff account without the membership that was asked for.
        with transaction.atomic():
            result = services.staff_create(
                actor=actor,
                full_name=data["full_name"],
                email=data["email"],
                role=data["role"],
                password=data.get("password") or None,
                phone=data.get("phone") or None,
            )
            if data.get("agency"):
                membership_set(
                    actor=actor,
                    user=result.user,
                    agency=data["agency"],
                    role=data.get("agency_role") or "officer",
                    position=data.get("position") or "",
                )
        return result

    def save_m2m(self):  # the admin calls it after save_model
        return None


class UserChangeForm(_ContactFieldsMixin, forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "email", "phone", "role", "preferred_language", "is_active", "is_staff", "is_superuser"]

    def _post_clean(self):
        # The service validates (and normalises) contact fields; the instance stays as in
        # the database until the service changes it.
        pass

    def save_m2m(self):  # no many-to-many field on this form
        return None


class DeletedFilter(admin.SimpleListFilter):
    title = _("deleted")
    parameter_name = "deleted"

    def lookups(self, request, model_admin):
        return [("no", _("No")), ("yes", _("Yes"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(deleted_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(deleted_at__isnull=True)
        return queryset


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ["__str__", "email", "phone", "role", "is_active", "date_joined", "deleted_at"]
    list_filter = ["role", "is_active", DeletedFilter, "date_joined"]
    search_fields = ["full_name", "email", "phone"]
    search_help_text = _("Search by name, email or phone number.")
    ordering = ["full_name", "id"]
    readonly_fields = [
        "nik_display",
        "two_factor_display",
        "email_verified_at",
        "phone_verified_at",
        "date_joined",
        "last_login",
        "privacy_consent_at",
        "deleted_at",
    ]
    actions = ["reset_two_factor", "anonymise"]
    form = UserChangeForm
    add_form = StaffCreationForm

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [
                (None, {"fields": ["full_name", "email", "phone", "role", "password"]}),
                (_("Agency"), {"fields": ["agency", "agency_role", "position"]}),
            ]
        return [
            (None, {"fields": ["full_name", "email", "phone", "role", "preferred_language"]}),
            (_("Identity"), {"fields": ["nik_display"]}),
            (_("Access"), {"fields": ["is_active", "is_staff", "is_superuser", "two_factor_display"]}),
            (
                _("Dates"),
                {
                    "fields": [
                        "date_joined",
                        "last_login",
                        "email_verified_at",
                        "phone_verified_at",
                        "privacy_consent_at",
                        "deleted_at",
                    ]
                },
            ),
        ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = self.add_form
            kwargs["fields"] = ["full_name", "email", "phone", "role"]
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def has_module_permission(self, request):
        return policies.can_manage_accounts(request.user) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return policies.can_manage_accounts(request.user) or super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return policies.can_manage_accounts(request.user)

    def has_change_permission(self, request, obj=None):
        return policies.can_manage_accounts(request.user) or super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # accounts are anonymised (action below), never deleted

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        if not policies.can_manage_accounts(request.user):
            actions.pop("reset_two_factor", None)
            actions.pop("anonymise", None)
        return actions

    @admin.display(description=_("NIK"))
    def nik_display(self, obj: User):
        masked = selectors.nik_masked(obj)
        if not masked:
            return "—"
        url = reverse("admin:accounts_user_reveal_nik", args=[obj.pk])
        return format_html(
            '<span style="font-family:monospace">{}</span> <a class="button" href="{}">{}</a>',
            masked,
            url,
            gettext("Show in full (recorded in the audit log)"),
        )

    @admin.display(description=_("two-step verification"))
    def two_factor_display(self, obj: User):
        if not obj.is_staff_member:
            return gettext("not needed (resident)")
        return gettext("on") if selectors.two_factor_enabled(obj) else gettext("not set up yet")

    # --- saving through the services ----------------------------------------------------

    def save_form(self, request, form, change):
        if not change:
            result = form.create(actor=request.user)
            request._staff_created = result  # shown once by response_add, never stored
            return result.user
        return form.instance

    def save_model(self, request, obj, form, change):
        if not change:
            return  # created by staff_create in save_form
        changes = {name: form.cleaned_data[name] for name in form.changed_data if name in form.cleaned_data}
        updated = services.user_admin_update(actor=request.user, user=obj, changes=changes)
        obj.refresh_from_db()
        return updated

    def response_add(self, request, obj, post_url_continue=None):
        result = getattr(request, "_staff_created", None)
        if result is None or not result.generated_password:
            return super().response_add(request, obj, post_url_continue)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Staff account created"),
            "opts": self.model._meta,
            "original": obj,
            "password": result.generated_password,
            "change_url": reverse("admin:accounts_user_change", args=[obj.pk]),
        }
        response = TemplateResponse(request, "admin/accounts/user/staff_created.html", context)
        response["Cache-Control"] = "no-store"
        return response

    def _changeform_view(self, request, object_id, form_url, extra_context):
        try:
            return super()._changeform_view(request, object_id, form_url, extra_context)
        except (AccountError, ValidationError, DomainError) as exc:
            # A rule the form could not know about (e.g. a number already used elsewhere).
            message = getattr(exc, "message", None) or "; ".join(getattr(exc, "messages", [str(exc)]))
            self.message_user(request, message, level=messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    # --- actions ------------------------------------------------------------------------

    @admin.action(description=_("Reset two-step verification of the selected staff"))
    def reset_two_factor(self, request, queryset):
        done = 0
        for user in queryset:
            if user.is_staff_member and not user.is_deleted:
                services.staff_two_factor_reset(actor=request.user, user=user)
                done += 1
        self.message_user(
            request,
            gettext("Two-step verification reset for %(count)d account(s); they set it up again at next sign-in.")
            % {"count": done},
        )

    @admin.action(description=_("Delete (anonymise) the selected accounts"))
    def anonymise(self, request, queryset):
        queryset = queryset.filter(deleted_at__isnull=True).exclude(pk=request.user.pk)
        if request.POST.get("confirm") == "yes":
            count = 0
            for user in queryset:
                services.user_delete(actor=request.user, user=user)
                count += 1
            self.message_user(request, gettext("%(count)d account(s) anonymised.") % {"count": count})
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Delete (anonymise) accounts"),
            "opts": self.model._meta,
            "queryset": queryset,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/accounts/user/anonymise_confirm.html", context)

    # --- audited NIK reveal -------------------------------------------------------------

    def get_urls(self):
        return [
            path(
                "<path:object_id>/reveal-nik/",
                self.admin_site.admin_view(self.reveal_nik_view),
                name="accounts_user_reveal_nik",
            ),
            *super().get_urls(),
        ]

    def reveal_nik_view(self, request, object_id):
        subject = User.objects.filter(pk=unquote(object_id)).first()
        if subject is None:
            raise Http404
        if not policies.can_read_nik(request.user, subject):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("NIK of %(user)s") % {"user": subject},
            "opts": self.model._meta,
            "original": subject,
            "nik": None,
        }
        if request.method == "POST":
            context["nik"] = services.user_nik_reveal(viewer=request.user, subject=subject)
        response = TemplateResponse(request, "admin/accounts/user/reveal_nik.html", context)
        response["Cache-Control"] = "no-store"
        return response
