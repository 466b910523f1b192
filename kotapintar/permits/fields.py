"""The configured form fields of a permit type: Django form fields, stored values, display.

Answers are stored in Application.data as JSON: text as strings, whole numbers as ints,
decimals (areas, lengths, money) as strings such as "24.50" (never floats), dates as ISO
strings, tick boxes as booleans. Numbers may be typed with a decimal comma ("4,5"), as
people in Indonesia write them.
"""

from __future__ import annotations

import datetime as dt
import string
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .formatting import format_date_id
from .models import FieldKind, PermitField, PermitType

DECIMAL_PLACES = 2
MAX_DIGITS = 14
TEXT_DEFAULT_MAX = 200
TEXTAREA_MAX = 2000
OBJECT_SUMMARY_MAX = 120  # signing.MAX_LENGTHS["object"]


def parse_decimal(value: Any) -> Decimal | None:
    """A Decimal from a stored or typed value ("4,5", "4.5", 4); None when empty or not a number."""
    if value is None or value == "" or isinstance(value, bool | float):
        return None
    text = str(value).strip().replace(" ", "")
    if "," in text:
        if "." in text:  # 1.250,50: dots group thousands
            text = text.replace(".", "")
        text = text.replace(",", ".")
    elif text.count(".") > 1:  # 7.200.000: dots group thousands
        text = text.replace(".", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


class CommaDecimalField(forms.DecimalField):
    """A DecimalField that accepts a decimal comma, shown as a text box with a decimal keyboard."""

    widget = forms.TextInput

    def to_python(self, value):
        if value in self.empty_values:
            return None
        number = parse_decimal(value)
        if number is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(str(number))

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.pop("step", None)
        attrs.setdefault("inputmode", "decimal")
        return attrs


def form_field(field: PermitField, *, draft: bool) -> forms.Field:
    """The Django form field asking `field` (nothing is required while drafting)."""
    required = field.required and not draft
    common: dict[str, Any] = {"label": field.label, "required": required, "help_text": field.help_text}
    kind = field.kind
    if kind == FieldKind.TEXT:
        return forms.CharField(max_length=field.max_length or TEXT_DEFAULT_MAX, **common)
    if kind == FieldKind.TEXTAREA:
        return forms.CharField(
            max_length=field.max_length or TEXTAREA_MAX, widget=forms.Textarea(attrs={"rows": 3}), **common
        )
    if kind == FieldKind.EMAIL:
        return forms.EmailField(**common)
    if kind == FieldKind.INTEGER:
        return forms.IntegerField(
            min_value=int(field.min_value) if field.min_value is not None else None,
            max_value=int(field.max_value) if field.max_value is not None else None,
            widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            **common,
        )
    if kind in (FieldKind.DECIMAL, FieldKind.AREA, FieldKind.LENGTH):
        unit = {str(FieldKind.AREA): "m²", str(FieldKind.LENGTH): "m"}.get(str(kind))
        if unit and not common["help_text"]:
            common["help_text"] = _("In %(unit)s; a decimal comma is fine (e.g. 4,5).") % {"unit": unit}
        minimum = field.min_value if field.min_value is not None else (Decimal(0) if unit else None)
        return CommaDecimalField(
            max_digits=MAX_DIGITS,
            decimal_places=DECIMAL_PLACES,
            min_value=minimum,
            max_value=field.max_value,
            **common,
        )
    if kind == FieldKind.DATE:
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **common)
    if kind == FieldKind.CHOICE:
        options = [(c, c) for c in field.choice_list]
        return forms.ChoiceField(choices=[("", _("— choose —")), *options], **common)
    if kind == FieldKind.BOOLEAN:
        return forms.BooleanField(**common)
    raise ValueError(f"unknown field kind {kind!r}")


def to_json(field: PermitField, value: Any) -> Any:
    """A cleaned form value as stored in Application.data (None: not answered)."""
    if value is None or value == "":
        return None
    if field.kind == FieldKind.BOOLEAN:
        return bool(value)
    if field.kind == FieldKind.INTEGER:
        return int(value)
    if field.kind in (FieldKind.DECIMAL, FieldKind.AREA, FieldKind.LENGTH):
        return str(Decimal(value))
    if field.kind == FieldKind.DATE:
        return value.isoformat()
    return str(value)


