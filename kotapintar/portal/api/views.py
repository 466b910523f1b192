"""Portal API: the public service catalogue and IKM, and a resident's own surveys."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kotapintar.agencies.models import Agency
from kotapintar.core.search import text_search

from .. import periods, selectors, services, skm
from ..models import Category, ServiceStandard
from .serializers import (
    IkmBreakdownQuerySerializer,
    IkmBreakdownSerializer,
    IkmFigureSerializer,
    IkmQuerySerializer,
    ServiceCategorySerializer,
    ServiceStandardDetailSerializer,
    ServiceStandardSerializer,
    SurveyAnswerSerializer,
    SurveyQuestionSerializer,
    SurveySerializer,
    figure_data,
)


class ServiceFilter(django_filters.FilterSet):
    agency = django_filters.CharFilter(field_name="agency__code", help_text="Agency code, e.g. DISDUKCAPIL.")
    category = django_filters.ChoiceFilter(choices=Category.choices)
    online = django_filters.BooleanFilter(method="filter_online", help_text="true: only services usable online.")
    q = django_filters.CharFilter(
        method="search", help_text="Words to search for (name, keywords, summary, requirements, product, agency)."
    )

    class Meta:
        model = ServiceStandard
        fields = ["agency", "category", "online", "q"]

    def filter_online(self, queryset, name, value):
        return queryset.exclude(online_kind="") if value else queryset.filter(online_kind="")

    def search(self, queryset, name, value):
        return text_search(queryset, value, fields=selectors.SEARCH_FIELDS).order_by("-search_rank", "name", "pk")


@extend_schema_view(
    list=extend_schema(summary="The public-service catalogue (standar pelayanan)", tags=["portal"]),
    retrieve=extend_schema(summary="One service's published standard", tags=["portal"]),
)
class ServiceStandardViewSet(viewsets.ReadOnlyModelViewSet):
    """Every published service of every agency; public."""

    permission_classes = [permissions.AllowAny]
    lookup_field = "slug"
    lookup_value_regex = r"[-a-z0-9]+"
    filterset_class = ServiceFilter
    serializer_class = ServiceStandardSerializer

    def get_queryset(self):
        return selectors.services_public()

    def get_serializer_class(self):
        return ServiceStandardDetailSerializer if self.action == "retrieve" else ServiceStandardSerializer

    @extend_schema(
        summary="The catalogue's categories", tags=["portal"], responses=ServiceCategorySerializer(many=True)
    )
    @action(detail=False, methods=["get"], pagination_class=None, filterset_class=None)
    def categories(self, request: Request) -> Response:
        return Response([{"code": code, "label": str(label)} for code, label in Category.choices])


def _scope(query: dict) -> tuple[periods.Period, Agency | None, ServiceStandard | None]:
    return query.get("period") or periods.current(periods.YEAR), query.get("agency"), query.get("service")


class IkmView(APIView):
    """The community satisfaction index (IKM) of the city, an agency or a service, in one period; public.

    Computed per PermenPANRB 14/2017 from the anonymous SKM answers of that period. Below
    the publication threshold (`min_respondents`) only the number of respondents is given.
    """

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        summary="IKM of a period (city, agency or service)",
        tags=["portal"],
        parameters=[IkmQuerySerializer],
        responses={200: IkmFigureSerializer},
    )
    def get(self, request: Request) -> Response:
        query = IkmQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        period, agency, service = _scope(query.validated_data)
        figure = selectors.ikm_figure(period, agency=agency, service=service)
        return Response(IkmFigureSerializer(figure_data(figure)).data)


class IkmBreakdownView(APIView):
    """The IKM of every agency (or every service, of one agency if given) in one period; public."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        summary="IKM per agency or per service in a period",
        tags=["portal"],
        parameters=[IkmBreakdownQuerySerializer],
        responses={200: IkmBreakdownSerializer},
    )
    def get(self, request: Request) -> Response:
        query = IkmBreakdownQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        period, agency, _service = _scope(query.validated_data)
        if query.validated_data["by"] == "service":
            figures = selectors.ikm_by_service(period, agency=agency)
        else:
            figures = selectors.ikm_by_agency(period)
        data = {"min_respondents": selectors.min_respondents(), "results": [figure_data(f) for f in figures]}
        return Response(IkmBreakdownSerializer(data).data)


class SurveyQuestionsView(APIView):
    """The SKM questionnaire: nine questions, four answers each (score = position 1–4); public."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(summary="The SKM questionnaire", tags=["surveys"], responses=SurveyQuestionSerializer(many=True))
    def get(self, request: Request) -> Response:
        data = [
            {
                "key": q.key,
                "code": q.code,
                "element": str(q.element),
                "text": str(q.text),
                "answers": [{"score": score, "label": str(label)} for score, label in q.choices],
            }
            for q in skm.QUESTIONS
        ]
        return Response(SurveyQuestionSerializer(data, many=True).data)


@extend_schema_view(
    list=extend_schema(summary="My satisfaction surveys", tags=["surveys"]),
    retrieve=extend_schema(summary="One of my satisfaction surveys", tags=["surveys"]),
)
class SurveyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The surveys offered to the signed-in person (someone else's answers 404)."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = SurveySerializer
    filterset_fields = ["status"]

    def get_queryset(self):
        return selectors.surveys_of(self.request.user)

    @extend_schema(
        summary="Answer one of my surveys (once)",
        tags=["surveys"],
        request=SurveyAnswerSerializer,
        responses={
            201: SurveySerializer,
            409: OpenApiResponse(description="Already answered, or closed."),
        },
    )
    @action(detail=True, methods=["post"])
    def answer(self, request: Request, pk=None) -> Response:
        survey = self.get_object()
        body = SurveyAnswerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        scores = {k: v for k, v in body.validated_data["scores"].items() if v is not None}
        try:
            services.survey_answer(
                user=request.user, survey=survey, scores=scores, suggestions=body.validated_data["suggestions"]
            )
        except services.SurveyAnswerInvalid as exc:
            fields = {
                (name if name in ("suggestions", "__all__") else f"scores.{name}"): messages
                for name, messages in exc.errors.items()
            }
            general = fields.pop("__all__", None)
            if general:
                fields["non_field_errors"] = general
            raise exceptions.ValidationError(fields) from exc
        survey.refresh_from_db()
        return Response(SurveySerializer(survey).data, status=status.HTTP_201_CREATED)
