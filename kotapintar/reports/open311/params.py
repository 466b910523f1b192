"""Reading what a client sent: the query of the GET calls and the body of POST requests.

An empty parameter acts exactly like an absent one (the specification's "optional
arguments"). Anything that cannot be read answers 400 naming the parameter.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import BadRequest, RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent
from django.http import HttpRequest, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _

from kotapintar.core.calendar import WIB

from ..tracking import normalise_tracking_number
from .errors import Open311Error, bad_request
from .formats import parse_datetime
from .selectors import MAX_RESULTS, RequestQuery, raise_if_too_many
from .services import Submission

WINDOW = dt.timedelta(days=90)
WINDOW_DAYS = 90
#: page_size when a client pages (page=…) without saying how big a page is (Chicago, Austin).
DEFAULT_PAGE_SIZE = 50
MAX_PAGE = 100_000
ATTRIBUTE_FIELD = re.compile(r"^attribute\[([^\[\]]{1,100})\](\[\])?$")
FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
STATUSES = ("open", "closed")


def value(params: Mapping[str, Any], name: str) -> str:
    """A parameter's value, "" when absent or empty."""
    raw = params.get(name)
    return str(raw).strip() if raw is not None else ""


def comma_list(params: QueryDict | MultiValueDict, name: str) -> list[str]:
    """A comma-separated parameter (also given several times) as a list without empty items."""
    items: list[str] = []
    for raw in params.getlist(name):
        items += [item.strip() for item in str(raw).split(",") if item.strip()]
    return items


def flag(params: Mapping[str, Any], name: str) -> bool:
    return value(params, name).lower() in ("true", "1", "yes")


def positive_int(params: Mapping[str, Any], name: str, *, default: int, maximum: int) -> int:
    text = value(params, name)
    if not text:
        return default
    if not re.fullmatch(r"\+?\d{1,9}", text) or not 1 <= int(text) <= maximum:
        raise bad_request(
            _("%(parameter)s must be a whole number from 1 to %(max)s.") % {"parameter": name, "max": f"{maximum:,}"}
        )
    return int(text)


def default_start(now: dt.datetime | None = None) -> dt.datetime:
    """00:00 WIB ninety days ago: the start of the default window (it moves once a day)."""
    today = timezone.localtime(now or timezone.now(), WIB).date()
    return dt.datetime.combine(today - WINDOW, dt.time.min, tzinfo=WIB).astimezone(dt.UTC)


def window(params: Mapping[str, Any], first: str, last: str) -> tuple[dt.datetime | None, dt.datetime | None]:
    """(start, end) of a pair of date parameters: at most 90 days apart; one alone spans 90 days
    from (or up to) it; neither → (None, None)."""
    start = parse_datetime(value(params, first), first) if value(params, first) else None
    end = parse_datetime(value(params, last), last) if value(params, last) else None
    if start is not None and end is not None:
        if start > end:
            raise bad_request(_("%(first)s must come before %(last)s.") % {"first": first, "last": last})
        if end - start > WINDOW:
            raise bad_request(
                _("%(first)s and %(last)s may be at most %(days)d days apart.")
                % {"first": first, "last": last, "days": WINDOW_DAYS}
            )
    elif start is not None:
        end = start + WINDOW
    elif end is not None:
        start = end - WINDOW
    return start, end


def page_and_size(params: Mapping[str, Any]) -> tuple[int, int]:
    page = positive_int(params, "page", default=1, maximum=MAX_PAGE)
    default_size = DEFAULT_PAGE_SIZE if value(params, "page") else MAX_RESULTS
    size = positive_int(params, "page_size", default=default_size, maximum=MAX_RESULTS)
    return page, size


def request_query(params: QueryDict) -> RequestQuery:
    """The GET requests parameters, checked (see selectors.RequestQuery)."""
    page, page_size = page_and_size(params)
    extensions = flag(params, "extensions")
    raw_ids = comma_list(params, "service_request_id")
    if raw_ids:
        raise_if_too_many(raw_ids)
        ids = tuple(dict.fromkeys(n for n in map(normalise_tracking_number, raw_ids) if n))
        return RequestQuery(ids=ids, page=page, page_size=page_size, extensions=extensions)
    statuses = [s.lower() for s in comma_list(params, "status")]
    wrong = [s for s in statuses if s not in STATUSES]
    if wrong:
        raise bad_request(
            _("status may be open or closed (or both, separated by a comma), not “%(value)s”.")
            % {"value": wrong[0][:40]}
        )
    codes = comma_list(params, "service_code")
    start, end = window(params, "start_date", "end_date")
    updated_after, updated_before = window(params, "updated_after", "updated_before")
    if start is None and updated_after is None:
        start = default_start()  # the last 90 days (unless the client asks by update time)
    return RequestQuery(
        service_codes=tuple(codes[:200]),
        statuses=tuple(dict.fromkeys(statuses)),
        start=start,
        end=end,
        updated_after=updated_after,
        updated_before=updated_before,
        page=page,
        page_size=page_size,
        extensions=extensions,
    )


