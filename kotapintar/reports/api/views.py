"""Reports API (thin: selectors read, services write). Mounted under /api/v1/.

- /reports/                 GET scoped list (mine / triage / inbox / all), POST file a report
- /reports/{tracking}/      GET one report (signed in, or ?token= of the tracking link)
- /reports/{tracking}/<action>/   POST staff and reporter actions
- /reports/{tracking}/duplicates/ GET possible duplicates (staff)
- /reports/similar/         GET similar public reports near a point (the form)
- /reports/suggest-category/ POST category suggestions (no sign-in)
- /reports/bulk/            POST one action on many reports (staff)
- /reports/photos/{id}/[thumbnail/]  GET a photo after an access check
- /categories/              GET the active categories with their questions (public)
- /public/reports/          GET public reports (no identity fields at all)
"""

from __future__ import annotations

import re

from django.contrib.auth import get_user_model
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotAuthenticated, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from kotapintar.agencies.models import Agency
from kotapintar.core import access
from kotapintar.core.api.errors import error_body
from kotapintar.core.middleware import client_ip

from .. import duplicates, photos, selectors, services
from ..errors import RateLimited, ReportInvalid
from ..models import Privacy, Report, ReportPhoto, Visibility
from ..policies import VIEW, sees_staff_names
from ..suggest import suggest_categories
from . import serializers as s

TRACKING_REGEX = r"[A-Za-z0-9-]{6,24}"
ATTRIBUTE_FIELD = re.compile(r"^attribute\[([^\]]+)\](\[\])?$")


class SuggestThrottle(SimpleRateThrottle):
    """Category suggestions are open to everybody: 60 a minute per address."""

    scope = "reports_suggest"
    rate = "60/min"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class ReportsErrorsMixin:
    """ReportInvalid keeps its per-field messages; RateLimited answers 429 with Retry-After."""

    def handle_exception(self, exc):
        if isinstance(exc, ReportInvalid):
            return Response(error_body(exc.code, exc.message, exc.fields), status=exc.status_code)
        if isinstance(exc, RateLimited):
            return Response(
                error_body(exc.code, exc.message), status=exc.status_code, headers={"Retry-After": str(exc.retry_after)}
            )
        return super().handle_exception(exc)  # type: ignore[misc]


