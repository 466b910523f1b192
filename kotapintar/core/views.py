"""Kernel pages: home, health check, staff home, notifications inbox, error pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from . import calendar, dashboard, selectors
from .api.errors import error_body
from .exports import Column, export_links, export_or_none
from .notifications import notification_mark_all_read, notification_mark_read

INBOX_PAGE_SIZE = 20


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The residents' front door: what the platform offers, in tiles."""
    return render(request, "core/home.html", {"tiles": dashboard.tiles_for(request.user)})


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability, for load balancers and monitoring."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


# --- staff home ------------------------------------------------------------------------------


@never_cache
@require_GET
def staff_home(request: HttpRequest) -> HttpResponse:
    """What a member of staff sees after signing in: the cards of their role."""
    if not getattr(request.user, "is_staff_member", False):
        raise Http404  # residents and visitors are not told the page exists
    return render(request, "core/staff_home.html", {"cards": dashboard.cards_for(request)})


def calendar_card_context(request: HttpRequest) -> dict:
    today = timezone.localdate()
    return {
        "today": today,
        "today_is_working_day": calendar.is_working_day(today),
        "next_working_day": calendar.next_working_day(today),
        "upcoming": calendar.upcoming_days_off(today, limit=5),
    }


# --- notifications inbox ------------------------------------------------------------------------

INBOX_EXPORT_COLUMNS = [
    Column(gettext_lazy("Time"), "created_at"),
    Column(gettext_lazy("Subject"), "subject"),
    Column(gettext_lazy("Message"), "body"),
    Column(gettext_lazy("Link"), "url"),
    Column(gettext_lazy("Read at"), "read_at"),
]


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _back(request: HttpRequest, default: str = "core:notifications") -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect(default)


@never_cache
@login_required
@require_GET
def notifications(request: HttpRequest) -> HttpResponseBase:
    """The signed-in person's in-app inbox (?unread=1 for unread only; ?export=csv|xlsx)."""
    items = selectors.inbox_for(request.user)
    unread_only = request.GET.get("unread") == "1"
    if unread_only:
        items = items.filter(read_at__isnull=True)
    exported = export_or_none(request, items, INBOX_EXPORT_COLUMNS, _("notifications"))
    if exported is not None:
        return exported
    page = Paginator(items, INBOX_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "unread_only": unread_only,
        "unread": selectors.unread_count(request.user),
        "export_links": export_links(request),
    }
    return render(request, "core/notifications.html", context)


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.inbox_item(request.user, pk)
    notification_mark_read(user=request.user, notification=item)
    if _is_htmx(request):
        # The item re-rendered as read, and the bell's count swapped out of band.
        context = {"item": item, "count": selectors.unread_count(request.user), "oob": True}
        return render(request, "core/partials/notification_read.html", context)
    return _back(request)


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    notification_mark_all_read(user=request.user)
    if _is_htmx(request):
        # Every item on the page changes: htmx reloads the page (list and bell together).
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return _back(request)


@never_cache
@require_GET
def notification_badge(request: HttpRequest) -> HttpResponse:
    """The bell's unread count, for htmx: an empty span when there is nothing unread."""
    count = selectors.unread_count(request.user) if request.user.is_authenticated else 0
    return render(request, "core/partials/bell_count.html", {"count": count})


# --- error pages (root URLconf handlers) ----------------------------------------------------------


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse(error_body("not_found", _("Not found.")), status=404)
    return render(request, "core/404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    if _wants_json(request):
        body = error_body("server_error", _("Something went wrong on our side. Please try again later."))
        return JsonResponse(body, status=500)
    from django.views.defaults import server_error as django_server_error

    return django_server_error(request)
