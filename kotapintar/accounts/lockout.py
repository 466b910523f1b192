"""The answer to a locked-out sign-in (django-axes): when to try again, in WIB.

Named by settings.AXES_LOCKOUT_CALLABLE. API clients get the platform's JSON error body
with a Retry-After header; browsers get accounts/locked_out.html.
"""

from __future__ import annotations

import math

from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext, ngettext


def retry_at(request: HttpRequest, credentials: dict | None):
    """When the lockout of this username + address ends (None if it never does)."""
    cool_off = get_cool_off(request)
    if cool_off is None:
        return None
    username = get_client_username(request, credentials)
    ip = getattr(request, "axes_ip_address", None)
    last = (
        AccessAttempt.objects.filter(username=username, ip_address=ip)
        .order_by("-attempt_time")
        .values_list("attempt_time", flat=True)
        .first()
    )
    return (last or timezone.now()) + cool_off


def lockout_response(request: HttpRequest, original_response=None, credentials: dict | None = None) -> HttpResponse:
    until = retry_at(request, credentials)
    wait_seconds = max(1, math.ceil((until - timezone.now()).total_seconds())) if until else None
    wait_minutes = math.ceil(wait_seconds / 60) if wait_seconds else None
    status = getattr(settings, "AXES_HTTP_RESPONSE_CODE", 429)
    if request.path.startswith("/api/") or request.META.get("HTTP_X_REQUESTED_WITH") == "XMLHttpRequest":
        if wait_minutes:
            message = ngettext(
                "Too many failed sign-in attempts. Try again in %(minutes)d minute.",
                "Too many failed sign-in attempts. Try again in %(minutes)d minutes.",
                wait_minutes,
            ) % {"minutes": wait_minutes}
        else:
            message = gettext("Too many failed sign-in attempts. Contact the help desk to unlock your account.")
        response = JsonResponse({"error": {"code": "locked_out", "message": message, "fields": {}}}, status=status)
        if wait_seconds:
            response["Retry-After"] = str(wait_seconds)
        return response
    context = {
        "retry_at": timezone.localtime(until) if until else None,
        "wait_minutes": wait_minutes,
        "failure_limit": settings.AXES_FAILURE_LIMIT,
    }
    response = render(request, "accounts/locked_out.html", context, status=status)
    if wait_seconds:
        response["Retry-After"] = str(wait_seconds)
    return response
