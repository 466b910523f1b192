"""Serializers of the reports API.

Two families that never mix:
- staff/reporter serializers (ReportListSerializer, ReportDetailSerializer): the reporter's
  identity appears only in `reporter`, filled by the view when policies.can_see_reporter;
- public serializers (PublicReport*): built from selectors.PublicReport, which has no
  identity fields; they cannot leak what they do not have.
"""

from __future__ import annotations

import json

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import (
    Category,
    CategoryAttribute,
    DeadlineState,
    Privacy,
    Report,
    ReportPhoto,
    SetAsideReason,
    Status,
)

# --- categories ---------------------------------------------------------------------------------


class AttributeValueSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()


class CategoryAttributeSerializer(serializers.ModelSerializer):
    values = AttributeValueSerializer(many=True, read_only=True)

    class Meta:
        model = CategoryAttribute
        fields = ["code", "variable", "datatype", "required", "description", "datatype_description", "order", "values"]
        read_only_fields = fields


class CategorySerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True, help_text="complaint, aspiration or information.")
    name = serializers.CharField(source="display_name", read_only=True)
    name_id = serializers.CharField(source="name", read_only=True)
    default_agency = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    attributes = CategoryAttributeSerializer(many=True, read_only=True)
    related = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Category
        fields = [
            "code",
            "name",
            "name_id",
            "name_en",
            "kind",
            "description",
            "keywords",
            "default_agency",
            "routing",
            "resolution_days",
            "duplicate_radius_m",
            "related",
            "attributes",
        ]
        read_only_fields = fields


class CodeNameSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


# --- filing -------------------------------------------------------------------------------------


class AttributesField(serializers.JSONField):
    """A JSON object of answers; in multipart forms a JSON string is accepted too."""

    def to_internal_value(self, data):
        if isinstance(data, str):
            try:
                data = json.loads(data) if data.strip() else {}
            except ValueError:
                raise serializers.ValidationError(_("Send the answers as a JSON object.")) from None
        if not isinstance(data, dict):
            raise serializers.ValidationError(_("Send the answers as a JSON object."))
        return data


@extend_schema_field({"type": "object", "additionalProperties": True, "description": "Answers by question code."})
class _AttributesSchemaField(AttributesField):
    pass


class ReportCreateSerializer(serializers.Serializer):
    """A new report. JSON, or multipart/form-data when photos are sent (field `photos`,
    repeated; in multipart, `attributes` may be a JSON string or `attribute[code]` fields)."""

    category = serializers.CharField(max_length=40, help_text="Category code, e.g. JALAN (GET /api/v1/categories/).")
    text = serializers.CharField(max_length=20000, allow_blank=True, trim_whitespace=False)
    lat = serializers.FloatField(help_text="Latitude (WGS84), inside the city.")
    lng = serializers.FloatField(help_text="Longitude (WGS84), inside the city.")
    kind = serializers.CharField(
        required=False, max_length=20, help_text="complaint, aspiration or information (default: the category's kind)."
    )
    privacy = serializers.ChoiceField(
        choices=Privacy.choices,
        default=Privacy.ANONYMOUS,
        help_text="public: report and (with show_name) name public; anonymous (default): report public, "
        "identity hidden from the public and the agency; confidential: the report is not public.",
    )
    show_name = serializers.BooleanField(default=False, help_text="Show my name publicly (public reports only).")
    address = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    attributes = _AttributesSchemaField(required=False, default=dict)
    reporter_name = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    reporter_email = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    reporter_phone = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    device_id = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    photos = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True), required=False, default=list, max_length=20
    )


class SubmitResultSerializer(serializers.Serializer):
    tracking_number = serializers.CharField()
    tracking_url = serializers.CharField(help_text="Link to follow the report (holds the secret token).")
    tracking_token = serializers.CharField(help_text="Secret for the tracking link; keep it private.")
    status = serializers.ChoiceField(choices=Status.choices)
    created = serializers.BooleanField(help_text="False when an Idempotency-Key retry returned the first report.")
    created_at = serializers.DateTimeField()
    verify_due = serializers.DateTimeField(help_text="The desk verifies and routes the report by this time.")


