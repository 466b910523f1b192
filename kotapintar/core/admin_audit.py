"""The audit log in the Django admin: read only for everybody, superusers included."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import access
from .models import AuditLog


class AgencyFilter(admin.SimpleListFilter):
    title = _("agency")
    parameter_name = "agency"

    def lookups(self, request, model_admin):
        from kotapintar.agencies.models import Agency

        return [(str(pk), name) for pk, name in Agency.objects.order_by("name").values_list("pk", "name")]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(agency_id=int(value))
        return queryset


class ActionFilter(admin.SimpleListFilter):
    """By the kind of object changed: the part of the action before the dot."""

    title = _("action")
    parameter_name = "action_prefix"

    def lookups(self, request, model_admin):
        actions = AuditLog.objects.order_by().values_list("action", flat=True).distinct()
        prefixes = sorted({a.split(".", 1)[0] for a in actions})
        return [(p, p) for p in prefixes]

    def queryset(self, request, queryset):
        value = self.value()
        if value:
            return queryset.filter(action__startswith=f"{value}.")
        return queryset


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor_label", "action", "object_label", "agency_id", "request_id", "ip"]
    list_filter = [ActionFilter, ("created_at", admin.DateFieldListFilter), AgencyFilter]
    search_fields = ["actor_label", "action", "object_label", "=object_id", "=request_id"]
    date_hierarchy = "created_at"
    list_per_page = 50
    show_full_result_count = False
    readonly_fields = (
        "created_at",
        "actor",
        "actor_label",
        "action",
        "content_type",
        "object_id",
        "object_label",
        "agency_id",
        "before",
        "after",
        "request_id",
        "ip",
    )
    fields = readonly_fields

    def get_queryset(self, request):
        return access.scope(super().get_queryset(request), request.user)

    def has_view_permission(self, request, obj=None):
        return access.role_of(request.user) == access.ADMIN

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    # Append-only: nobody adds, changes or deletes rows here, superusers included.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        return {}
