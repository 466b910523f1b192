"""Residents' pages of Lapor: file a report, "Laporan Saya", a report's page for its reporter
(by account or by tracking link), the tracking look-up, and the small htmx helpers of the
form (area of a point, category suggestions, similar reports, the category's questions).

Thin views: reads through reports.selectors / reports.web_selectors, every write through
ONE service (report_submit, report_reply, report_confirm, report_rate, report_reopen,
report_support). A service's refusal is shown next to the field it concerns; nothing is
stored then and what the person typed is kept.

The form works without JavaScript: the location can be chosen from the kecamatan /
kelurahan lists (the point is then the area's representative point, and the typed
address tells the officers where exactly); category suggestions and similar reports are
shown when the form comes back. With JavaScript (static/reports/report-form.js) the map,
the phone's location, live suggestions and photo previews are added.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from kotapintar.core.errors import DomainError
from kotapintar.core.middleware import client_ip
from kotapintar.regions import maps
from kotapintar.regions.selectors import city_name

from .. import links, selectors, services, web_selectors
from ..errors import IdempotencyConflict, RateLimited, ReportInvalid
from ..forms import RateForm, ReopenForm, ReplyForm, ReportForm, TrackForm, service_field_errors
from ..models import Channel, Report
from ..suggest import suggest_categories
from ..tracking import normalise_tracking_number

logger = logging.getLogger(__name__)

#: Session key: tracking number → token of the reports this browser filed (the confirmation
#: page shows the tracking link again after a reload; nothing else reads it).
FILED_SESSION_KEY = "reports_filed"
FILED_KEEP = 10
NOTICE_SESSION_KEY = "reports_notice"
#: The form's helpers (suggestions, similar reports) are open to everybody: per address.
ASSIST_RATE = (120, 60)  # requests per seconds


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _assist_allowed(request: HttpRequest) -> bool:
    limit, window = ASSIST_RATE
    key = f"reports:assist:{client_ip(request) or '-'}"
    if cache.add(key, 1, window):
        return True
    try:
        return cache.incr(key) <= limit
    except ValueError:
        return True


def _absolute(request: HttpRequest, path: str) -> str:
    base = getattr(settings, "SITE_URL", "")
    return f"{base}{path}" if base else request.build_absolute_uri(path)


def _set_notice(request: HttpRequest, text: str) -> None:
    request.session[NOTICE_SESSION_KEY] = str(text)


def _pop_notice(request: HttpRequest) -> str:
    return request.session.pop(NOTICE_SESSION_KEY, "") if hasattr(request, "session") else ""


# --- the report form ------------------------------------------------------------------------------


def _map_options() -> dict:
    """The reusable map component's options for picking a point (no layers: tiles are the
    context; the script adds the kecamatan boundaries only when tiles do not load)."""
    config = maps.map_config(map_id="report-map", label=_("Map: tap the place of the problem"), height="18rem")
    config["options"]["boundariesUrl"] = reverse("region-city-boundaries") + "?level=district"
    return config


def _form_context(request: HttpRequest, form: ReportForm, **extra: Any) -> dict:
    suggestions = extra.pop("suggestions", None)
    similar = extra.pop("similar", None)
    located = None
    if form.is_bound and not form.location_errors:
        point = web_selectors.parse_point(form.data.get("lat"), form.data.get("lng"))
        located = web_selectors.locate(*point) if point else None
    return {
        "located": located,
        "form": form,
        "map": _map_options(),
        "city_name": city_name(),
        "suggestions": suggestions or [],
        "similar": similar or [],
        "signed_in": request.user.is_authenticated,
        "attribute_items": form.attribute_fields(),
        "areas": web_selectors.area_choices(),
        **extra,
    }


def _point_from_form(form: ReportForm) -> tuple[Any, Any]:
    """The map's point when given, else a point inside the chosen kelurahan (or kecamatan)."""
    data = form.cleaned_data
    lat, lng = (data.get("lat") or "").strip(), (data.get("lng") or "").strip()
    if lat or lng:
        point = web_selectors.parse_point(lat, lng)
        return point if point else (lat, lng)
    for code in (data.get("village"), data.get("district")):
        point = web_selectors.area_point(code or "")
        if point:
            return point
    return None, None


