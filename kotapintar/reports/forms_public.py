"""Filters of the public transparency pages and their data endpoints (map, list, exports)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from . import selectors, stats
from .transparency import PUBLIC_STATUSES, PublicFilters


def _district_choices() -> list[tuple[str, str]]:
    from kotapintar.regions import selectors as regions

    return [(r.code, r.name) for r in regions.city_districts().only("code", "name")]


def _status_choices() -> list[tuple[str, str]]:
    from .models import Status

    return [
        ("", _("All statuses")),
        ("open", _("Not yet resolved")),
        ("done", _("Resolved or closed")),
        *[(s.value, s.label) for s in Status if s in PUBLIC_STATUSES],
    ]


class PublicFilterForm(forms.Form):
    """Category, status, kecamatan and filing dates. Every field is optional."""

    category = forms.ChoiceField(label=_("Category"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    district = forms.ChoiceField(label=_("Kecamatan"), required=False)
    date_from = forms.DateField(
        label=_("Filed from"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        label=_("Filed until"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("All categories"))] + [
            (c.code, c.display_name) for c in selectors.categories_active()
        ]
        self.fields["status"].choices = _status_choices()
        self.fields["district"].choices = [("", _("All kecamatan")), *_district_choices()]
        self.fields["category"].error_messages["invalid_choice"] = _("Choose a category from the list.")
        self.fields["status"].error_messages["invalid_choice"] = _("Choose a status from the list.")
        self.fields["district"].error_messages["invalid_choice"] = _("Choose a kecamatan from the list.")
        for name in ("date_from", "date_to"):
            self.fields[name].error_messages["invalid"] = _("Enter a date as YYYY-MM-DD, e.g. 2025-08-17.")
        for field in self.fields.values():
            css = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date must be on or after the start date."))
        return data

    def filters(self) -> PublicFilters:
        """The validated filters (call after is_valid(); invalid fields are left out)."""
        data = getattr(self, "cleaned_data", {}) or {}
        return PublicFilters(
            category=data.get("category") or "",
            status=data.get("status") or "",
            district=data.get("district") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )


class StatsPeriodForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = stats.available_periods()
        self.fields["period"].error_messages["invalid_choice"] = _("Choose a period from the list.")
        self.fields["period"].widget.attrs["class"] = "form-select"

    def chosen_period(self) -> str:
        data = getattr(self, "cleaned_data", {}) or {}
        return data.get("period") or stats.DEFAULT_PERIOD
