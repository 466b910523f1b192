"""Serializers of the portal API."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kotapintar.agencies.models import Agency

from .. import links, periods, selectors, skm
from ..models import Category, SatisfactionSurvey, ServiceStandard


class AgencyRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class ServiceRefSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class ServiceStandardSerializer(serializers.ModelSerializer):
    agency = AgencyRefSerializer(read_only=True)
    category_label = serializers.CharField(source="get_category_display", read_only=True)
    fee_amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, read_only=True, allow_null=True, help_text="Rupiah; only for a fixed fee."
    )
    is_online = serializers.BooleanField(read_only=True)
    online_url = serializers.SerializerMethodField(help_text="Where to use the service online (null: at the office).")
    page_url = serializers.SerializerMethodField(help_text="The service's page on the portal.")

    class Meta:
        model = ServiceStandard
        fields = [
            "slug",
            "name",
            "agency",
            "category",
            "category_label",
            "summary",
            "service_time_days",
            "fee_kind",
            "fee_amount",
            "is_online",
            "online_url",
            "page_url",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_online_url(self, obj: ServiceStandard) -> str | None:
        link = links.online_link(obj)
        if link is None:
            return None
        request = self.context.get("request")
        return link.url if link.external or request is None else request.build_absolute_uri(link.url)

    def get_page_url(self, obj: ServiceStandard) -> str:
        from django.urls import reverse

        url = reverse("portal:detail", kwargs={"slug": obj.slug})
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class ServiceStandardDetailSerializer(ServiceStandardSerializer):
    requirements = serializers.ListField(child=serializers.CharField(), source="requirement_list", read_only=True)
    procedure = serializers.ListField(child=serializers.CharField(), source="procedure_steps", read_only=True)
    legal_basis = serializers.ListField(child=serializers.CharField(), source="legal_basis_list", read_only=True)

    class Meta(ServiceStandardSerializer.Meta):
        fields = [
            *ServiceStandardSerializer.Meta.fields,
            "requirements",
            "procedure",
            "service_time_note",
            "fee_note",
            "product",
            "complaint_channel",
            "legal_basis",
            "location",
            "updated_at",
        ]
        read_only_fields = fields


class ServiceCategorySerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=Category.choices)
    label = serializers.CharField()


# --- IKM ----------------------------------------------------------------------------------------


class IkmQuerySerializer(serializers.Serializer):
    period = serializers.CharField(
        required=False,
        help_text="YYYY (year), YYYY-MM (month), YYYY-Qn (quarter), YYYY-Sn (semester); default: this year.",
    )
    agency = serializers.CharField(required=False, help_text="Agency code, e.g. DPMPTSP.")
    service = serializers.CharField(required=False, help_text="Service address name (slug), e.g. izin-reklame.")

    def validate_period(self, value: str) -> periods.Period:
        try:
            return periods.parse(value)
        except periods.InvalidPeriod as exc:
            raise serializers.ValidationError(
                _("Give the period as YYYY, YYYY-MM, YYYY-Q1…Q4 or YYYY-S1…S2, e.g. 2026-Q3.")
            ) from exc

    def validate_agency(self, value: str) -> Agency:
        agency = selectors.agencies_with_services().filter(code=value).first()
        if agency is None:
            raise serializers.ValidationError(
                _("No agency with the code “%(code)s” publishes services.") % {"code": value}
            )
        return agency

    def validate_service(self, value: str) -> ServiceStandard:
        service = selectors.services_public().filter(slug=value).first()
        if service is None:
            raise serializers.ValidationError(
                _("No published service has the address name “%(slug)s”.") % {"slug": value}
            )
        return service


class IkmBreakdownQuerySerializer(IkmQuerySerializer):
    by = serializers.ChoiceField(
        choices=[("agency", "agency"), ("service", "service")], default="agency", help_text="One row per …"
    )
    service = None  # type: ignore[assignment]


class PeriodSerializer(serializers.Serializer):
    key = serializers.CharField()
    kind = serializers.CharField(help_text="month, quarter, semester or year")
    label = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()


class IkmElementSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="U1 … U9")
    key = serializers.CharField()
    name = serializers.CharField()
    total = serializers.IntegerField(help_text="Sum of the scores of this element.")
    nrr = serializers.DecimalField(max_digits=4, decimal_places=2, help_text="Average score (1–4).")
    weighted = serializers.DecimalField(max_digits=5, decimal_places=3, help_text="NRR × 1/9.")
    grade = serializers.CharField()


class IkmFigureSerializer(serializers.Serializer):
    period = PeriodSerializer()
    agency = AgencyRefSerializer(allow_null=True)
    service = ServiceRefSerializer(allow_null=True)
    respondents = serializers.IntegerField()
    published = serializers.BooleanField(
        help_text="False when fewer people answered than the publication threshold; the figures are then null."
    )
    ikm = serializers.DecimalField(max_digits=6, decimal_places=4, allow_null=True, help_text="Scale 1–4.")
    unit_ikm = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True, help_text="Scale 25–100.")
    grade = serializers.CharField(allow_null=True, help_text="A, B, C or D.")
    grade_label = serializers.CharField(allow_null=True)
    elements = IkmElementSerializer(many=True)


def figure_data(figure) -> dict:
    result = figure.result
    return {
        "period": {
            "key": figure.period.key,
            "kind": figure.period.kind,
            "label": figure.period.label,
            "start": figure.period.start,
            "end": figure.period.end,
        },
        "agency": {"code": figure.agency.code, "name": figure.agency.name} if figure.agency else None,
        "service": {"slug": figure.service.slug, "name": figure.service.name} if figure.service else None,
        "respondents": figure.respondents,
        "published": result is not None,
        "ikm": result.ikm if result else None,
        "unit_ikm": result.unit_ikm if result else None,
        "grade": result.grade if result else None,
        "grade_label": str(result.grade_label) if result else None,
        "elements": [{**row, "name": str(row["name"])} for row in result.elements] if result else [],
    }


class IkmBreakdownSerializer(serializers.Serializer):
    min_respondents = serializers.IntegerField(help_text="Figures are published from this many respondents on.")
    results = IkmFigureSerializer(many=True)


# --- surveys ------------------------------------------------------------------------------------


class SurveySerializer(serializers.ModelSerializer):
    service = ServiceRefSerializer(read_only=True)
    agency = AgencyRefSerializer(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = SatisfactionSurvey
        fields = [
            "id",
            "service",
            "agency",
            "case_kind",
            "case_label",
            "status",
            "status_label",
            "offered_at",
            "answered_at",
        ]
        read_only_fields = fields


def _scores_field() -> serializers.Serializer:
    # Every score is checked by the service (services.survey_answer), which says in the
    # user's language which question is missing or out of range; here they are only typed.
    fields = {
        q.key: serializers.IntegerField(
            required=False,
            help_text=f"{q.code} ({q.key}): 1 to 4, the position of the answer in GET surveys/questions/",
        )
        for q in skm.QUESTIONS
    }
    return type("SurveyScores", (serializers.Serializer,), fields)(help_text="One score per element, 1 to 4.")


class SurveyAnswerSerializer(serializers.Serializer):
    scores = _scores_field()
    suggestions = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=skm.SUGGESTIONS_MAX_LENGTH
    )


class SurveyAnswerChoiceSerializer(serializers.Serializer):
    score = serializers.IntegerField()
    label = serializers.CharField()


class SurveyQuestionSerializer(serializers.Serializer):
    key = serializers.CharField()
    code = serializers.CharField()
    element = serializers.CharField()
    text = serializers.CharField()
    answers = SurveyAnswerChoiceSerializer(many=True)
