"""Forms of the residents' pages of Lapor (filing a report, answering, rating, reopening).

The forms only parse what the browser sends; the rules (text length, point inside the
city, photos, the category's questions…) are checked by reports.services, whose
ReportInvalid errors are put back next to their fields with `apply_service_errors`. Fields
are therefore optional here, so that the person always reads the service's own message
("Jelaskan masalahnya…") and not a generic "this field is required".
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kotapintar.core.forms import Form

from . import attributes as attribute_rules
from . import selectors
from .errors import ReportInvalid
from .models import Category, CategoryAttribute, Privacy, Report, ReportKind
from .photos import MAX_PHOTOS
from .services import MAX_TEXT

ATTRIBUTE_PREFIX = "attr_"
#: The privacy a new report starts with: the model's (safe) default, never a copy of it.
DEFAULT_PRIVACY = Report._meta.get_field("privacy").default

PRIVACY_HELP = {
    Privacy.PUBLIC: _(
        "Everybody can read the report on the public map. Your name and contact stay hidden unless you "
        "tick “show my name”."
    ),
    Privacy.ANONYMOUS: _(
        "Everybody can read the report, but nobody sees who sent it: not the public and not the agency. "
        "Only the complaint desk can see it, when needed."
    ),
    Privacy.CONFIDENTIAL: _(
        "The report is not published at all: only you, the complaint desk and the responsible agency read it."
    ),
}

KIND_HELP = {
    ReportKind.COMPLAINT: _("Something is broken or not done as it should be."),
    ReportKind.ASPIRATION: _("An idea or a wish for the city."),
    ReportKind.INFORMATION: _("You want to know something from the city government."),
}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to five photos; their content is checked by reports.photos (via the service)."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [item for item in items if item]


class ChoiceListRadio(forms.RadioSelect):
    """Radio buttons that carry a plain explanation of each choice (the template shows it
    under the label, tied to the input with aria-describedby)."""

    def __init__(self, *args, explanations: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.explanations = explanations or {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex=subindex, attrs=attrs)
        option["explanation"] = self.explanations.get(value, "")
        if option["explanation"]:
            option["attrs"]["aria-describedby"] = f"{option['attrs'].get('id', name)}_explain"
        return option


class CategorySelect(forms.Select):
    """The category list; each option says the category's usual kind (the script preselects it)."""

    kinds: dict[str, str] = {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex=subindex, attrs=attrs)
        kind = self.kinds.get(str(value))
        if kind:
            option["attrs"]["data-kind"] = kind
        return option


def _category_choices() -> list[tuple[str, str]]:
    return [("", _("— choose a category —"))] + [(c.code, c.display_name) for c in selectors.categories_active()]