def _remember_filed(request: HttpRequest, number: str, token: str) -> None:
    filed = dict(request.session.get(FILED_SESSION_KEY) or {})
    filed[number] = token
    request.session[FILED_SESSION_KEY] = dict(list(filed.items())[-FILED_KEEP:])


def _similar_for(form: ReportForm, request: HttpRequest) -> list:
    data = getattr(form, "cleaned_data", {}) or {}
    category = form.chosen_category
    point = web_selectors.parse_point(data.get("lat"), data.get("lng")) if data.get("lat") else None
    if category is None or point is None:
        return []
    return web_selectors.similar_public(
        category=category, lat=point[0], lng=point[1], text=data.get("text") or "", user=request.user
    )


@gzip_page
@vary_on_headers("Cookie")
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    """The report form (GET) and filing (POST)."""
    areas = web_selectors.area_choices()
    user = request.user if request.user.is_authenticated else None
    if request.method == "GET":
        initial = {}
        code = (request.GET.get("category") or "").strip().upper()
        if code and selectors.category_by_code(code):
            initial["category"] = code
        form = ReportForm(initial=initial, user=user, areas=areas, category_code=initial.get("category", ""))
        return render(request, "reports/resident/form.html", _form_context(request, form))

    form = ReportForm(request.POST, request.FILES, user=user, areas=areas)
    valid = form.is_valid()
    if "pick_category" in request.POST:
        # Without JavaScript: show the chosen category's questions, file nothing yet.
        return render(request, "reports/resident/form.html", _form_context(request, form, picked=True))
    status = 200
    if valid:
        data = form.cleaned_data
        lat, lng = _point_from_form(form)
        try:
            result = services.report_submit(
                reporter=user,
                category=form.chosen_category,
                text=data.get("text") or "",
                lat=lat,
                lng=lng,
                kind=data.get("kind") or None,
                privacy=data.get("privacy") or "",
                show_name=bool(data.get("show_name")),
                address=data.get("address") or "",
                attributes=form.attribute_answers(),
                photos_in=data.get("photos") or [],
                reporter_name=data.get("reporter_name") or "",
                reporter_email=data.get("reporter_email") or "",
                reporter_phone=data.get("reporter_phone") or "",
                channel=Channel.WEB,
                device_id=data.get("device_id") or "",
                ip=client_ip(request),
                idempotency_key=data.get("submission_key") or None,
            )
        except ReportInvalid as exc:
            form.apply_service_errors(exc)
        except RateLimited as exc:
            form.add_error(None, exc.message)
            status = 429
        except IdempotencyConflict:
            form.add_error(
                None,
                _(
                    "This form was already sent as a report. To file another report, check the text "
                    "and send the form again."
                ),
            )
            form.data = form.data.copy()
            form.data["submission_key"] = ""
            status = 409
        else:
            report = result.report
            _remember_filed(request, report.tracking_number, result.tracking_token)
            return redirect("reports:submitted", tracking_number=report.tracking_number)
    suggestions = []
    text = (form.data.get("text") or "").strip()
    if text and form.chosen_category is None:
        suggestions = suggest_categories(text)
    # With JavaScript the page keeps the chosen photos itself (report-form.js).
    had_photos = bool(request.FILES.getlist("photos")) and request.headers.get("X-Requested-With") != "fetch"
    context = _form_context(
        request,
        form,
        suggestions=suggestions,
        similar=_similar_for(form, request) if valid else [],
        photos_dropped=had_photos,
    )
    return render(request, "reports/resident/form.html", context, status=status)


@never_cache
@require_GET
def submitted(request: HttpRequest, tracking_number: str) -> HttpResponse:
    """The confirmation: tracking number and tracking link (with its secret token), at once."""
    number = normalise_tracking_number(tracking_number)
    token = (request.session.get(FILED_SESSION_KEY) or {}).get(number)
    if not token:
        if request.user.is_authenticated and selectors.my_reports(request.user).filter(tracking_number=number).exists():
            return redirect("reports:detail", tracking_number=number)
        raise Http404("report")
    report = Report.objects.select_related("category").filter(tracking_number=number).first()
    if report is None or not services.check_tracking_token(report, token):
        raise Http404("report")
    return render(
        request,
        "reports/resident/submitted.html",
        {
            "report": report,
            "tracking_url": _absolute(request, links.tracking_path(number, token)),
            "mine": request.user.is_authenticated and report.reporter_id == request.user.pk,
            "badge": web_selectors.deadline(report),
        },
    )