def updates_query(params: QueryDict) -> tuple[dt.datetime, dt.datetime | None, int, int]:
    """start, end, page, page_size of GET servicerequestupdates (default: the last 90 days)."""
    page, page_size = page_and_size(params)
    start, end = window(params, "start_date", "end_date")
    return (start or default_start()), end, page, page_size


# --- POST bodies -------------------------------------------------------------------------------


def _too_large() -> Open311Error:
    limit = max(settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024), 1)
    return Open311Error(
        413, _("The request is too large: the fields may take at most %(mb)d MB (photos apart).") % {"mb": limit}
    )


def _json_fields(request: HttpRequest) -> MultiValueDict:
    try:
        raw = request.body
    except RequestDataTooBig:
        raise _too_large() from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise bad_request(
            _("The JSON body cannot be read (%(error)s); send the fields as a form or as one JSON object.")
            % {"error": str(exc)[:120]}
        ) from None
    if not isinstance(data, dict):
        raise bad_request(_("The JSON body must be one object with the request's fields."))
    fields = MultiValueDict()
    for key, item in data.items():
        if key == "attribute" and isinstance(item, dict):
            for code, answer in item.items():
                name = f"attribute[{code}][]" if isinstance(answer, list) else f"attribute[{code}]"
                fields.setlist(name, _scalars(name, answer))
            continue
        fields.setlist(str(key), _scalars(str(key), item))
    return fields


def _scalars(name: str, item: Any) -> list[str]:
    items = item if isinstance(item, list) else [item]
    out = []
    for one in items:
        if one is None:
            continue
        if isinstance(one, bool):
            out.append("true" if one else "false")
        elif isinstance(one, str | int | float):
            out.append(str(one))
        else:
            raise bad_request(_("%(field)s must be text or a number.") % {"field": name[:100]})
    return out


def body_fields(request: HttpRequest) -> tuple[QueryDict | MultiValueDict, list[Any]]:
    """The fields and the media files of a POST, whatever way the client encoded them.

    application/x-www-form-urlencoded (the specification), multipart/form-data (to send photos
    as `media`) and one JSON object (some clients) are read; anything else answers 400.
    """
    content_type = (request.content_type or "").lower()
    if content_type in FORM_TYPES:
        try:
            fields = request.POST
            files = request.FILES.getlist("media") if content_type == "multipart/form-data" else []
        except RequestDataTooBig:
            raise _too_large() from None
        except TooManyFieldsSent:
            raise bad_request(_("The request has too many fields.")) from None
        except (MultiPartParserError, BadRequest, SuspiciousOperation, UnicodeDecodeError, ValueError):
            raise bad_request(_("The form data cannot be read: check its encoding and boundary.")) from None
        return fields, files
    if content_type == "application/json" or content_type.endswith("+json"):
        return _json_fields(request), []
    try:
        empty = not request.body
    except RequestDataTooBig:
        raise _too_large() from None
    if empty and content_type in ("", "text/plain", "application/octet-stream"):
        return QueryDict(""), []
    raise bad_request(
        _(
            "A request body of type “%(type)s” cannot be read: send the fields as "
            "application/x-www-form-urlencoded (multipart/form-data to add photos as “media”)."
        )
        % {"type": content_type[:80] or "?"}
    )


def attributes_of(fields: QueryDict | MultiValueDict) -> dict[str, Any]:
    """attribute[code]=v and attribute[code][]=v1&attribute[code][]=v2 as {code: v | [v1, v2]}."""
    found: dict[str, Any] = {}
    for key in fields:
        match = ATTRIBUTE_FIELD.match(key)
        if not match:
            continue
        code, many = match.group(1), bool(match.group(2))
        values = list(fields.getlist(key))
        if many or isinstance(found.get(code), list):
            previous = found.get(code)
            merged = (previous if isinstance(previous, list) else [previous] if previous else []) + values
            found[code] = merged
        else:
            found[code] = values[-1] if values else ""
    return found


def submission(fields: QueryDict | MultiValueDict, files: list[Any], idempotency_key: str | None) -> Submission:
    return Submission(
        lat=value(fields, "lat"),
        long=value(fields, "long"),
        address_string=value(fields, "address_string"),
        address_id=value(fields, "address_id"),
        description=str(fields.get("description") or ""),
        email=value(fields, "email"),
        first_name=value(fields, "first_name"),
        last_name=value(fields, "last_name"),
        phone=value(fields, "phone"),
        device_id=value(fields, "device_id"),
        account_id=value(fields, "account_id"),
        media_url=value(fields, "media_url"),
        attributes=attributes_of(fields),
        media=files,
        idempotency_key=idempotency_key,
    )
