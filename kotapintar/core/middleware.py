"""Request-level middleware of the kernel."""

from __future__ import annotations

import re
import tempfile

from django.conf import settings
from django.core.handlers.wsgi import LimitedStream
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.translation import gettext as _

from . import context
from .api.errors import error_body

_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, trusting X-Forwarded-For only for the configured proxy count."""
    proxies = getattr(settings, "REST_FRAMEWORK", {}).get("NUM_PROXIES") or 0
    if proxies:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR")


class RequestSizeLimitMiddleware:
    """Refuse bodies larger than MAX_REQUEST_BYTES before any view or parser reads them.

    A declared Content-Length over the limit is refused without reading a byte. A chunked
    body (no Content-Length; gunicorn passes those through) is read here, at most up to
    the limit, into a spooled temporary file: over the limit it is refused with 413 as
    soon as the limit is passed, otherwise the view gets it as a normal body with its
    Content-Length (Django on its own would silently see an empty body).
    """

    read_chunk = 64 * 1024

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.MAX_REQUEST_BYTES
        declared = request.META.get("CONTENT_LENGTH") or ""
        try:
            length = int(declared or 0)
        except ValueError:
            length = 0
        if length > limit:
            return self._too_large(request, limit)
        chunked = not declared and "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
        if chunked and not self._buffer_chunked(request, limit):
            return self._too_large(request, limit)
        return self.get_response(request)

    def _buffer_chunked(self, request: HttpRequest, limit: int) -> bool:
        environ = getattr(request, "environ", None)
        stream = environ.get("wsgi.input") if environ else None
        if stream is None:
            return True
        spool = tempfile.SpooledTemporaryFile(max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE)  # noqa: SIM115
        size = 0
        while True:
            chunk = stream.read(self.read_chunk)
            if not chunk:
                break
            size += len(chunk)
            if size > limit:
                spool.close()
                return False
            spool.write(chunk)
        spool.seek(0)
        request._stream = LimitedStream(spool, size)  # type: ignore[attr-defined,arg-type,assignment]
        request.META["CONTENT_LENGTH"] = str(size)
        return True

    @staticmethod
    def _too_large(request: HttpRequest, limit: int) -> HttpResponse:
        message = _("The request is too large (at most %(mb)d MB).") % {"mb": max(limit // (1024 * 1024), 1)}
        if request.path.startswith("/api/") or "json" in request.META.get("HTTP_ACCEPT", ""):
            return JsonResponse(error_body("request_too_large", message), status=413)
        return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")


class NullCharacterMiddleware:
    """Refuse a NUL character (U+0000) in the address or the query string with 400.

    No text the platform stores or searches may contain it (PostgreSQL refuses it in text
    columns, so a filter with it would fail as a server error). Form fields and API bodies
    refuse it through their own validators; this covers query parameters that views read
    directly (filters, Open311 parameters)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
        ):
            api = request.path.startswith("/api/")
            language = translation.get_language_from_request(request) if api else settings.LANGUAGE_CODE
            with translation.override(language):
                message = _("The address contains a NUL character (%00), which no field may hold: remove it.")
            if api:
                return JsonResponse(error_body("invalid", message), status=400)
            return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class RequestContextMiddleware:
    """Give every request an id (honouring a well-formed X-Request-ID) and bind its context."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if _REQUEST_ID_RE.match(incoming) else context.new_request_id()
        request.request_id = request_id  # type: ignore[attr-defined]
        with context.bind(
            request_id=request_id, ip=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", "")
        ):
            response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


class LanguageMiddleware(LocaleMiddleware):
    """Bahasa Indonesia unless the person chose otherwise.

    Web pages ignore the browser's Accept-Language: many residents' phones are set to
    English although they read Indonesian best, and the platform is Indonesian first. The
    language switch (cookie) and a signed-in person's preference decide instead. API
    clients (paths under /api/ and /open311/) may still ask with Accept-Language.
    """

    API_PREFIXES = ("/api/", "/open311/")

    def process_request(self, request: HttpRequest) -> None:
        if request.path.startswith(self.API_PREFIXES):
            return super().process_request(request)
        supported = {code for code, _name in settings.LANGUAGES}
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in supported:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        return None