# --- helpers of the form (htmx) -------------------------------------------------------------------


def _too_many(request: HttpRequest) -> HttpResponse:
    return HttpResponse(_("Too many requests; wait a minute."), status=429, content_type="text/plain; charset=utf-8")


@require_GET
def assist_locate(request: HttpRequest) -> HttpResponse:
    """Which kelurahan/kecamatan a point is in (or that it is outside the city); with
    `area=<code>`, the bounds of that kecamatan/kelurahan to centre the map (JSON)."""
    if "area" in request.GET:
        return JsonResponse({"bounds": web_selectors.area_bounds(request.GET.get("area") or "")})
    point = web_selectors.parse_point(request.GET.get("lat"), request.GET.get("lng"))
    location = web_selectors.locate(*point) if point else None
    return render(
        request,
        "reports/resident/partials/location.html",
        {"location": location, "point": point, "city_name": city_name()},
    )


@require_GET
def assist_suggest(request: HttpRequest) -> HttpResponse:
    """Up to three categories for the text typed so far (the same engine as the API)."""
    if not _assist_allowed(request):
        return _too_many(request)
    text = (request.GET.get("text") or "")[:4000]
    suggestions = suggest_categories(text) if len(text.strip()) >= 8 else []
    return render(
        request,
        "reports/resident/partials/suggestions.html",
        {"suggestions": suggestions, "chosen": (request.GET.get("category") or "").upper()},
    )


@require_GET
def assist_similar(request: HttpRequest) -> HttpResponse:
    """Similar PUBLIC reports near the point (no identities), with "this is my problem too"."""
    if not _assist_allowed(request):
        return _too_many(request)
    category = selectors.category_by_code(request.GET.get("category") or "")
    point = web_selectors.parse_point(request.GET.get("lat"), request.GET.get("lng"))
    similar = []
    if category is not None and point is not None:
        similar = web_selectors.similar_public(
            category=category,
            lat=point[0],
            lng=point[1],
            text=(request.GET.get("text") or "")[:4000],
            user=request.user,
        )
    return render(request, "reports/resident/partials/similar.html", {"similar": similar})


@require_GET
def assist_questions(request: HttpRequest) -> HttpResponse:
    """The chosen category's extra questions (fields of the report form)."""
    code = (request.GET.get("category") or "").strip().upper()
    user = request.user if request.user.is_authenticated else None
    form = ReportForm(user=user, areas=[], category_code=code)
    return render(
        request,
        "reports/resident/partials/questions.html",
        {"form": form, "attribute_items": form.attribute_fields()},
    )


@require_POST
def support(request: HttpRequest, tracking_number: str) -> HttpResponseBase:
    """ "This is my problem too": follow and support a public report instead of filing again."""
    next_url = reverse("reports:create")
    if not request.user.is_authenticated:
        login = f"{reverse('accounts:login')}?{urlencode({'next': next_url})}"
        if _is_htmx(request):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = login
            return response
        return redirect(login)
    report = selectors.public_report_object(tracking_number)
    error = ""
    try:
        services.report_support(user=request.user, report=report)
    except DomainError as exc:
        error = exc.message
    report.refresh_from_db(fields=["support_count"])
    context = {"report": report, "error": error, "public_url": links.public_path(report)}
    if _is_htmx(request):
        return render(request, "reports/resident/partials/supported.html", context)
    _set_notice(
        request,
        error
        or _("Thank you: you now support report %(number)s and will be told of its progress.")
        % {"number": report.tracking_number},
    )
    return redirect(f"{reverse('reports:mine')}#followed")


# --- "Laporan Saya" --------------------------------------------------------------------------------