def to_form_value(field: PermitField, stored: Any) -> Any:
    """A stored value as a form would post it (to re-validate stored answers on submit)."""
    if stored is None:
        return ""
    if field.kind == FieldKind.BOOLEAN:
        return "on" if stored else ""
    return str(stored)


def typed_value(field: PermitField, stored: Any) -> Any:
    """A stored value as Python (Decimal, int, date, bool, str) or None."""
    if stored is None or stored == "":
        return None
    if field.kind in (FieldKind.DECIMAL, FieldKind.AREA, FieldKind.LENGTH):
        return parse_decimal(stored)
    if field.kind == FieldKind.INTEGER:
        try:
            return int(stored)
        except (TypeError, ValueError):
            return None
    if field.kind == FieldKind.DATE:
        try:
            return dt.date.fromisoformat(str(stored))
        except ValueError:
            return None
    if field.kind == FieldKind.BOOLEAN:
        return bool(stored)
    return str(stored)


def _decimal_text(number: Decimal) -> str:
    """4 → "4", 4.50 → "4,5", 1250 → "1.250" (Indonesian style)."""
    normalised = number.quantize(Decimal("0.01"))
    whole, _, fraction = f"{abs(normalised):f}".partition(".")
    groups = []
    while len(whole) > 3:
        groups.append(whole[-3:])
        whole = whole[:-3]
    groups.append(whole)
    text = ".".join(reversed(groups))
    fraction = fraction.rstrip("0")
    if fraction:
        text += "," + fraction
    return ("-" if normalised < 0 else "") + text


def display(field: PermitField, stored: Any) -> str:
    """How an answer reads on a page or on the permit (always the Indonesian forms of numbers and dates)."""
    value = typed_value(field, stored)
    if value is None:
        return ""
    if field.kind == FieldKind.BOOLEAN:
        return str(gettext_lazy("Yes") if value else gettext_lazy("No"))
    if field.kind == FieldKind.AREA:
        return f"{_decimal_text(value)} m²"
    if field.kind == FieldKind.LENGTH:
        return f"{_decimal_text(value)} m"
    if field.kind == FieldKind.DECIMAL:
        return _decimal_text(value)
    if field.kind == FieldKind.INTEGER:
        return _decimal_text(Decimal(value))
    if field.kind == FieldKind.DATE:
        return format_date_id(value)
    return str(value)


def bare_number(field: PermitField, stored: Any) -> str:
    """A number answer without its unit ("4,5"), for templates such as “{width_m} x {height_m} m”."""
    value = typed_value(field, stored)
    if isinstance(value, Decimal):
        return _decimal_text(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return _decimal_text(Decimal(value))
    return display(field, stored)


def template_keys(template: str) -> set[str]:
    try:
        return {name for _, name, _, _ in string.Formatter().parse(template) if name}
    except ValueError:
        return set()


def object_summary(permit_type: PermitType, data: dict, fields: list[PermitField] | None = None) -> str:
    """The permit's one-line object ("Billboard 4 x 6 m, Jl. Pemuda No. 12"), at most 120 characters."""
    fields = fields if fields is not None else list(permit_type.fields.all())
    values = {f.key: bare_number(f, data.get(f.key)) for f in fields}
    text = ""
    for literal, name, _spec, _conv in string.Formatter().parse(permit_type.object_summary_template):
        text += literal
        if name:
            text += values.get(name, "")
    text = " ".join(text.replace(" ,", ",").split()).strip(" ,")
    if not text:
        text = permit_type.name
    if len(text) > OBJECT_SUMMARY_MAX:
        text = text[: OBJECT_SUMMARY_MAX - 1].rstrip() + "…"
    return text


def printed_fields(permit_type: PermitType, data: dict, fields: list[PermitField] | None = None) -> list[list[str]]:
    """[[label, value]] of the answers the permit document prints."""
    fields = fields if fields is not None else list(permit_type.fields.all())
    rows = []
    for f in fields:
        if not f.print_on_permit:
            continue
        shown = display(f, data.get(f.key))
        if shown:
            rows.append([f.label, shown])
    return rows


def answers(
    permit_type: PermitType, data: dict, fields: list[PermitField] | None = None
) -> list[tuple[PermitField, str]]:
    """Every field with its displayed answer (empty string when unanswered), in form order."""
    fields = fields if fields is not None else list(permit_type.fields.all())
    return [(f, display(f, data.get(f.key))) for f in fields]
