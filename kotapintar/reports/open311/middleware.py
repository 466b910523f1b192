"""Errors answered before (or outside) the Open311 views, in the specification's shape.

The platform's size guard (core.middleware.RequestSizeLimitMiddleware) refuses an oversized
body with 413 before any view runs, and Django answers a few errors itself (404 for an
address outside the routes, 500). Under /open311/ this middleware — placed first in
settings.MIDDLEWARE so it wraps the size guard — turns every such answer into the Open311
error body, in XML unless the address ends in .json. Answers of the Open311 views pass as
they are.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _

from .errors import Open311Error
from .formats import format_of_path, render_error

PREFIX = "/open311/"
KEPT_HEADERS = ("X-Request-ID", "Retry-After", "Allow")


def _description(status: int) -> str:
    if status == 413:
        limit = max(settings.MAX_REQUEST_BYTES // (1024 * 1024), 1)
        return _("The request is too large (at most %(mb)d MB).") % {"mb": limit}
    if status == 404:
        return _("There is no Open311 resource at this address.")
    if status == 405:
        return _("This method is not allowed here.")
    if status == 403:
        return _("Access denied.")
    if status >= 500:
        return _("Something went wrong on our side; please try again later.")
    return _("The request cannot be processed.")


class Open311ErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code < 400
            or getattr(response, "open311", False)
            or not request.path_info.startswith(PREFIX)
        ):
            return response
        with translation.override(translation.get_language_from_request(request)):
            error = Open311Error(response.status_code, _description(response.status_code))
            shaped = render_error(error, format_of_path(request.path_info))
        for header in KEPT_HEADERS:
            if header in response:
                shaped[header] = response[header]
        return shaped