# --- staff and reporter views ----------------------------------------------------------------------


class DeadlineSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=DeadlineState.choices)
    due = serializers.DateTimeField(allow_null=True)
    days_left = serializers.IntegerField(allow_null=True, help_text="Working days left; negative when late.")
    stage = serializers.CharField(help_text="verify, response, resolution or empty.")


class PhotoSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text="report (the reporter's), before or after.")
    url = serializers.CharField()
    thumbnail_url = serializers.CharField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()


class TimelineEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    label = serializers.CharField()
    visibility = serializers.CharField()
    text = serializers.CharField()
    agency_name = serializers.CharField()
    actor_name = serializers.CharField(help_text="Staff only; empty for residents.")
    reason = serializers.CharField()
    data = serializers.DictField()
    created_at = serializers.DateTimeField()
    photos = PhotoSerializer(many=True)


class RevealReporterSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=500, help_text="Why the desk needs to see who filed this anonymous report (audited)."
    )


class ReporterSerializer(serializers.Serializer):
    account_id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    email = serializers.CharField()
    phone = serializers.CharField()


class DispositionSerializer(serializers.Serializer):
    agency = CodeNameSerializer()
    is_primary = serializers.BooleanField()
    state = serializers.CharField()
    assigned_to = serializers.CharField(allow_null=True)
    note = serializers.CharField()
    reason = serializers.CharField()
    due_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)


def _code_name(obj) -> dict | None:
    if obj is None:
        return None
    name = getattr(obj, "display_name", None) or getattr(obj, "name", "")
    return {"code": getattr(obj, "code", "") or getattr(obj, "pk", ""), "name": name}


class ReportListSerializer(serializers.ModelSerializer):
    """A row of a staff queue or of "Laporan Saya" (no reporter identity)."""

    kind = serializers.CharField(read_only=True, help_text="complaint, aspiration or information.")
    category = serializers.SerializerMethodField()
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    district = serializers.SerializerMethodField()
    village = serializers.SerializerMethodField()
    responsible_agency = serializers.SerializerMethodField()
    deadline = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = [
            "tracking_number",
            "title",
            "kind",
            "category",
            "status",
            "status_label",
            "privacy",
            "district",
            "village",
            "responsible_agency",
            "created_at",
            "updated_at",
            "due_at",
            "deadline",
            "escalation_level",
            "awaiting_reporter",
            "support_count",
            "follower_count",
            "rating",
        ]
        read_only_fields = fields

    @extend_schema_field(CodeNameSerializer)
    def get_category(self, obj: Report):
        return _code_name(obj.category)

    @extend_schema_field(CodeNameSerializer(allow_null=True))
    def get_district(self, obj: Report):
        return _code_name(obj.district) if obj.district_id else None

    @extend_schema_field(CodeNameSerializer(allow_null=True))
    def get_village(self, obj: Report):
        return _code_name(obj.village) if obj.village_id else None

    @extend_schema_field(CodeNameSerializer(allow_null=True))
    def get_responsible_agency(self, obj: Report):
        return _code_name(obj.responsible_agency) if obj.responsible_agency_id else None

    @extend_schema_field(DeadlineSerializer)
    def get_deadline(self, obj: Report):
        from ..selectors import deadline_badge

        return deadline_badge(obj, self.context.get("now"))


