"""The two formats of GeoReport v2 (XML is required, JSON optional) and its dates.

The JSON is the Spark-convention mapping of the XML: a list in JSON is a list element in
XML whose items are named by ITEM_NAMES (services → service, service_requests → request,
errors → error, …). Both are UTF-8 with the content types the specification shows:
`text/xml; charset=utf-8` (with the XML declaration) and `application/json; charset=utf-8`.

Dates go out in ISO 8601 with the WIB offset (2026-03-14T08:30:00+07:00), to the second.
Dates coming in must carry a timezone (Z or ±hh:mm): a date without one is refused, as the
specification requires.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any
from xml.sax.saxutils import escape

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from kotapintar.core.calendar import WIB

from .errors import Open311Error

JSON = "json"
XML = "xml"
FORMATS = (JSON, XML)
CONTENT_TYPES = {JSON: "application/json; charset=utf-8", XML: "text/xml; charset=utf-8"}
MIME_TYPES = {JSON: "application/json", XML: "text/xml"}

#: XML element of the items of each list, by the list's own element name.
ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "service_request_updates": "request_update",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "notes": "note",
}

# Characters XML 1.0 cannot carry at all (text is cleaned on the way in; old rows may not be).
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def format_of_path(path: str) -> str:
    """The format a URL asks for by its suffix; XML (the required format) when it names none."""
    return JSON if path.lower().rstrip("/").endswith(".json") else XML


# --- output ------------------------------------------------------------------------------------


def _xml_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return escape(_XML_INVALID.sub("", str(value)))


def _xml(parts: list[str], name: str, value: Any) -> None:
    if value is None or value == "" or (isinstance(value, list | dict) and not value):
        parts.append(f"<{name}/>")
        return
    if isinstance(value, dict):
        parts.append(f"<{name}>")
        for key, item in value.items():
            _xml(parts, key, item)
        parts.append(f"</{name}>")
        return
    if isinstance(value, list):
        item_name = ITEM_NAMES.get(name, "item")
        parts.append(f"<{name}>")
        for item in value:
            _xml(parts, item_name, item)
        parts.append(f"</{name}>")
        return
    parts.append(f"<{name}>{_xml_text(value)}</{name}>")


def to_xml(root: str, data: Any) -> str:
    parts = ['<?xml version="1.0" encoding="utf-8"?>\n']
    _xml(parts, root, data)
    parts.append("\n")
    return "".join(parts)


def to_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def render(data: Any, fmt: str, root: str, *, status: int = 200) -> HttpResponse:
    """`data` as an HTTP answer in `fmt`; `root` is the XML root element (ignored for JSON)."""
    body = to_json(data) if fmt == JSON else to_xml(root, data)
    response = HttpResponse(body.encode("utf-8"), status=status, content_type=CONTENT_TYPES[fmt])
    response.open311 = True  # type: ignore[attr-defined]  # the error middleware leaves it alone
    return response


def render_error(error: Open311Error, fmt: str) -> HttpResponse:
    response = render(error.body(), fmt, "errors", status=error.status)
    for header, value in error.headers.items():
        response[header] = value
    return response


def iso(moment: dt.datetime | None) -> str | None:
    """A stored time as the specification writes it, in WIB (2026-03-14T08:30:00+07:00)."""
    if moment is None:
        return None
    return timezone.localtime(moment, WIB).replace(microsecond=0).isoformat()


# --- input -------------------------------------------------------------------------------------

_W3C = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})[Tt](?P<time>\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?)"
    r"(?P<zone>[Zz]|[+-]\d{2}:?\d{2})$"
)
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}(:\d{2}([.,]\d+)?)?)?$")
# "…T00:00:00 07:00": a "+" that reached us unencoded in a query string became a space.
_PLUS_AS_SPACE = re.compile(r"^(.*\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?) (\d{2}:?\d{2})$")
YEARS = (1970, 2200)


def parse_datetime(value: str, parameter: str) -> dt.datetime:
    """A W3C/ISO 8601 date and time WITH its timezone, or Open311Error 400 naming `parameter`."""
    text = (value or "").strip()
    repaired = _PLUS_AS_SPACE.match(text)
    if repaired:
        text = f"{repaired.group(1)}+{repaired.group(2)}"
    match = _W3C.match(text)
    if not match:
        if _DATE_ONLY.match(text):
            raise Open311Error(
                400,
                _(
                    "%(parameter)s has no timezone: write the date and time with Z or an offset, "
                    "e.g. 2026-01-31T00:00:00+07:00 or 2026-01-30T17:00:00Z."
                )
                % {"parameter": parameter},
            )
        raise Open311Error(
            400,
            _("%(parameter)s is not a date and time in the W3C format, e.g. 2026-01-31T00:00:00+07:00.")
            % {"parameter": parameter},
        )
    zone = match.group("zone").upper()
    if zone == "Z":
        zone = "+00:00"
    elif ":" not in zone:
        zone = f"{zone[:3]}:{zone[3:]}"
    clock = match.group("time").replace(",", ".")
    if "." in clock:
        whole, fraction = clock.split(".")
        clock = f"{whole}.{fraction[:6].ljust(6, '0')}"
    try:
        moment = dt.datetime.fromisoformat(f"{match.group('date')}T{clock}{zone}")
    except ValueError:
        moment = None
    if moment is None or not YEARS[0] <= moment.year <= YEARS[1]:
        raise Open311Error(
            400,
            _("%(parameter)s is not a valid date and time (year %(first)d to %(last)d).")
            % {"parameter": parameter, "first": YEARS[0], "last": YEARS[1]},
        )
    return moment.astimezone(dt.UTC)