@never_cache
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """All my reports with status, agency, deadline badge; the reports I follow."""
    if not request.user.is_authenticated:
        return render(request, "reports/resident/mine_signed_out.html", {"track_form": TrackForm()})
    status = request.GET.get("status") or ""
    if status not in ("open", "action", "done"):
        status = ""
    rows = web_selectors.my_report_rows(request.user, status=status)
    page = Paginator(rows, web_selectors.MY_REPORTS_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "reports/resident/mine.html",
        {
            "page": page,
            "status": status,
            "counts": web_selectors.my_report_counts(request.user),
            "followed": list(selectors.followed_reports(request.user)[:20]),
            "notice": _pop_notice(request),
        },
    )


# --- one report, for its reporter -------------------------------------------------------------------


def _own_report(request: HttpRequest, tracking_number: str) -> Report:
    number = normalise_tracking_number(tracking_number)
    report = (
        selectors.my_reports(request.user)
        .select_related("village", "duplicate_of")
        .defer("village__boundary")
        .filter(tracking_number=number)
        .first()
        if number
        else None
    )
    if report is None:
        raise Http404("report")
    return report


def _token_report(request: HttpRequest, tracking_number: str) -> tuple[Report, str]:
    token = (request.POST.get("token") if request.method == "POST" else None) or request.GET.get("token") or ""
    return selectors.report_by_token(tracking_number, token), token


def _page_context(request: HttpRequest, report: Report, *, token: str = "", forms: dict | None = None) -> dict:
    user = request.user if request.user.is_authenticated else None
    page = web_selectors.reporter_page(report, user, token_ok=bool(token))
    forms = forms or {}
    return {
        "page": page,
        "report": page.report,
        "token": token,
        "reply_form": forms.get("reply") or ReplyForm(prefix="reply"),
        "rate_form": forms.get("rate") or RateForm(prefix="rate"),
        "reopen_form": forms.get("reopen") or ReopenForm(prefix="reopen"),
        "action_error": forms.get("error", ""),
        "notice": _pop_notice(request),
        "public_url": links.public_path(report) if report.is_public else "",
        "urls": {
            action: reverse(
                "reports:track_act" if token else "reports:act",
                kwargs={"tracking_number": report.tracking_number, "action": action},
            )
            for action in ACTIONS
        },
    }


@never_cache
@login_required
@require_GET
def detail(request: HttpRequest, tracking_number: str) -> HttpResponse:
    """My report (signed in): progress, responsible agency, deadline, timeline, my actions."""
    report = _own_report(request, tracking_number)
    return render(request, "reports/resident/detail.html", _page_context(request, report))


@never_cache
@require_GET
def track(request: HttpRequest, tracking_number: str) -> HttpResponseBase:
    """The tracking link (number + secret token) of a person who filed without an account."""
    if not request.GET.get("token"):
        # Without the secret only public reports can be shown: send the person there, or
        # ask for the link (the same answer whether the number exists or not).
        number = normalise_tracking_number(tracking_number)
        report = Report.objects.filter(tracking_number=number, is_public=True).only("tracking_number").first()
        if report is not None:
            return redirect(links.public_path(report))
        if request.user.is_authenticated and selectors.my_reports(request.user).filter(tracking_number=number).exists():
            return redirect("reports:detail", tracking_number=number)
        form = TrackForm(initial={"number": number or tracking_number})
        return render(request, "reports/resident/lookup.html", {"form": form, "not_found": True}, status=404)
    report, token = _token_report(request, tracking_number)
    return render(request, "reports/resident/detail.html", _page_context(request, report, token=token))


ACTIONS = ("reply", "confirm", "rate", "reopen")