class ReportForm(Form):
    """File a report: what, where, photos, kind, privacy and (without an account) a contact."""

    text = forms.CharField(
        label=_("What is the problem?"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 5, "aria-required": "true", "data-max": MAX_TEXT}),
        help_text=_("Describe what, where exactly and since when. At most 4,000 characters."),
    )
    category = forms.ChoiceField(label=_("Category"), required=False, widget=CategorySelect)
    lat = forms.CharField(
        label=_("Latitude"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "placeholder": "-6.98"}),
    )
    lng = forms.CharField(
        label=_("Longitude"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "placeholder": "110.41"}),
    )
    district = forms.ChoiceField(label=_("Kecamatan"), required=False)
    village = forms.ChoiceField(label=_("Kelurahan"), required=False)
    address = forms.CharField(
        label=_("Address or landmark"),
        required=False,
        widget=forms.TextInput(attrs={"maxlength": 300, "autocomplete": "street-address"}),
        help_text=_("E.g. “Jl. Pemuda 12, in front of the school”. Helps the officers find the spot."),
    )
    photos = PhotosField(
        label=_("Photos (optional)"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp", "data-max-files": MAX_PHOTOS}),
        help_text=_("Up to 5 photos (JPEG, PNG or WebP), at most 10 MB each. Location data in the files is removed."),
    )
    kind = forms.ChoiceField(
        label=_("Kind of report"),
        choices=ReportKind.choices,
        initial=ReportKind.COMPLAINT,
        required=False,
        widget=ChoiceListRadio(explanations=KIND_HELP, attrs={"class": "form-check-input"}),
    )
    privacy = forms.ChoiceField(
        label=_("Who may see the report?"),
        choices=Privacy.choices,
        initial=DEFAULT_PRIVACY,
        required=False,
        widget=ChoiceListRadio(explanations=PRIVACY_HELP, attrs={"class": "form-check-input"}),
    )
    show_name = forms.BooleanField(
        label=_("Show my name on the public page (only for public reports)"),
        required=False,
    )
    reporter_name = forms.CharField(
        label=_("Your name"),
        required=False,
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    reporter_email = forms.CharField(
        label=_("E-mail"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
    )
    reporter_phone = forms.CharField(
        label=_("Mobile number (WhatsApp/SMS)"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel", "type": "tel"}),
    )
    device_id = forms.CharField(required=False, widget=forms.HiddenInput)
    submission_key = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user: Any = None, areas: list | None = None, category_code: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.location_errors: list[str] = []
        self.fields["category"].choices = _category_choices()
        self.fields["category"].widget.kinds = {c.code: c.kind for c in selectors.categories_active()}
        areas = areas or []
        self.fields["district"].choices = [("", _("— choose a kecamatan —"))] + [(d.code, d.name) for d in areas]
        self.fields["village"].choices = [("", _("— choose a kelurahan —"))] + [
            (d.name, [(v.code, v.name) for v in d.villages]) for d in areas
        ]
        if not self.is_bound and not self.initial.get("submission_key"):
            self.initial["submission_key"] = uuid.uuid4().hex
        if getattr(user, "is_authenticated", False):
            for name in ("reporter_name", "reporter_email", "reporter_phone"):
                del self.fields[name]
        code = self.data.get("category") if self.is_bound else (category_code or self.initial.get("category", ""))
        self.chosen_category: Category | None = selectors.category_by_code(code) if code else None
        self.attribute_specs: list[CategoryAttribute] = []
        if self.chosen_category is not None:
            self._add_attribute_fields(self.chosen_category)

    # -- the category's questions ------------------------------------------------------------

    def _add_attribute_fields(self, category: Category) -> None:
        Datatype = CategoryAttribute.Datatype
        for attribute in attribute_rules.active_attributes(category):
            self.attribute_specs.append(attribute)
            if not attribute.variable:
                continue
            name = ATTRIBUTE_PREFIX + attribute.code
            common = {
                "label": attribute.description,
                "required": False,
                "help_text": attribute.datatype_description,
            }
            choices = [(str(v.get("key")), str(v.get("name") or v.get("key"))) for v in attribute.values or []]
            if attribute.datatype == Datatype.SINGLEVALUELIST:
                field: forms.Field = forms.ChoiceField(
                    choices=choices, widget=forms.RadioSelect(attrs={"class": "form-check-input"}), **common
                )
            elif attribute.datatype == Datatype.MULTIVALUELIST:
                field = forms.MultipleChoiceField(
                    choices=choices,
                    widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
                    **common,
                )
            elif attribute.datatype == Datatype.TEXT:
                field = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), **common)
            elif attribute.datatype == Datatype.NUMBER:
                field = forms.CharField(widget=forms.TextInput(attrs={"inputmode": "decimal"}), **common)
            elif attribute.datatype == Datatype.DATETIME:
                field = forms.CharField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}), **common)
            else:
                field = forms.CharField(widget=forms.TextInput(attrs={"maxlength": 300}), **common)
            if attribute.required:
                field.widget.attrs["aria-required"] = "true"
                field.show_required = True  # type: ignore[attr-defined]
            field.attribute = attribute  # type: ignore[attr-defined]
            self.fields[name] = field
            # BootstrapFormMixin ran before these fields existed.
            if not isinstance(field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                field.widget.attrs["class"] = "form-control"

    def attribute_fields(self) -> list:
        """Bound fields of the category's questions, plus informational entries, in order."""
        items = []
        for attribute in self.attribute_specs:
            if attribute.variable:
                items.append({"field": self[ATTRIBUTE_PREFIX + attribute.code], "attribute": attribute})
            else:
                items.append({"field": None, "attribute": attribute})
        return items

    def attribute_answers(self) -> dict[str, Any]:
        answers = {}
        for attribute in self.attribute_specs:
            if attribute.variable:
                value = self.cleaned_data.get(ATTRIBUTE_PREFIX + attribute.code)
                answers[attribute.code] = value
        return answers

    # -- errors from the service ---------------------------------------------------------------

    def apply_service_errors(self, error: ReportInvalid) -> None:
        """Show each of the service's messages next to its field (nothing was stored)."""
        for key, messages in error.fields.items():
            if key == "location":
                self.set_location_errors(messages)
                continue
            name = key
            if key.startswith("attributes."):
                name = ATTRIBUTE_PREFIX + key.split(".", 1)[1]
            if name in self.fields:
                for message in messages:
                    self.add_error(name, message)
            else:
                for message in messages:
                    self.add_error(None, message)
        self.mark_invalid()

    def set_location_errors(self, messages: list[str]) -> None:
        self.location_errors.extend(str(m) for m in messages)
        for name in ("lat", "lng", "district", "village"):
            attrs = self.fields[name].widget.attrs
            attrs["aria-invalid"] = "true"
            attrs["aria-describedby"] = "location-error"
        self.mark_invalid()

    def mark_invalid(self) -> None:
        names = set(self.errors) | ({"lat", "lng", "district", "village"} if self.location_errors else set())
        for name in names:
            if name in self.fields:
                widget = self.fields[name].widget
                if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                    continue
                if "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()

    @property
    def has_errors(self) -> bool:
        return bool(self.errors or self.location_errors)

    def error_summary(self) -> list[tuple[str, str]]:
        """(anchor id, message) of every error, for the summary at the top of the form."""
        items = []
        for message in self.non_field_errors():
            items.append(("report-form", message))
        for name in self.fields:
            if name in self.errors:
                anchor = self[name].id_for_label or f"id_{name}"
                if isinstance(self.fields[name].widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                    anchor = f"id_{name}_0"
                for message in self.errors[name]:
                    items.append((anchor, message))
            if name == "lat":
                items.extend(("location", message) for message in self.location_errors)
        return items


class ReplyForm(Form):
    text = forms.CharField(
        label=_("Your answer"), required=False, widget=forms.Textarea(attrs={"rows": 4, "aria-required": "true"})
    )


class RateForm(Form):
    rating = forms.TypedChoiceField(
        label=_("Your rating"),
        choices=[(str(i), str(i)) for i in range(1, 6)],
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 1000}),
    )


class ReopenForm(Form):
    reason = forms.CharField(
        label=_("What is still wrong?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "aria-required": "true"}),
    )


class TrackForm(Form):
    number = forms.CharField(
        label=_("Tracking number"),
        max_length=30,
        required=False,
        widget=forms.TextInput(
            attrs={"autocapitalize": "characters", "autocomplete": "off", "placeholder": "LPR-26-7K3QX9"}
        ),
    )
    token = forms.CharField(
        label=_("Secret code from your tracking link (optional)"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=_("The part after “token=” in the link you received. Without it only public reports can be found."),
    )


def service_field_errors(form: forms.Form, error: ReportInvalid, mapping: dict[str, str] | None = None) -> None:
    """Put a service's ReportInvalid messages on a small form's fields (or above it)."""
    mapping = mapping or {}
    for key, messages in error.fields.items():
        name = mapping.get(key, key)
        for message in messages:
            form.add_error(name if name in form.fields else None, message)
    for name in form.errors:
        if name in form.fields:
            widget = form.fields[name].widget
            if not isinstance(widget, forms.RadioSelect) and "is-invalid" not in widget.attrs.get("class", ""):
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
