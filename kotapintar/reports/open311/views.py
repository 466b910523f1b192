"""The Open311 GeoReport v2 endpoints (plain Django views: the specification fixes the URLs,
formats, content types and error bodies, so nothing of DRF's negotiation, authentication
or error handling applies).

    GET  discovery.{fmt}                     the service discovery document
    GET  services.{fmt}                      the active report categories
    GET  services/{service_code}.{fmt}       a category's questions (service definition)
    GET  requests.{fmt}                      public requests (filters, page/page_size, extensions)
    POST requests.{fmt}                      file a request (api_key required)
    GET  requests/{service_request_id}.{fmt} one request
    GET  tokens/{token}.{fmt}                the request id behind a token
    GET  servicerequestupdates.{fmt}         public updates in a time window

Views are exempt from CSRF (clients authenticate with api_key, never with a session) and
throttled per address (reads) and per client (filing).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import TooManyFieldsSent
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from kotapintar.core.errors import DomainError
from kotapintar.core.middleware import client_ip

from ..errors import ReportInvalid
from . import params, selectors, services
from .errors import Open311Error, bad_request, not_found
from .formats import XML, format_of_path, render, render_error

logger = logging.getLogger(__name__)

DEFAULT_RATES = {"read": "300/min", "write": "60/min"}
_PERIODS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}

#: The backbone's field names → the Open311 parameter a client sent.
PARAMETER_OF_FIELD = {
    "text": "description",
    "location": "lat/long",
    "address": "address_string",
    "reporter_email": "email",
    "reporter_phone": "phone",
    "photos": "media",
    "category": "service_code",
}


def _rate(scope: str) -> tuple[int, int]:
    rates = {**DEFAULT_RATES, **(getattr(settings, "OPEN311_THROTTLE_RATES", None) or {})}
    count, _slash, period = str(rates[scope]).partition("/")
    return int(count), _PERIODS.get(period.strip().lower(), 60)


def throttle(scope: str, ident: str) -> None:
    """A fixed window per scope and identity; over the rate → 429 with Retry-After."""
    limit, period = _rate(scope)
    now = time.time()
    window = int(now // period)
    key = f"open311:throttle:{scope}:{ident}:{window}"
    if cache.add(key, 1, period + 1):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, period + 1)
            count = 1
    if count > limit:
        retry = max(int((window + 1) * period - now), 1)
        raise Open311Error(
            429,
            _("Too many requests: wait %(seconds)d seconds and try again.") % {"seconds": retry},
            headers={"Retry-After": str(retry)},
        )


def base_url(request: HttpRequest) -> str:
    """Where absolute links point: SITE_URL, else the host the client called."""
    return settings.SITE_URL or request.build_absolute_uri("/").rstrip("/")


def endpoint_url(request: HttpRequest) -> str:
    return base_url(request) + reverse("open311:base").rstrip("/")


def _error_descriptions(exc: ReportInvalid) -> list[str]:
    out = []
    for field, messages in exc.fields.items():
        if field.startswith("attributes."):
            parameter = f"attribute[{field.split('.', 1)[1]}]"
        else:
            parameter = PARAMETER_OF_FIELD.get(field, field)
        out += [f"{parameter}: {message}" for message in messages]
    return out or [exc.message]


@method_decorator(csrf_exempt, name="dispatch")
class Open311View(View):
    """Common frame: method check, throttle, jurisdiction, errors in the specification's shape."""

    root = "service_requests"  # XML root element of a successful answer
    allowed = ("GET",)

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        fmt = kwargs.pop("fmt", None) or format_of_path(request.path_info)
        try:
            methods = {*self.allowed, "HEAD"} if "GET" in self.allowed else set(self.allowed)
            if request.method not in methods:
                raise Open311Error(
                    405,
                    _("%(method)s is not allowed here; allowed: %(allowed)s.")
                    % {"method": request.method, "allowed": ", ".join(self.allowed)},
                    headers={"Allow": ", ".join(sorted(methods))},
                )
            throttle("read", client_ip(request) or "-")
            try:
                query = request.GET
                query.get("jurisdiction_id")
            except TooManyFieldsSent:
                raise bad_request(_("The request has too many parameters.")) from None
            if request.method != "GET" and request.method != "HEAD":
                data = self.post(request, fmt, **kwargs)
            else:
                selectors.check_jurisdiction(params.value(query, "jurisdiction_id"))
                data = self.get(request, fmt, **kwargs)
            response = render(data, fmt, self.root)
        except Open311Error as exc:
            response = render_error(exc, fmt)
        except Http404:
            response = render_error(not_found(_("Not found.")), fmt)
        except Exception:
            logger.exception("Open311 %s %s failed", request.method, request.path)
            response = render_error(
                Open311Error(500, _("Something went wrong on our side; please try again later.")), fmt
            )
        if request.method in ("GET", "HEAD"):
            # Public, read-only data: web pages of other sites (maps, dashboards) may read it.
            response["Access-Control-Allow-Origin"] = "*"
        return response

    # Each resource writes the methods of its `allowed`; one that does not answers 405 like any
    # other method the resource does not offer.
    def get(self, request: HttpRequest, fmt: str, **kwargs: Any) -> Any:
        raise self._not_offered(request)

    def post(self, request: HttpRequest, fmt: str, **kwargs: Any) -> Any:
        raise self._not_offered(request)

    @staticmethod
    def _not_offered(request: HttpRequest) -> Open311Error:
        return Open311Error(405, _("This method is not allowed here."))


