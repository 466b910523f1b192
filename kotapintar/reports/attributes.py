"""Answers to a category's extra questions (Open311 service-definition attributes).

One validator for every entry point — the web form, the JSON API and Open311:

    clean = validate_attributes(category, {"depth_cm": "20", "lanes": ["left", "right"]})

- keys are attribute codes; values are text (or numbers), a list for multivaluelist (a
  comma-separated string is accepted too);
- an empty value ("", None, []) counts as not answered;
- answers to unknown or inactive questions are refused (a client sending them has the wrong
  service definition), as are answers to informational entries (variable = false);
- the result is JSON-ready: strings trimmed, numbers as int/float, datetimes as ISO 8601
  with offset (a value without a timezone is taken as WIB), list keys in the order of the
  definition.

Errors raise ReportInvalid with one message per question under "attributes.<code>".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from kotapintar.core.calendar import WIB

from .errors import ReportInvalid
from .models import Category, CategoryAttribute

MAX_STRING = 300
MAX_TEXT = 4000
Datatype = CategoryAttribute.Datatype


def _is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple):
        return all(_is_empty(v) for v in value)
    return False


def _as_text(value: Any) -> str:
    if isinstance(value, list | tuple):
        if len(value) != 1:
            raise ValueError("one value expected")
        value = value[0]
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise ValueError("text expected")
    return str(value).strip()


def _clean_one(attribute: CategoryAttribute, value: Any) -> Any:
    question = attribute.description
    datatype = attribute.datatype
    if datatype in (Datatype.STRING, Datatype.TEXT):
        limit = MAX_STRING if datatype == Datatype.STRING else MAX_TEXT
        try:
            text = _as_text(value)
        except ValueError:
            raise ValueError(_("Answer “%(question)s” with text.") % {"question": question}) from None
        if len(text) > limit:
            raise ValueError(
                _("The answer to “%(question)s” is too long: at most %(limit)d characters.")
                % {"question": question, "limit": limit}
            )
        return text
    if datatype == Datatype.NUMBER:
        try:
            raw = str(value) if isinstance(value, int | float) else _as_text(value).replace(",", ".")
            number = Decimal(raw)
        except (ValueError, InvalidOperation):
            raise ValueError(
                _("Answer “%(question)s” with a number, e.g. 12 or 3.5.") % {"question": question}
            ) from None
        if not number.is_finite() or abs(number) > Decimal("1e12"):
            raise ValueError(_("Answer “%(question)s” with a number, e.g. 12 or 3.5.") % {"question": question})
        return int(number) if number == number.to_integral_value() else float(number)
    if datatype == Datatype.DATETIME:
        try:
            text = _as_text(value)
        except ValueError:
            text = ""
        moment = parse_datetime(text) if text else None
        if moment is None and text:
            day = parse_date(text)
            if day is not None:
                moment = dt.datetime.combine(day, dt.time.min)
        if moment is None:
            raise ValueError(
                _("Answer “%(question)s” with a date and time, e.g. 2026-03-14 08:30.") % {"question": question}
            )
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=WIB)
        return moment.astimezone(WIB).isoformat()
    keys = attribute.choice_keys
    names = ", ".join(str(v.get("name") or v.get("key")) for v in attribute.values or [] if isinstance(v, dict))
    if datatype == Datatype.SINGLEVALUELIST:
        try:
            key = _as_text(value)
        except ValueError:
            key = None
        if key not in keys:
            raise ValueError(
                _("Choose one of the answers offered for “%(question)s”: %(choices)s.")
                % {"question": question, "choices": names}
            )
        return key
    # multivaluelist
    items: Iterable[Any]
    if isinstance(value, str):
        items = value.split(",")
    elif isinstance(value, list | tuple):
        items = value
    else:
        items = [value]
    chosen: set[str] = set()
    for item in items:
        if _is_empty(item):
            continue
        try:
            key = _as_text(item)
        except ValueError:
            key = None
        if key not in keys:
            raise ValueError(
                _("Choose only answers offered for “%(question)s”: %(choices)s.")
                % {"question": question, "choices": names}
            )
        chosen.add(key)
    return [k for k in keys if k in chosen]


def active_attributes(category: Category) -> list[CategoryAttribute]:
    """The category's active questions, in order (uses a prefetch when there is one)."""
    cache = getattr(category, "_prefetched_objects_cache", {}).get("attributes")
    rows = list(cache) if cache is not None else list(category.attributes.all())
    return sorted((a for a in rows if a.is_active), key=lambda a: (a.order, a.code))


def validate_attributes(category: Category, raw: Mapping[str, Any] | None) -> dict[str, Any]:
    """The cleaned answers to `category`'s questions, or ReportInvalid listing every problem."""
    raw = dict(raw or {})
    attributes = active_attributes(category)
    by_code = {a.code: a for a in attributes}
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    for code in raw:
        attribute = by_code.get(str(code))
        if attribute is None or not attribute.variable:
            if _is_empty(raw[code]):
                continue
            errors[f"attributes.{code}"] = [
                _("The category “%(category)s” has no question “%(code)s”.") % {"category": category.name, "code": code}
            ]
    for attribute in attributes:
        if not attribute.variable:
            continue
        value = raw.get(attribute.code)
        if _is_empty(value):
            if attribute.required:
                errors[f"attributes.{attribute.code}"] = [
                    _("Please answer “%(question)s”.") % {"question": attribute.description}
                ]
            continue
        try:
            cleaned = _clean_one(attribute, value)
        except ValueError as exc:
            errors[f"attributes.{attribute.code}"] = [str(exc)]
            continue
        if attribute.datatype == Datatype.MULTIVALUELIST and not cleaned:
            if attribute.required:
                errors[f"attributes.{attribute.code}"] = [
                    _("Please answer “%(question)s”.") % {"question": attribute.description}
                ]
            continue
        clean[attribute.code] = cleaned
    if errors:
        raise ReportInvalid(errors)
    return clean