def _run_action(request: HttpRequest, report: Report, action: str, *, actor: Any, token: str) -> tuple[bool, dict]:
    """Call the one service of `action`; (done, forms with errors) for the page."""
    forms: dict = {}
    try:
        if action == "reply":
            form = ReplyForm(request.POST, prefix="reply")
            forms["reply"] = form
            form.is_valid()
            services.report_reply(report=report, text=form.cleaned_data.get("text", ""), actor=actor, token=token)
            _set_notice(request, _("Your answer was sent to the agency."))
        elif action == "confirm":
            services.report_confirm(report=report, actor=actor, token=token)
            _set_notice(request, _("Thank you: the report is closed as resolved. You can still rate the handling."))
        elif action == "rate":
            form = RateForm(request.POST, prefix="rate")
            forms["rate"] = form
            form.is_valid()
            services.report_rate(
                report=report,
                rating=form.cleaned_data.get("rating") or 0,
                comment=form.cleaned_data.get("comment", ""),
                actor=actor,
                token=token,
            )
            _set_notice(request, _("Thank you for your rating."))
        elif action == "reopen":
            form = ReopenForm(request.POST, prefix="reopen")
            forms["reopen"] = form
            form.is_valid()
            services.report_reopen(report=report, reason=form.cleaned_data.get("reason", ""), actor=actor, token=token)
            _set_notice(request, _("The report is open again; the agency has been told what is still wrong."))
        else:  # pragma: no cover - the URL only allows ACTIONS
            raise Http404
    except ReportInvalid as exc:
        target = {"reply": "reply", "rate": "rate", "reopen": "reopen"}.get(action)
        if target and target in forms:
            service_field_errors(forms[target], exc, {"reason": "reason", "text": "text", "rating": "rating"})
        else:
            forms["error"] = exc.message
        return False, forms
    except DomainError as exc:
        forms["error"] = exc.message
        return False, forms
    return True, forms


@require_POST
@login_required
def act(request: HttpRequest, tracking_number: str, action: str) -> HttpResponseBase:
    """An action of the signed-in reporter on their report (POST + CSRF)."""
    if action not in ACTIONS:
        raise Http404
    report = _own_report(request, tracking_number)
    done, forms = _run_action(request, report, action, actor=request.user, token="")
    if done:
        return redirect(reverse("reports:detail", kwargs={"tracking_number": report.tracking_number}) + "#status")
    report = _own_report(request, tracking_number)
    return render(request, "reports/resident/detail.html", _page_context(request, report, forms=forms))


@require_POST
def track_act(request: HttpRequest, tracking_number: str, action: str) -> HttpResponseBase:
    """An action through the tracking link (the token travels in the form, not the address)."""
    if action not in ACTIONS:
        raise Http404
    report, token = _token_report(request, tracking_number)
    done, forms = _run_action(request, report, action, actor=None, token=token)
    if done:
        url = links.tracking_path(report.tracking_number, token)
        return redirect(url + "#status")
    report, token = _token_report(request, tracking_number)
    return render(request, "reports/resident/detail.html", _page_context(request, report, token=token, forms=forms))


# --- tracking look-up -----------------------------------------------------------------------------


@never_cache
@require_GET
def lookup(request: HttpRequest) -> HttpResponseBase:
    """Find a report by its tracking number (and the secret code of the tracking link)."""
    if "number" not in request.GET:
        return render(request, "reports/resident/lookup.html", {"form": TrackForm()})
    form = TrackForm(request.GET)
    form.is_valid()
    raw = form.cleaned_data.get("number", "")
    number = normalise_tracking_number(raw)
    token = (form.cleaned_data.get("token") or "").strip()
    if "token=" in token:  # the whole link was pasted
        token = token.split("token=", 1)[1].split("&", 1)[0]
    if not number:
        form.add_error("number", _("Enter the tracking number as on your receipt, e.g. LPR-26-7K3QX9."))
        return render(request, "reports/resident/lookup.html", {"form": form}, status=200)
    report = Report.objects.filter(tracking_number=number).only(
        "tracking_number", "tracking_token_hash", "is_public", "reporter_id"
    )
    report = report.first()
    if report is not None and token and services.check_tracking_token(report, token):
        return redirect(links.tracking_path(number, token))
    if report is not None and request.user.is_authenticated and report.reporter_id == request.user.pk:
        return redirect("reports:detail", tracking_number=number)
    if report is not None and report.is_public:
        return redirect(links.public_path(report))
    form.add_error(
        "number" if not token else "token",
        _(
            "No report can be shown for this number. Check the number; if the report is not public, open the "
            "tracking link you received (or enter its secret code), or sign in if you filed it with an account."
        ),
    )
    return render(request, "reports/resident/lookup.html", {"form": form, "not_found": True}, status=404)