def _client_from_query(request: HttpRequest):
    """A GET may carry the client's api_key: then its own not-yet-public requests are visible.
    An unknown key on a GET is simply ignored (reading needs no key)."""
    key = params.value(request.GET, "api_key")
    return selectors.client_for_key(key) if key else None


class DiscoveryView(Open311View):
    root = "discovery"

    def get(self, request, fmt, **kwargs):
        return selectors.discovery(endpoint_url(request))


class BaseView(DiscoveryView):
    """/open311/v2/ itself answers the discovery document in XML, as the specification suggests."""

    def dispatch(self, request, *args, **kwargs):
        kwargs["fmt"] = XML
        return super().dispatch(request, *args, **kwargs)


class ServicesView(Open311View):
    root = "services"

    def get(self, request, fmt, **kwargs):
        return selectors.service_list()


class ServiceDefinitionView(Open311View):
    root = "service_definition"

    def get(self, request, fmt, service_code: str = "", **kwargs):
        return selectors.service_definition(service_code)


class RequestsView(Open311View):
    allowed = ("GET", "POST")

    def get(self, request, fmt, **kwargs):
        query = params.request_query(request.GET)
        rows = selectors.request_rows(query, client=_client_from_query(request))
        return selectors.request_dicts(rows, base_url=base_url(request), extensions=query.extensions)

    def post(self, request, fmt, **kwargs):
        fields, files = params.body_fields(request)
        jurisdiction = params.value(fields, "jurisdiction_id") or params.value(request.GET, "jurisdiction_id")
        selectors.check_jurisdiction(jurisdiction)
        key = params.value(fields, "api_key") or params.value(request.GET, "api_key")
        client = selectors.client_for_key(key)
        if client is None:
            raise Open311Error(
                403,
                _("api_key is missing: ask the city for a key and send it as api_key.")
                if not key
                else _("api_key is not valid (unknown or revoked): a request cannot be filed with it."),
            )
        throttle("write", f"client:{client.pk}")
        code = params.value(fields, "service_code")
        if not code:
            raise bad_request(_("service_code is required: choose one from services.%(fmt)s.") % {"fmt": fmt})
        category = selectors.active_category(code)
        submission = params.submission(fields, files, request.headers.get("Idempotency-Key"))
        try:
            result = services.request_create(client=client, category=category, submission=submission)
        except ReportInvalid as exc:
            raise Open311Error(400, _error_descriptions(exc)) from None
        except DomainError as exc:
            raise bad_request(exc.message) from None
        return [
            {
                "service_request_id": result.report.tracking_number,
                "service_notice": selectors.service_notice(category),
                "account_id": None,
            }
        ]


class RequestView(Open311View):
    def get(self, request, fmt, service_request_id: str = "", **kwargs):
        report = selectors.request_row(service_request_id, client=_client_from_query(request))
        extensions = params.flag(request.GET, "extensions")
        return selectors.request_dicts([report], base_url=base_url(request), extensions=extensions)


class TokenView(Open311View):
    """Requests are filed synchronously (type "realtime"), so a request's token is its id:
    tokens/{id} answers [{service_request_id, token}] for a visible request, 404 otherwise."""

    def get(self, request, fmt, token: str = "", **kwargs):
        try:
            report = selectors.request_row(token, client=_client_from_query(request))
        except Open311Error:
            raise not_found(_("token “%(token)s” was not found.") % {"token": (token or "")[:40]}) from None
        return [{"service_request_id": report.tracking_number, "token": token}]


class UpdatesView(Open311View):
    root = "service_request_updates"

    def get(self, request, fmt, **kwargs):
        start, end, page, page_size = params.updates_query(request.GET)
        events = selectors.update_rows(start=start, end=end, page=page, page_size=page_size)
        return selectors.update_dicts(events, base_url=base_url(request))


class NotFoundView(Open311View):
    """Any other address under the base: 404 in the specification's shape."""

    allowed = ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")

    def get(self, request, fmt, **kwargs):
        raise not_found(
            _("There is no Open311 resource at this address; start from %(url)s.")
            % {"url": endpoint_url(request) + "/discovery.xml"}
        )

    post = get
