"""Filters of the audit log, shared by the staff page and the API."""

from __future__ import annotations

import django_filters
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from . import access
from .forms import Form
from .models import AuditLog


class AuditLogFilter(django_filters.FilterSet):
    """?q= &action= &agency= &date_from= &date_to= &object_type= &object_id= &request_id= (dates in WIB)."""

    q = django_filters.CharFilter(method="search", label=_("Search"), help_text=_("Actor, object or request ID."))
    action = django_filters.CharFilter(
        field_name="action",
        lookup_expr="startswith",
        label=_("Action"),
        help_text=_("For example “membership.” for every change of memberships."),
    )
    agency = django_filters.NumberFilter(field_name="agency_id", label=_("Agency"))
    date_from = django_filters.DateFilter(
        field_name="created_at",
        lookup_expr="date__gte",
        label=_("From date"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = django_filters.DateFilter(
        field_name="created_at",
        lookup_expr="date__lte",
        label=_("To date"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    object_type = django_filters.CharFilter(
        method="filter_object_type", label=_("Object type"), help_text=_("app_label.model, e.g. agencies.agency")
    )
    object_id = django_filters.CharFilter(field_name="object_id", label=_("Object ID"))
    request_id = django_filters.CharFilter(field_name="request_id", label=_("Request ID"))

    class Meta:
        model = AuditLog
        fields: list[str] = []
        form = Form

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(actor_label__icontains=value)
            | Q(object_label__icontains=value)
            | Q(action__icontains=value)
            | Q(object_id=value)
            | Q(request_id=value)
        )

    def filter_object_type(self, queryset, name, value):
        app_label, _sep, model = value.strip().lower().partition(".")
        try:
            content_type = ContentType.objects.get_by_natural_key(app_label, model)
        except ContentType.DoesNotExist:
            return queryset.none()
        return queryset.filter(content_type=content_type)


def agency_choices(user) -> list[tuple[int, str]]:
    """The agencies whose audit rows the user may read, for the filter's list."""
    from kotapintar.agencies.models import Agency

    agencies = Agency.objects.order_by("name")
    if access.role_of(user) != access.ADMIN:
        agencies = agencies.filter(pk__in=access.agency_ids(user))
    return [(a.pk, a.name) for a in agencies]


class AuditLogPageFilter(AuditLogFilter):
    """The staff page's variant: the agency is picked from the user's own list."""

    agency = django_filters.ChoiceFilter(field_name="agency_id", label=_("Agency"), empty_label=_("All agencies"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["agency"].extra["choices"] = agency_choices(user)
        self.filters["object_type"].extra["widget"] = forms.HiddenInput
        self.filters["object_id"].extra["widget"] = forms.HiddenInput