def _validated(serializer_class, request: Request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _category(code: str, field: str = "category"):
    category = selectors.category_by_code(code) if code else None
    if category is None:
        raise ReportInvalid.single(field, _("Unknown category “%(code)s”.") % {"code": code})
    return category


def _agency(code: str, field: str) -> Agency:
    agency = Agency.objects.filter(code=(code or "").strip(), is_active=True).first()
    if agency is None:
        raise ReportInvalid.single(field, _("Unknown agency “%(code)s”.") % {"code": code})
    return agency


def _attributes_from_form(data) -> dict:
    """Open311-style `attribute[code]` and `attribute[code][]` fields of a form body."""
    found: dict = {}
    if not hasattr(data, "getlist"):
        return found
    for key in data:
        match = ATTRIBUTE_FIELD.match(key)
        if not match:
            continue
        values = data.getlist(key)
        found[match.group(1)] = values if match.group(2) else (values[-1] if values else "")
    return found


LIST_PARAMETERS = [
    OpenApiParameter("queue", str, enum=["mine", "followed", "triage", "inbox", "all"], description="Default by role."),
    OpenApiParameter("status", str, description="One status, or several separated by commas."),
    OpenApiParameter("category", str, description="Category code."),
    OpenApiParameter("district", str, description="Kemendagri code of the kecamatan."),
    OpenApiParameter("village", str, description="Kemendagri code of the kelurahan."),
    OpenApiParameter("agency", str, description="Agency code (inbox)."),
    OpenApiParameter("overdue", bool),
    OpenApiParameter("unassigned", bool),
    OpenApiParameter("created_from", OpenApiTypes.DATE),
    OpenApiParameter("created_to", OpenApiTypes.DATE),
    OpenApiParameter("q", str, description="Tracking number, or words of the title/text."),
]


class _ListFilters(serializers.Serializer):
    queue = serializers.ChoiceField(choices=["mine", "followed", "triage", "inbox", "all"], required=False)
    status = serializers.CharField(required=False, allow_blank=True)
    category = serializers.CharField(required=False, allow_blank=True)
    district = serializers.CharField(required=False, allow_blank=True)
    village = serializers.CharField(required=False, allow_blank=True)
    agency = serializers.CharField(required=False, allow_blank=True)
    overdue = serializers.BooleanField(required=False, allow_null=True, default=None)
    unassigned = serializers.BooleanField(required=False, allow_null=True, default=None)
    created_from = serializers.DateField(required=False)
    created_to = serializers.DateField(required=False)
    q = serializers.CharField(required=False, allow_blank=True, max_length=200)


def _filters(params) -> dict:
    serializer = _ListFilters(data=params)
    serializer.is_valid(raise_exception=True)
    data = {k: v for k, v in serializer.validated_data.items() if v not in (None, "")}
    if "status" in data:
        data["status"] = [x.strip() for x in data["status"].split(",") if x.strip()]
    return data


def _default_queue(user) -> str:
    role = access.role_of(user)
    return {access.CITIZEN: "mine", access.VERIFIER: "triage", access.AGENCY: "inbox"}.get(role, "all")


def _action_response(report: Report, request: Request, *, token_ok: bool = False) -> Response:
    report = selectors.report_for(request.user, report.tracking_number) if not token_ok else report
    return Response(s.ReportDetailSerializer(report, context=_context(request, report, token_ok=token_ok)).data)


def _context(request: Request, report: Report | None, *, token_ok: bool = False) -> dict:
    audience = selectors.audience_of(request.user, report, token_ok=token_ok) if report is not None else None
    return {"request": request, "user": request.user, "audience": audience, "token_ok": token_ok}


@extend_schema_view(
    list=extend_schema(
        summary="Reports the caller may see (my reports, the desk's queue, the agency inbox…)",
        parameters=LIST_PARAMETERS,
        tags=["reports"],
    ),
    retrieve=extend_schema(
        summary="One report (its reporter or staff; or ?token= of the tracking link)",
        parameters=[OpenApiParameter("token", str, description="Tracking token (filing without an account).")],
        tags=["reports"],
    ),
)
class ReportViewSet(ReportsErrorsMixin, viewsets.GenericViewSet):
    """Citizen reports (Lapor). Writes go through reports.services; reads through selectors."""

    lookup_field = "tracking_number"
    lookup_value_regex = TRACKING_REGEX
    serializer_class = s.ReportListSerializer
    queryset = Report.objects.none()
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_permissions(self):
        if self.action in ("create", "retrieve", "reply", "confirm", "rate", "reopen", "privacy"):
            return [permissions.AllowAny()]
        return [permissions.IsAuthenticated()]

    # -- reading ---------------------------------------------------------------------------

    def list(self, request: Request) -> Response:
        filters = _filters(request.query_params)
        queue = filters.pop("queue", None) or _default_queue(request.user)
        agency_code = filters.pop("agency", None)
        user = request.user
        if queue == "mine":
            qs = selectors.filter_reports(selectors.my_reports(user), **filters)
        elif queue == "followed":
            qs = selectors.filter_reports(selectors.followed_reports(user), **filters)
        elif queue == "triage":
            qs = selectors.verifier_queue(user, **filters)
        elif queue == "inbox":
            agency = Agency.objects.filter(code=agency_code).first() if agency_code else None
            if agency_code and agency is None:
                qs = Report.objects.none()
            else:
                qs = selectors.agency_inbox(user, agency=agency, **filters)
        else:
            qs = selectors.filter_reports(selectors.reports_visible(user), **filters).order_by("-created_at", "-id")
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(s.ReportListSerializer(page, many=True, context={"user": user}).data)

    def _reporter_or_staff(self, request: Request, tracking_number: str) -> tuple[Report, bool]:
        token = request.query_params.get("token") or (request.data.get("token") if hasattr(request.data, "get") else "")
        if request.user.is_authenticated:
            try:
                return selectors.report_for(request.user, tracking_number), False
            except Http404:
                if not token:
                    raise
        if token:
            return selectors.report_by_token(tracking_number, token), True
        if not request.user.is_authenticated:
            raise NotAuthenticated()
        raise Http404

    def retrieve(self, request: Request, tracking_number: str | None = None) -> Response:
        report, token_ok = self._reporter_or_staff(request, tracking_number or "")
        return Response(s.ReportDetailSerializer(report, context=_context(request, report, token_ok=token_ok)).data)

    # -- filing ------------------------------------------------------------------------------

    @extend_schema(
        summary="File a report (JSON, or multipart with photos); Idempotency-Key makes retries safe",
        request={"application/json": s.ReportCreateSerializer, "multipart/form-data": s.ReportCreateSerializer},
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                description="A client-chosen key (e.g. a UUID): a retry with the same key returns the first report.",
            )
        ],
        responses={
            201: s.SubmitResultSerializer,
            200: OpenApiResponse(s.SubmitResultSerializer, description="A retry: the report filed before."),
            409: OpenApiResponse(description="The Idempotency-Key was used for another report."),
        },
        tags=["reports"],
    )
    def create(self, request: Request) -> Response:
        data = _validated(s.ReportCreateSerializer, request)
        attributes = dict(data.get("attributes") or {})
        attributes.update(_attributes_from_form(request.data))
        user = request.user if request.user.is_authenticated else None
        result = services.report_submit(
            reporter=user,
            category=_category(data["category"]),
            text=data["text"],
            lat=data["lat"],
            lng=data["lng"],
            kind=data.get("kind"),
            privacy=data["privacy"],
            show_name=data["show_name"],
            address=data["address"],
            attributes=attributes,
            photos_in=data["photos"],
            reporter_name=data["reporter_name"],
            reporter_email=data["reporter_email"],
            reporter_phone=data["reporter_phone"],
            channel="api",
            device_id=data["device_id"] or request.headers.get("X-Device-Id", ""),
            ip=client_ip(request),
            idempotency_key=request.headers.get("Idempotency-Key"),
        )
        report = result.report
        body = {
            "tracking_number": report.tracking_number,
            "tracking_url": request.build_absolute_uri(result.tracking_url),
            "tracking_token": result.tracking_token,
            "status": report.status,
            "created": result.created,
            "created_at": report.created_at,
            "verify_due": report.verify_due,
        }
        return Response(s.SubmitResultSerializer(body).data, status=status.HTTP_201_CREATED if result.created else 200)

    # -- the desk ------------------------------------------------------------------------------

    def _staff_report(self, request: Request, tracking_number: str) -> Report:
        return selectors.report_for(request.user, tracking_number)

    @extend_schema(
        summary="Verify (desk)", request=s.VerifySerializer, responses=s.ReportDetailSerializer, tags=["reports: desk"]
    )
    @action(detail=True, methods=["post"])
    def verify(self, request: Request, tracking_number: str | None = None) -> Response:
        data = _validated(s.VerifySerializer, request)
        report = self._staff_report(request, tracking_number or "")
        category = _category(data["category"]) if data["category"] else None
        report = services.report_verify(actor=request.user, report=report, note=data["note"], category=category)
        return _action_response(report, request)

    @extend_schema(
        summary="Set aside with a reason (desk)",
        request=s.SetAsideSerializer,
        responses=s.ReportDetailSerializer,
        tags=["reports: desk"],
    )
    @action(detail=True, methods=["post"], url_path="set-aside")
    def set_aside(self, request: Request, tracking_number: str | None = None) -> Response:
        data = _validated(s.SetAsideSerializer, request)
        report = self._staff_report(request, tracking_number or "")
        report = services.report_set_aside(actor=request.user, report=report, reason=data["reason"], note=data["note"])
        return _action_response(report, request)

    @extend_schema(
        summary="Correct the category (desk)",
        request=s.RecategoriseSerializer,
        responses=s.ReportDetailSerializer,
        tags=["reports: desk"],
    )
    @action(detail=True, methods=["post"])
    def recategorise(self, request: Request, tracking_number: str | None = None) -> Response:
        data = _validated(s.RecategoriseSerializer, request)
        report = self._staff_report(request, tracking_number or "")
        report = services.report_recategorise(
            actor=request.user, report=report, category=_category(data["category"]), note=data["note"]
        )
        return _action_response(report, request)

    @extend_schema(
        summary="Route to agencies (desk)",
        request=s.DispositionInputSerializer,
        responses=s.ReportDetailSerializer,
        tags=["reports: desk"],
    )
    @action(detail=True, methods=["post"])
    def disposition(self, request: Request, tracking_number: str | None = None) -> Response:
        data = _validated(s.DispositionInputSerializer, request)
        report = self._staff_report(request, tracking_number or "")
        agencies = [_agency(code, "agencies") for code in data["agencies"]]
        report = services.report_disposition(
            actor=request.user, report=report, agencies=agencies or None, note=data["note"]
        )
        return _action_response(report, request)

    @extend_schema(
        summary="Merge into the original report (desk)",
        request=s.MergeSerializer,
        responses=s.ReportDetailSerializer,
        tags=["reports: desk"],
    )
    @action(detail=True, methods=["post"])
    def merge(self, request: Request, tracking_number: str | None = None) -> Response:
        data = _validated(s.MergeSerializer, request)
        report = self._staff_report(request, tracking_number or "")
        try:
            into = selectors.report_for(request.user, data["into"])
        except Http404:
            raise ReportInvalid.single("into", _("Unknown report “%(number)s”.") % {"number": data["into"]}) from None
        report = services.report_merge(actor=request.user, report=report, into=into, note=data["note"])
        return _action_response(report, request)

    @extend_schema(
        summary="Possible duplicates (staff)",
        responses=s.DuplicateSerializer(many=True),
        tags=["reports: desk"],
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def duplicates(self, request: Request, tracking_number: str | None = None) -> Response:
        report = self._staff_report(request, tracking_number or "")
        if not sees_staff_names(request.user):
            raise Http404
        found = duplicates.find_duplicates(report, public=False, limit=10)
        return Response(s.DuplicateSerializer([duplicates.as_public_dict(c) for c in found], many=True).data)

    @extend_schema(
        summary="Show the reporter of an anonymous report (desk; audited, reason required)",
        request=s.RevealReporterSerializer,
        responses=s.ReporterSerializer,
        tags=["reports: desk"],
    )
    @action(detail=True, methods=["post"], url_path="reveal-reporter")
    def reveal_reporter(self, request: Request, tracking_number: str | None = None) -> Response:
        from ..desk_services import report_reveal_reporter

        data = _validated(s.RevealReporterSerializer, request)
        report = self._staff_report(request, tracking_number or "")
        reporter = report_reveal_reporter(actor=request.user, report=report, reason=data["reason"])
        return Response(s.ReporterSerializer(reporter.__dict__).data)

    # -- the agencies --------------------------------------------------------------------------

    @extend_schema(
        summary="Assign to an officer",
        request=s.AssignSerializer,
        responses=s.ReportDetailSerializer,
        tags=["reports: agency"],
    )
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, tracking_number: str | None = None) -> Response:
        data = _validated(s.AssignSerializer, request)
        report = self._staff_report(request, tracking_number or "")
        officer = get_user_model().objects.filter(pk=data["officer"], is_active=True).first()
        if officer is None:
            raise ReportInvalid.single("officer", _("Unknown officer."))
        agency = _agency(data["agency"], "agency") if data["agency"] else None
        report = services.report_assign(actor=request.user, report=report, officer=officer, agency=agency)
        return _action_response(report, request)

    @extend_schema(
        summary="Internal note (staff only)",
        request=s.NoteSerializer,
        responses={201: s.EventResultSerializer},
        tags=["reports: agency"],
    )
    @action(detail=True, methods=["post"])
    def note(self, request: Request, tracking_number: str | None = None) -> Response:
        data = _validated(s.NoteSerializer, request)
        report = self._staff_report(request, tracking_number or "")
        event = services.report_note(actor=request.user, report=report, text=data["text"])
        return Response(s.EventResultSerializer(event).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Public follow-up, with photos (multipart)",
        request={"application/json": s.FollowUpSerializer, "multipart/form-data": s.FollowUpSerializer},
        responses={201: s.EventResultSerializer},
        tags=["reports: agency"],
    )
    @action(detail=True, methods=["post"], url_path="follow-up")
    def follow_up(self, request: Request, tracking_number: str | None = None) -> Response:
        data = _validated(s.FollowUpSerializer, request)
        report = self._staff_report(request, tracking_number or "")
        kinds = list(data["photo_kinds"]) + ["after"] * (len(data["photos"]) - len(data["photo_kinds"]))
        items = list(zip(data["photos"], kinds[: len(data["photos"])], strict=True))
        event = services.report_follow_up(actor=request.user, report=report, text=data["text"], photos_in=items)
        return Response(s.EventResultSerializer(event).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Ask the reporter for more information",
        request=s.NoteSerializer,
        responses={201: s.EventResultSerializer},
        tags=["reports: agency"],
    )
    @action(detail=True, methods=["post"], url_path="request-info")
    def request_info(self, request: Request, tracking_number: str | None = None) -> Response:
        data = _validated(s.NoteSerializer, request)
        report = self._staff_report(request, tracking_number or "")
        event = services.report_request_info(actor=request.user, report=report, text=data["text"])
        return Response(s.EventResultSerializer(event).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Hand over to another agency, with a reason",
        request=s.RerouteSerializer,
        responses=s.ReportDetailSerializer,
        tags=["reports: agency"],
    )
    @action(detail=True, methods=["post"])
    def reroute(self, request: Request, tracking_number: str | None = None) -> Response:
        data = _validated(s.RerouteSerializer, request)
        report = self._staff_report(request, tracking_number or "")
        source = _agency(data["from_agency"], "from_agency") if data["from_agency"] else None
        report = services.report_reroute(
            actor=request.user,
            report=report,
            to_agency=_agency(data["to_agency"], "to_agency"),
            reason=data["reason"],
            from_agency=source,
        )
        return _action_response(report, request)

    @extend_schema(
        summary="Resolve, with a public note (required) and photos",
        request={"application/json": s.FollowUpSerializer, "multipart/form-data": s.FollowUpSerializer},
        responses=s.ReportDetailSerializer,
        tags=["reports: agency"],
    )
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, tracking_number: str | None = None) -> Response:
        data = _validated(s.FollowUpSerializer, request)
        report = self._staff_report(request, tracking_number or "")
        kinds = list(data["photo_kinds"]) + ["after"] * (len(data["photos"]) - len(data["photo_kinds"]))
        items = list(zip(data["photos"], kinds[: len(data["photos"])], strict=True))
        report = services.report_resolve(actor=request.user, report=report, text=data["text"], photos_in=items)
        return _action_response(report, request)

    # -- the reporter ------------------------------------------------------------------------------

    @extend_schema(
        summary="The reporter answers (account or tracking token)",
        request={"application/json": s.ReplySerializer, "multipart/form-data": s.ReplySerializer},
        responses={201: s.EventResultSerializer},
        tags=["reports: reporter"],
    )
    @action(detail=True, methods=["post"])
    def reply(self, request: Request, tracking_number: str | None = None) -> Response:
        data = _validated(s.ReplySerializer, request)
        report, _token_ok = self._reporter_or_staff(request, tracking_number or "")
        event = services.report_reply(
            report=report, text=data["text"], actor=request.user, token=data["token"] or None, photos_in=data["photos"]
        )
        return Response(s.EventResultSerializer(event).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="The reporter confirms the resolution",
        request=s.TokenMixin,
        responses=s.ReportDetailSerializer,
        tags=["reports: reporter"],
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, tracking_number: str | None = None) -> Response:
        data = _validated(s.TokenMixin, request)
        report, token_ok = self._reporter_or_staff(request, tracking_number or "")
        report = services.report_confirm(report=report, actor=request.user, token=data["token"] or None)
        return _action_response(report, request, token_ok=token_ok)

    @extend_schema(
        summary="The reporter rates the handling (1–5, once)",
        request=s.RateSerializer,
        responses=s.ReportDetailSerializer,
        tags=["reports: reporter"],
    )
    @action(detail=True, methods=["post"])
    def rate(self, request: Request, tracking_number: str | None = None) -> Response:
        data = _validated(s.RateSerializer, request)
        report, token_ok = self._reporter_or_staff(request, tracking_number or "")
        report = services.report_rate(
            report=report,
            rating=data["rating"],
            comment=data["comment"],
            actor=request.user,
            token=data["token"] or None,
        )
        return _action_response(report, request, token_ok=token_ok)

    @extend_schema(
        summary="The reporter reopens (within the window)",
        request=s.ReopenSerializer,
        responses=s.ReportDetailSerializer,
        tags=["reports: reporter"],
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, tracking_number: str | None = None) -> Response:
        data = _validated(s.ReopenSerializer, request)
        report, token_ok = self._reporter_or_staff(request, tracking_number or "")
        report = services.report_reopen(
            report=report, reason=data["reason"], actor=request.user, token=data["token"] or None
        )
        return _action_response(report, request, token_ok=token_ok)

    @extend_schema(
        summary="Change the report's privacy (reporter or desk)",
        request=s.PrivacySerializer,
        responses=s.ReportDetailSerializer,
        tags=["reports: reporter"],
    )
    @action(detail=True, methods=["post"])
    def privacy(self, request: Request, tracking_number: str | None = None) -> Response:
        data = _validated(s.PrivacySerializer, request)
        report, token_ok = self._reporter_or_staff(request, tracking_number or "")
        report = services.report_set_privacy(
            report=report, privacy=data["privacy"], actor=request.user, token=data["token"] or None
        )
        return _action_response(report, request, token_ok=token_ok)

    # -- residents ---------------------------------------------------------------------------------

    @extend_schema(
        summary="Follow / support a public report (“this is my problem too”)",
        request=s.FollowSerializer,
        responses=s.FollowResultSerializer,
        tags=["reports: residents"],
    )
    @action(detail=True, methods=["post"])
    def follow(self, request: Request, tracking_number: str | None = None) -> Response:
        data = _validated(s.FollowSerializer, request)
        report = selectors.public_report_object(tracking_number or "")
        follower = services.report_follow(user=request.user, report=report, supports=data["supports"])
        report.refresh_from_db(fields=["support_count", "follower_count"])
        return Response(
            s.FollowResultSerializer(
                {
                    "following": True,
                    "supports": follower.supports,
                    "support_count": report.support_count,
                    "follower_count": report.follower_count,
                }
            ).data
        )

    @extend_schema(
        summary="Stop following a report", request=None, responses=s.FollowResultSerializer, tags=["reports: residents"]
    )
    @action(detail=True, methods=["post"])
    def unfollow(self, request: Request, tracking_number: str | None = None) -> Response:
        report = selectors.public_report_object(tracking_number or "")
        services.report_unfollow(user=request.user, report=report)
        report.refresh_from_db(fields=["support_count", "follower_count"])
        return Response(
            s.FollowResultSerializer(
                {
                    "following": False,
                    "supports": False,
                    "support_count": report.support_count,
                    "follower_count": report.follower_count,
                }
            ).data
        )

    # -- collections ---------------------------------------------------------------------------------

    @extend_schema(
        summary="One action on many reports (staff inbox)",
        request=s.BulkSerializer,
        responses=s.BulkResultSerializer,
        tags=["reports: agency"],
    )
    @action(detail=False, methods=["post"])
    def bulk(self, request: Request) -> Response:
        data = _validated(s.BulkSerializer, request)
        if not sees_staff_names(request.user):
            raise Http404
        numbers = list(dict.fromkeys(data["reports"]))
        reports, failed = [], []
        for number in numbers:
            try:
                reports.append(selectors.report_for(request.user, number))
            except Http404:
                failed.append({"tracking_number": number, "message": _("Not found.")})
        action_name = data["action"]
        params: dict = {}
        if action_name == "assign":
            officer = get_user_model().objects.filter(pk=data.get("officer") or 0, is_active=True).first()
            if officer is None:
                raise ReportInvalid.single("officer", _("Choose the officer."))
            params["officer"] = officer
        elif action_name == "set_aside":
            if not data.get("reason"):
                raise ReportInvalid.single("reason", _("Choose a reason."))
            params.update(reason=data["reason"], note=data.get("note", ""))
        elif action_name in ("follow_up", "resolve"):
            params["text"] = data.get("text", "")
        elif action_name == "disposition":
            params["agencies"] = [_agency(c, "agencies") for c in data.get("agencies") or []] or None
            params["note"] = data.get("note", "")
        elif action_name == "verify":
            params["note"] = data.get("note", "")
        result = services.reports_bulk(actor=request.user, reports=reports, action=action_name, **params)
        body = {
            "done": result.done,
            "failed": failed + [{"tracking_number": n, "message": m} for n, m in result.failed],
        }
        return Response(s.BulkResultSerializer(body).data)


