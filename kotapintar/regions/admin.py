"""Admin of the area codes: search and browse, correct a name or a boundary's labels.

Areas are created by `manage.py import_regions` and boundaries by `import_boundaries`; the
admin neither adds nor deletes areas, and saves go through `services.region_update`.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kotapintar.core.errors import DomainError

from . import services
from .models import Region


class HasBoundaryFilter(admin.SimpleListFilter):
    title = _("boundary")
    parameter_name = "boundary"

    def lookups(self, request, model_admin):
        return [
            ("official", _("Official boundary")),
            ("approximate", _("Approximate boundary (demo)")),
            ("none", _("No boundary")),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "official":
            return queryset.filter(boundary__isnull=False, boundary_approximate=False)
        if value == "approximate":
            return queryset.filter(boundary__isnull=False, boundary_approximate=True)
        if value == "none":
            return queryset.filter(boundary__isnull=True)
        return queryset


class RegionForm(forms.ModelForm):
    class Meta:
        model = Region
        fields = ["name", "parent", "boundary_source", "boundary_approximate"]

    def clean(self):
        data = super().clean()
        try:
            services.check_parent(self.instance, data.get("parent"))
        except DomainError as exc:
            self.add_error("parent", exc.message)
        return data


def _count_vertices(coordinates) -> int:
    if coordinates and isinstance(coordinates[0], (int, float)):
        return 1
    return sum(_count_vertices(c) for c in coordinates or [])


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    form = RegionForm
    list_display = ["code", "name", "level", "parent", "boundary_status"]
    list_filter = ["level", HasBoundaryFilter]
    search_fields = ["^code", "name"]
    search_help_text = _("Search by the start of the code (e.g. 33.74.01) or by part of the name.")
    raw_id_fields = ["parent"]
    list_select_related = ["parent"]
    list_per_page = 50
    show_full_result_count = False  # 91,000 rows: skip the second COUNT(*)
    readonly_fields = ["code", "level", "boundary_summary", "boundary_updated_at"]
    fieldsets = [
        (None, {"fields": ["code", "level", "name", "parent"]}),
        (
            _("Boundary"),
            {"fields": ["boundary_summary", "boundary_source", "boundary_approximate", "boundary_updated_at"]},
        ),
    ]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.resolver_match and request.resolver_match.url_name.endswith("changelist"):
            # The list shows whether there is a boundary, never the (large) boundary itself.
            queryset = queryset.defer("boundary")
        return queryset

    def has_add_permission(self, request):
        return False  # areas come from the official code list (manage.py import_regions)

    def has_delete_permission(self, request, obj=None):
        return False  # other records point at areas; codes retired by Kemendagri stay for history

    def save_model(self, request, obj, form, change):
        original = Region.objects.get(pk=obj.pk)
        services.region_update(
            region=original,
            actor=request.user,
            name=form.cleaned_data["name"],
            parent=form.cleaned_data.get("parent"),
            boundary_approximate=form.cleaned_data["boundary_approximate"],
            boundary_source=form.cleaned_data["boundary_source"],
        )

    @admin.display(description=_("boundary"))
    def boundary_status(self, obj: Region) -> str:
        if obj.center_lat is None:
            return "—"
        if obj.boundary_approximate:
            return gettext("approximate (demo)")
        return gettext("official")

    @admin.display(description=_("boundary summary"))
    def boundary_summary(self, obj: Region) -> str:
        if not obj.boundary:
            return gettext("No boundary loaded. Import one with manage.py import_boundaries.")
        geometry = obj.boundary
        parts = len(geometry["coordinates"]) if geometry.get("type") == "MultiPolygon" else 1
        return format_html(
            "{} · {} · {}<br>{}: {}, {} — {}, {}<br>{}: {}, {}<br>{}",
            geometry.get("type", "?"),
            gettext("%(n)d part(s)") % {"n": parts},
            gettext("%(n)d vertices") % {"n": _count_vertices(geometry.get("coordinates"))},
            gettext("Bounding box (lat, lng)"),
            *(f"{v:.5f}" for v in (obj.min_lat, obj.min_lng, obj.max_lat, obj.max_lng)),
            gettext("Centre (a point inside the area)"),
            *(f"{v:.5f}" for v in (obj.center_lat, obj.center_lng)),
            gettext("Approximate (demo), not official") if obj.boundary_approximate else gettext("Official boundary"),
        )
