"""One error body for the whole API: {"error": {"code", "message", "fields"}}.

- code: a stable machine-readable word (not_authenticated, permission_denied, not_found,
  method_not_allowed, invalid, parse_error, throttled, request_too_large, or a domain
  error's own code such as invalid_transition);
- message: one sentence for a person, in the request's language;
- fields: {field: [messages]} for validation errors, else {}.

Requests without credentials answer 401 with `WWW-Authenticate: Bearer` (DRF would answer
403 because session authentication comes first); 429 keeps its Retry-After header.
Unmatched /api/ URLs and server errors get the same body from core.views (handler404/500),
and oversized bodies from core.middleware.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.encoding import force_str
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from kotapintar.core.errors import DomainError

WWW_AUTHENTICATE = 'Bearer realm="api"'


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"

    def __init__(self, detail=None, code=None):
        super().__init__(detail or _("The request is too large."), code)


def _flatten(detail) -> str:
    if isinstance(detail, list):
        return " ".join(_flatten(d) for d in detail)
    if isinstance(detail, dict):
        return " ".join(_flatten(v) for v in detail.values())
    return force_str(detail)


def error_body(code: str, message, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": force_str(message), "fields": fields or {}}}


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return Response(error_body(exc.code, exc.message), status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a real bug: Django's 500 handler answers (core.views.server_error)
    headers = {k: v for k, v in response.items() if k in ("Retry-After", "Allow")}
    status_code = response.status_code
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        status_code = status.HTTP_401_UNAUTHORIZED
        headers["WWW-Authenticate"] = WWW_AUTHENTICATE

    fields: dict = {}
    if isinstance(exc, exceptions.ValidationError) and isinstance(exc.detail, dict):
        general = exc.detail.get("non_field_errors") or exc.detail.get("__all__")
        fields = {
            k: [force_str(m) for m in (v if isinstance(v, list) else [v])]
            for k, v in exc.detail.items()
            if k not in ("non_field_errors", "__all__")
        }
        message = _flatten(general) if general else _("The data sent is not valid. Check the marked fields.")
        code = "invalid"
    else:
        message = _flatten(exc.detail) if hasattr(exc, "detail") else force_str(exc)
        codes = exc.get_codes() if hasattr(exc, "get_codes") else "error"
        code = codes if isinstance(codes, str) else "invalid"
    return Response(error_body(code, message, fields), status=status_code, headers=headers)