@extend_schema(
    summary="Similar public reports near a point (the form: “this is my problem too”)",
    parameters=[
        OpenApiParameter("category", str, required=True),
        OpenApiParameter("lat", float, required=True),
        OpenApiParameter("lng", float, required=True),
        OpenApiParameter("text", str),
    ],
    responses=s.DuplicateSerializer(many=True),
    tags=["reports"],
)
class SimilarReportsView(ReportsErrorsMixin, APIView):
    permission_classes = [permissions.AllowAny]
    throttle_classes = [SuggestThrottle]

    class Params(serializers.Serializer):
        category = serializers.CharField()
        lat = serializers.FloatField(min_value=-90, max_value=90)
        lng = serializers.FloatField(min_value=-180, max_value=180)
        text = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)

    def get(self, request: Request) -> Response:
        params = self.Params(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        category = _category(data["category"])
        found = duplicates.find_similar(
            category=category, lat=data["lat"], lng=data["lng"], text=data["text"], public=True
        )
        return Response(s.DuplicateSerializer([duplicates.as_public_dict(c) for c in found], many=True).data)


class SuggestCategoryView(ReportsErrorsMixin, APIView):
    """Category suggestions for a text: at most 3, best first (no sign-in needed)."""

    permission_classes = [permissions.AllowAny]
    throttle_classes = [SuggestThrottle]
    authentication_classes: list = []  # open to all; no CSRF needed for a read-only computation

    @extend_schema(
        summary="Suggest the category of a report from its text",
        request=s.SuggestRequestSerializer,
        responses=s.SuggestResponseSerializer,
        tags=["reports"],
    )
    def post(self, request: Request) -> Response:
        data = _validated(s.SuggestRequestSerializer, request)
        suggestions = [c.__dict__ for c in suggest_categories(data["text"])]
        return Response({"suggestions": suggestions})


@extend_schema_view(
    list=extend_schema(summary="Report categories with their questions (public)", tags=["reports"]),
    retrieve=extend_schema(summary="One report category with its questions (public)", tags=["reports"]),
)
class CategoryViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [permissions.AllowAny]
    serializer_class = s.CategorySerializer
    lookup_field = "code"
    lookup_value_regex = r"[A-Za-z0-9_.-]+"
    pagination_class = None
    filter_backends: list = []

    def get_queryset(self):
        return selectors.categories_active()

    def get_object(self):
        category = selectors.category_by_code(self.kwargs["code"])
        if category is None:
            raise Http404
        return category


PUBLIC_PARAMETERS = [
    OpenApiParameter("status", str, description="One status, or several separated by commas."),
    OpenApiParameter("category", str),
    OpenApiParameter("district", str),
    OpenApiParameter("village", str),
    OpenApiParameter("kind", str),
    OpenApiParameter("q", str),
    OpenApiParameter("created_from", OpenApiTypes.DATE),
    OpenApiParameter("created_to", OpenApiTypes.DATE),
    OpenApiParameter("bbox", str, description="min_lat,min_lng,max_lat,max_lng"),
]


class _PublicFilters(serializers.Serializer):
    status = serializers.CharField(required=False, allow_blank=True)
    category = serializers.CharField(required=False, allow_blank=True)
    district = serializers.CharField(required=False, allow_blank=True)
    village = serializers.CharField(required=False, allow_blank=True)
    kind = serializers.CharField(required=False, allow_blank=True)
    q = serializers.CharField(required=False, allow_blank=True, max_length=200)
    created_from = serializers.DateField(required=False)
    created_to = serializers.DateField(required=False)
    bbox = serializers.CharField(required=False, allow_blank=True)

    def validate_bbox(self, value):
        if not value:
            return None
        try:
            parts = [float(p) for p in value.split(",")]
            if len(parts) != 4 or parts[0] > parts[2] or parts[1] > parts[3]:
                raise ValueError
        except ValueError:
            raise ValidationError(_("Give the box as min_lat,min_lng,max_lat,max_lng.")) from None
        return tuple(parts)


@extend_schema_view(
    list=extend_schema(
        summary="Public reports (no identities)", parameters=PUBLIC_PARAMETERS, tags=["reports: public"]
    ),
    retrieve=extend_schema(summary="One public report with its public timeline", tags=["reports: public"]),
)
class PublicReportViewSet(viewsets.GenericViewSet):
    """The transparency API: public reports only, and no identity fields at all."""

    permission_classes = [permissions.AllowAny]
    lookup_field = "tracking_number"
    lookup_value_regex = TRACKING_REGEX
    serializer_class = s.PublicReportSerializer
    queryset = Report.objects.none()
    filter_backends: list = []

    def list(self, request: Request) -> Response:
        params = _PublicFilters(data=request.query_params)
        params.is_valid(raise_exception=True)
        filters = {k: v for k, v in params.validated_data.items() if v not in (None, "")}
        if "status" in filters:
            filters["status"] = [x.strip() for x in filters["status"].split(",") if x.strip()]
        page = self.paginate_queryset(selectors.public_reports(**filters))
        rows = [selectors.public_summary(r).__dict__ for r in page]
        return self.get_paginated_response(s.PublicReportSerializer(rows, many=True).data)

    @extend_schema(responses=s.PublicReportDetailSerializer)
    def retrieve(self, request: Request, tracking_number: str | None = None) -> Response:
        found = selectors.public_report(tracking_number or "")
        body = dict(found.__dict__)
        body["photos"] = [p.__dict__ for p in found.photos]
        body["timeline"] = [{**e.__dict__, "photos": [p.__dict__ for p in e.photos]} for e in found.timeline]
        return Response(s.PublicReportDetailSerializer(body).data)


# --- photos -----------------------------------------------------------------------------------------


def _photo_visible(request: Request, photo: ReportPhoto) -> bool:
    report = photo.report
    event_visibility = photo.event.visibility if photo.event_id else Visibility.PUBLIC
    if report.is_public and report.privacy != Privacy.CONFIDENTIAL and event_visibility == Visibility.PUBLIC:
        return True
    user = request.user
    if user.is_authenticated and access.can(user, report, VIEW):
        if event_visibility == Visibility.INTERNAL:
            return sees_staff_names(user)
        return True
    token = request.query_params.get("token")
    return bool(token) and services.check_tracking_token(report, token) and event_visibility != Visibility.INTERNAL


class PhotoView(APIView):
    """A report photo (or its thumbnail), after the same access check as its report."""

    permission_classes = [permissions.AllowAny]
    thumbnail = False

    @extend_schema(
        summary="A report photo (JPEG)",
        parameters=[OpenApiParameter("token", str, description="Tracking token (filing without an account).")],
        responses={(200, "image/jpeg"): OpenApiTypes.BINARY},
        tags=["reports"],
    )
    def get(self, request: Request, pk: int):
        photo = get_object_or_404(ReportPhoto.objects.select_related("report", "event"), pk=pk)
        if not _photo_visible(request, photo):
            raise Http404
        path = photos.locate(photo, thumbnail=self.thumbnail)
        if path is None:
            raise Http404
        response = FileResponse(path.open("rb"), content_type="image/jpeg")
        public = photo.report.is_public and photo.storage == ReportPhoto.Storage.PUBLIC
        response["Cache-Control"] = "public, max-age=86400" if public else "private, max-age=3600"
        return response