class ReportDetailSerializer(ReportListSerializer):
    """One report for its reporter or for staff. `reporter` is null unless the reader may see
    who filed it; `dispositions` only for staff."""

    set_aside_reason = serializers.CharField(
        read_only=True, help_text="out_of_scope, not_city_authority, incomplete, duplicate, or empty."
    )
    reporter = serializers.SerializerMethodField()
    photos = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()
    dispositions = serializers.SerializerMethodField()
    duplicate_of = serializers.SlugRelatedField(slug_field="tracking_number", read_only=True)
    assigned_to = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()

    class Meta(ReportListSerializer.Meta):
        fields = [
            *ReportListSerializer.Meta.fields,
            "text",
            "attributes",
            "lat",
            "lng",
            "address",
            "show_name",
            "channel",
            "set_aside_reason",
            "verified_at",
            "dispositioned_at",
            "first_response_at",
            "resolved_at",
            "closed_at",
            "verify_due",
            "response_due",
            "resolution_due",
            "auto_close_due",
            "reopen_until",
            "reopen_count",
            "rating_comment",
            "duplicate_of",
            "assigned_to",
            "reporter",
            "photos",
            "timeline",
            "dispositions",
            "allowed_actions",
        ]
        read_only_fields = fields

    @extend_schema_field(ReporterSerializer(allow_null=True))
    def get_reporter(self, obj: Report):
        from ..selectors import reporter_of

        if self.context.get("audience") == "reporter" and self.context.get("token_ok"):
            return None  # a tracking link shows the person their report, not their data
        user = self.context.get("user")
        if obj.privacy == Privacy.ANONYMOUS and not (user is not None and obj.reporter_id == user.pk):
            # Even the desk sees an anonymous reporter only through the audited
            # POST .../reveal-reporter/ (reason required), never in passing.
            return None
        found = reporter_of(obj, user)
        return None if found is None else found.__dict__

    @extend_schema_field(PhotoSerializer(many=True))
    def get_photos(self, obj: Report):
        from ..selectors import report_photos

        return [p.__dict__ for p in report_photos(obj)]

    @extend_schema_field(TimelineEntrySerializer(many=True))
    def get_timeline(self, obj: Report):
        from ..selectors import timeline

        entries = timeline(obj, self.context.get("user"), audience=self.context.get("audience"))
        return [{**e.__dict__, "photos": [p.__dict__ for p in e.photos]} for e in entries]

    @extend_schema_field(DispositionSerializer(many=True))
    def get_dispositions(self, obj: Report):
        from ..selectors import dispositions_of

        if self.context.get("audience") != "staff":
            return []
        return [
            {
                "agency": _code_name(d.agency),
                "is_primary": d.is_primary,
                "state": d.state,
                "assigned_to": str(d.assigned_to) if d.assigned_to_id else None,
                "note": d.note,
                "reason": d.reason,
                "due_at": d.due_at,
                "created_at": d.created_at,
                "closed_at": d.closed_at,
            }
            for d in dispositions_of(obj)
        ]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_assigned_to(self, obj: Report):
        if self.context.get("audience") != "staff" or not obj.assigned_to_id:
            return None
        return str(obj.assigned_to)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed_actions(self, obj: Report):
        from ..actions import allowed_actions

        return allowed_actions(obj, self.context.get("user"), token_ok=bool(self.context.get("token_ok")))


# --- actions -------------------------------------------------------------------------------------


class TokenMixin(serializers.Serializer):
    token = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Tracking token, for reporters without an account."
    )


class NoteSerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True, trim_whitespace=False, max_length=20000)


class VerifySerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=20000)
    category = serializers.CharField(required=False, allow_blank=True, default="", help_text="Corrected category code.")


class SetAsideSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=SetAsideReason.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=20000)


class RecategoriseSerializer(serializers.Serializer):
    category = serializers.CharField()
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=20000)


class DispositionInputSerializer(serializers.Serializer):
    agencies = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        default=list,
        help_text="Agency codes, the responsible one first. Empty: the default of category and location.",
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=20000)


class MergeSerializer(serializers.Serializer):
    into = serializers.CharField(help_text="Tracking number of the original report.")
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=20000)


class RerouteSerializer(serializers.Serializer):
    to_agency = serializers.CharField(help_text="Agency code.")
    reason = serializers.CharField(allow_blank=True, max_length=20000)
    from_agency = serializers.CharField(required=False, allow_blank=True, default="")


class AssignSerializer(serializers.Serializer):
    officer = serializers.IntegerField(help_text="Account id of an officer of the agency.")
    agency = serializers.CharField(required=False, allow_blank=True, default="")


class FollowUpSerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True, trim_whitespace=False, max_length=20000)
    photos = serializers.ListField(child=serializers.FileField(allow_empty_file=True), required=False, default=list)
    photo_kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=[ReportPhoto.Kind.BEFORE, ReportPhoto.Kind.AFTER]),
        required=False,
        default=list,
        help_text="before/after per photo, in order (default: after).",
    )


class ReplySerializer(TokenMixin):
    text = serializers.CharField(allow_blank=True, trim_whitespace=False, max_length=20000)
    photos = serializers.ListField(child=serializers.FileField(allow_empty_file=True), required=False, default=list)


class RateSerializer(TokenMixin):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class ReopenSerializer(TokenMixin):
    reason = serializers.CharField(allow_blank=True, max_length=20000)


class PrivacySerializer(TokenMixin):
    privacy = serializers.ChoiceField(choices=Privacy.choices)


class FollowSerializer(serializers.Serializer):
    supports = serializers.BooleanField(default=True, help_text="“This is my problem too” (default) or just follow.")


class FollowResultSerializer(serializers.Serializer):
    following = serializers.BooleanField()
    supports = serializers.BooleanField()
    support_count = serializers.IntegerField()
    follower_count = serializers.IntegerField()


class EventResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    created_at = serializers.DateTimeField()


class DuplicateSerializer(serializers.Serializer):
    tracking_number = serializers.CharField()
    title = serializers.CharField()
    category = serializers.CharField()
    status = serializers.CharField()
    district = serializers.CharField()
    created_at = serializers.DateTimeField()
    support_count = serializers.IntegerField()
    distance_m = serializers.IntegerField()
    similarity = serializers.IntegerField(help_text="Text similarity, 0–100.")
    score = serializers.FloatField()
    reason = serializers.CharField()


class SuggestRequestSerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True, max_length=20000, trim_whitespace=False)


class SuggestionSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    score = serializers.FloatField()


class SuggestResponseSerializer(serializers.Serializer):
    suggestions = SuggestionSerializer(many=True)


class BulkSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=["verify", "set_aside", "disposition", "assign", "follow_up", "resolve"])
    reports = serializers.ListField(child=serializers.CharField(), min_length=1, max_length=200)
    officer = serializers.IntegerField(required=False)
    reason = serializers.ChoiceField(choices=SetAsideReason.choices, required=False)
    text = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    note = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    agencies = serializers.ListField(child=serializers.CharField(), required=False)


class BulkFailureSerializer(serializers.Serializer):
    tracking_number = serializers.CharField()
    message = serializers.CharField()


class BulkResultSerializer(serializers.Serializer):
    done = serializers.ListField(child=serializers.CharField())
    failed = BulkFailureSerializer(many=True)


# --- the public ------------------------------------------------------------------------------------


class PublicTimelineEntrySerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    text = serializers.CharField()
    agency_name = serializers.CharField()
    data = serializers.DictField()
    created_at = serializers.DateTimeField()
    photos = PhotoSerializer(many=True)


class PublicReportSerializer(serializers.Serializer):
    """A public report: no reporter, contact, device or staff fields exist here."""

    tracking_number = serializers.CharField()
    kind = serializers.CharField()
    category_code = serializers.CharField()
    category_name = serializers.CharField()
    title = serializers.CharField()
    text = serializers.CharField()
    lat = serializers.FloatField()
    lng = serializers.FloatField()
    address = serializers.CharField()
    village_code = serializers.CharField()
    village_name = serializers.CharField()
    district_code = serializers.CharField()
    district_name = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    open311_status = serializers.CharField()
    agency_code = serializers.CharField()
    agency_name = serializers.CharField()
    shown_name = serializers.CharField(help_text="The reporter's name only if they chose to show it; else empty.")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    first_response_at = serializers.DateTimeField(allow_null=True)
    resolved_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    expected_at = serializers.DateTimeField(allow_null=True)
    support_count = serializers.IntegerField()
    follower_count = serializers.IntegerField()
    rating = serializers.IntegerField(allow_null=True)
    duplicate_of = serializers.CharField()


class PublicReportDetailSerializer(PublicReportSerializer):
    photos = PhotoSerializer(many=True)
    timeline = PublicTimelineEntrySerializer(many=True)
