"""The audit log viewer for staff: administrators read every row, agency staff their agencies'."""

from __future__ import annotations

import json

from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView, ListView

from . import access, audit
from .audit_filters import AuditLogPageFilter
from .exports import Column, ExportMixin
from .models import AuditLog


def agency_names(ids) -> dict[int, str]:
    from kotapintar.agencies.models import Agency

    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return dict(Agency.objects.filter(pk__in=ids).values_list("pk", "name"))


def object_type_label(row: AuditLog) -> str:
    content_type = row.content_type
    if content_type is None:
        return ""
    model = content_type.model_class()
    return str(model._meta.verbose_name) if model else f"{content_type.app_label}.{content_type.model}"


def _json(value) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def changes(row: AuditLog) -> list[dict]:
    """Field-by-field before/after of one row, for the detail page."""
    before = row.before if isinstance(row.before, dict) else {}
    after = row.after if isinstance(row.after, dict) else {}
    keys = list(dict.fromkeys([*before.keys(), *after.keys()]))
    return [
        {
            "field": key,
            "before": _json(before.get(key)) if key in before else "",
            "after": _json(after.get(key)) if key in after else "",
            "changed": before.get(key) != after.get(key),
        }
        for key in keys
    ]


class AuditLogListView(access.ScopedViewMixin, ExportMixin, ListView):
    """/staff/audit/: filterable list with CSV/XLSX export of the rows the user may read."""

    model = AuditLog
    access_roles = audit.READER_ROLES
    template_name = "core/audit/list.html"
    context_object_name = "rows"
    paginate_by = 50
    export_filename = "audit-log"

    def get_filterset(self) -> AuditLogPageFilter:
        if not hasattr(self, "_filterset"):
            self._filterset = AuditLogPageFilter(
                self.request.GET or None,
                queryset=super().get_queryset().select_related("content_type").order_by("-created_at", "-id"),
                user=self.request.user,
                request=self.request,
            )
        return self._filterset

    def get_queryset(self):
        return self.get_filterset().qs

    def get_export_columns(self) -> list[Column]:
        from kotapintar.agencies.models import Agency

        # The city has tens of agencies: one small lookup instead of a join per row.
        names = dict(Agency.objects.values_list("pk", "name"))
        columns = [
            Column(_("Time"), "created_at"),
            Column(_("Actor"), "actor_label"),
            Column(_("Action"), "action"),
            Column(_("Object type"), object_type_label),
            Column(_("Object ID"), "object_id"),
            Column(_("Object"), "object_label"),
            Column(_("Agency"), lambda r: names.get(r.agency_id, "")),
            Column(_("Before"), lambda r: _json(r.before)),
            Column(_("After"), lambda r: _json(r.after)),
            Column(_("Request ID"), "request_id"),
        ]
        if access.role_of(self.request.user) == access.ADMIN:
            columns.append(Column(_("IP address"), "ip"))
        return columns

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = context["rows"]
        names = agency_names(r.agency_id for r in rows)
        for row in rows:
            row.agency_name = names.get(row.agency_id, "")
        context["filter"] = self.get_filterset()
        context["show_ip"] = access.role_of(self.request.user) == access.ADMIN
        query = self.request.GET.copy()
        query.pop("page", None)
        context["query_without_page"] = query.urlencode()
        return context


class AuditLogDetailView(access.ScopedViewMixin, DetailView):
    """/staff/audit/<id>/: one row with its field-by-field changes (404 when not the user's)."""

    model = AuditLog
    access_roles = audit.READER_ROLES
    template_name = "core/audit/detail.html"
    context_object_name = "row"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        row = self.object
        context["changes"] = changes(row)
        context["agency_name"] = agency_names([row.agency_id]).get(row.agency_id, "")
        context["object_type"] = object_type_label(row)
        context["show_ip"] = access.role_of(self.request.user) == access.ADMIN
        return context


urlpatterns = [
    path("staff/audit/", never_cache(AuditLogListView.as_view()), name="audit_log"),
    path("staff/audit/<int:pk>/", never_cache(AuditLogDetailView.as_view()), name="audit_log_detail"),
]
