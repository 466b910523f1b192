"""Online permits: permit types as configuration, applications and their workflow, fees and
payments, and the signed permits the city issues.

Permit types are data, not code: an administrator defines the form fields, the required
documents, the workflow steps (with the agency that handles each and its deadline in working
days), the fee rule, the validity and what the permit document prints. The application
lifecycle (permits.md) is one explicit state machine below (TRANSITIONS); the configured steps
say who holds an application IN_PROCESS and until when.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kotapintar.core.models import TimeStampedModel

CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,31}$")
KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")

code_validator = RegexValidator(
    CODE_RE, _("Use 2 to 32 capital letters, digits and dashes, starting with a letter or digit.")
)
key_validator = RegexValidator(
    KEY_RE, _("Use lower-case letters, digits and underscores, starting with a letter (at most 40).")
)


# --- configuration ----------------------------------------------------------------------------


class FeeKind(models.TextChoices):
    FREE = "free", _("Free of charge")
    FIXED = "fixed", _("Fixed amount")
    PER_UNIT = "per_unit", _("Rate × units (e.g. m² × months)")


class Stage(models.TextChoices):
    """What a workflow step does. Steps always run in this order; a type uses each at most once."""

    REGISTRATION = "registration", _("Registration")
    COMPLETENESS = "completeness", _("Completeness check")
    TECHNICAL_REVIEW = "technical_review", _("Technical review")
    FEE_ASSESSMENT = "fee_assessment", _("Fee assessment (SKRD)")
    DECISION = "decision", _("Decision and draft permit")
    SIGNING = "signing", _("Electronic signature")
    HANDOVER = "handover", _("Final check and release")


STAGE_ORDER = {stage: i for i, stage in enumerate(Stage.values)}


class HandlerRole(models.TextChoices):
    OFFICER = "officer", _("Officers of the agency")
    HEAD = "head", _("Head of the agency")


class PermitType(TimeStampedModel):
    """A kind of permit the city issues (Izin Reklame, SIP, PBG…), as the administrator configured it."""

    code = models.CharField(_("code"), max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=150)
    document_title = models.CharField(
        _("title on the permit"), max_length=150, help_text=_("Printed as the heading of the permit document.")
    )
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("open for applications"), default=True)
    lead_agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("issuing agency (one-stop office)"),
        on_delete=models.PROTECT,
        related_name="permit_types_issued",
    )
    technical_agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("technical agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="permit_types_reviewed",
    )
    treasury_agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("treasury agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="permit_types_collected",
        help_text=_("Its staff may record payments by hand (e.g. BAPENDA)."),
    )
    # Validity
    validity_months = models.PositiveSmallIntegerField(
        _("validity (months)"),
        null=True,
        blank=True,
        help_text=_("Empty: no end date. With a validity field: the longest validity allowed."),
    )
    validity_field = models.CharField(
        _("validity from field"),
        max_length=40,
        blank=True,
        help_text=_("Key of a whole-number form field giving the months asked for (e.g. duration_months)."),
    )
    # Fee (retribusi)
    fee_kind = models.CharField(_("fee rule"), max_length=10, choices=FeeKind.choices, default=FeeKind.FREE)
    fee_amount = models.DecimalField(
        _("amount or rate (Rp)"),
        max_digits=16,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
        help_text=_("Fixed rule: the amount. Rate rule: rupiah per unit."),
    )
    fee_unit_fields = models.CharField(
        _("unit fields"),
        max_length=200,
        blank=True,
        help_text=_("Rate rule: keys of the number fields multiplied with the rate, separated by commas."),
    )
    fee_minimum = models.DecimalField(
        _("minimum fee (Rp)"),
        max_digits=16,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
    )
    fee_description = models.CharField(_("fee line on the SKRD"), max_length=200, blank=True)
    fee_rate_label = models.CharField(
        _("rate as published"), max_length=120, blank=True, help_text=_("e.g. “Rp 25.000 per m² per month”.")
    )
    payment_days = models.PositiveSmallIntegerField(
        _("days to pay"), default=30, help_text=_("Calendar days from the SKRD to its due date.")
    )
    # The document
    number_format = models.CharField(
        _("permit number format"),
        max_length=100,
        help_text=_(
            "Placeholders: {seq} (e.g. {seq:04d}), {year}, {month}, {roman_month}, {code}. "
            "Each type needs its own format so numbers never clash."
        ),
    )
    object_summary_template = models.CharField(
        _("object summary"),
        max_length=300,
        help_text=_(
            "What the permit is for, in one line, with field keys in braces: “{ad_type} {width_m} x {height_m} m”."
        ),
    )
    conditions = models.TextField(_("conditions printed on the permit"), blank=True, help_text=_("One per line."))
    allow_renewal = models.BooleanField(_("may be renewed"), default=False)
    renewal_window_days = models.PositiveSmallIntegerField(_("renewal opens (days before expiry)"), default=60)
    allow_amendment = models.BooleanField(_("may be amended"), default=False)

    class Meta:
        verbose_name = _("permit type")
        verbose_name_plural = _("permit types")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_agency_id(self) -> int | None:
        return self.lead_agency_id

    def ordered_steps(self) -> list[WorkflowStep]:
        return sorted(self.steps.all(), key=lambda s: STAGE_ORDER[s.stage])

    @property
    def service_days(self) -> int:
        """The published service time: the sum of the steps' working days."""
        return sum(step.deadline_days for step in self.steps.all())

    @property
    def unit_field_keys(self) -> list[str]:
        return [k.strip() for k in self.fee_unit_fields.split(",") if k.strip()]

    @property
    def condition_lines(self) -> list[str]:
        return [line.strip() for line in self.conditions.splitlines() if line.strip()]

    @property
    def is_free(self) -> bool:
        return self.fee_kind == FeeKind.FREE


class FieldKind(models.TextChoices):
    TEXT = "text", _("Text (one line)")
    TEXTAREA = "textarea", _("Text (several lines)")
    INTEGER = "integer", _("Whole number")
    DECIMAL = "decimal", _("Number with decimals")
    AREA = "area", _("Area (m²)")
    LENGTH = "length", _("Length (m)")
    DATE = "date", _("Date")
    CHOICE = "choice", _("Choice from a list")
    BOOLEAN = "boolean", _("Yes/no (tick box)")
    EMAIL = "email", _("Email address")


NUMERIC_KINDS = frozenset({FieldKind.INTEGER, FieldKind.DECIMAL, FieldKind.AREA, FieldKind.LENGTH})


class PermitField(models.Model):
    """One question of a permit type's application form."""

    permit_type = models.ForeignKey(PermitType, on_delete=models.CASCADE, related_name="fields")
    key = models.CharField(_("key"), max_length=40, validators=[key_validator])
    label = models.CharField(_("label"), max_length=150)
    kind = models.CharField(_("kind"), max_length=10, choices=FieldKind.choices, default=FieldKind.TEXT)
    required = models.BooleanField(_("required"), default=True)
    help_text = models.CharField(_("help text"), max_length=300, blank=True)
    choices = models.TextField(_("choices"), blank=True, help_text=_("Choice fields: one option per line."))
    min_value = models.DecimalField(_("minimum"), max_digits=16, decimal_places=2, null=True, blank=True)
    max_value = models.DecimalField(_("maximum"), max_digits=16, decimal_places=2, null=True, blank=True)
    max_length = models.PositiveSmallIntegerField(_("maximum length"), null=True, blank=True)
    print_on_permit = models.BooleanField(_("printed on the permit"), default=True)
    position = models.PositiveSmallIntegerField(_("order on the form"), default=0)

    class Meta:
        verbose_name = _("form field")
        verbose_name_plural = _("form fields")
        ordering = ["permit_type", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["permit_type", "key"], name="permits_field_unique_key")]

    def __str__(self) -> str:
        return f"{self.label} ({self.key})"

    @property
    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]


class FileKind(models.TextChoices):
    PDF = "pdf", "PDF"
    JPEG = "jpeg", "JPEG"
    PNG = "png", "PNG"


class RequiredDocument(models.Model):
    """A document an applicant uploads with the application (ID card, site plan, STR…)."""

    permit_type = models.ForeignKey(PermitType, on_delete=models.CASCADE, related_name="documents")
    key = models.CharField(_("key"), max_length=40, validators=[key_validator])
    label = models.CharField(_("label"), max_length=150)
    help_text = models.CharField(_("help text"), max_length=300, blank=True)
    allowed_kinds = models.CharField(
        _("allowed file kinds"), max_length=30, default="pdf,jpeg,png", help_text=_("Any of pdf, jpeg, png.")
    )
    max_size_mb = models.PositiveSmallIntegerField(_("size limit (MB)"), default=5)
    mandatory = models.BooleanField(_("mandatory"), default=True)
    position = models.PositiveSmallIntegerField(_("order on the form"), default=0)

    class Meta:
        verbose_name = _("required document")
        verbose_name_plural = _("required documents")
        ordering = ["permit_type", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["permit_type", "key"], name="permits_document_unique_key")]

    def __str__(self) -> str:
        return self.label

    @property
    def kinds(self) -> list[str]:
        return [k.strip().lower() for k in self.allowed_kinds.split(",") if k.strip()]

    @property
    def max_bytes(self) -> int:
        return int(self.max_size_mb) * 1024 * 1024


class WorkflowStep(models.Model):
    """One step of a permit type's workflow: who handles it and in how many working days."""

    permit_type = models.ForeignKey(PermitType, on_delete=models.CASCADE, related_name="steps")
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices)
    name = models.CharField(_("name as published"), max_length=120)
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("handled by agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: the technical agency for the technical review, else the issuing agency."),
    )
    handler_role = models.CharField(
        _("handled by"), max_length=10, choices=HandlerRole.choices, default=HandlerRole.OFFICER
    )
    deadline_days = models.PositiveSmallIntegerField(_("deadline (working days)"), default=1)

    class Meta:
        verbose_name = _("workflow step")
        verbose_name_plural = _("workflow steps")
        ordering = ["permit_type", "id"]
        constraints = [models.UniqueConstraint(fields=["permit_type", "stage"], name="permits_step_unique_stage")]

    def __str__(self) -> str:
        return f"{self.name} ({self.deadline_days})"

    @property
    def rank(self) -> int:
        return STAGE_ORDER[self.stage]

    @property
    def handling_agency_id(self) -> int | None:
        if self.agency_id:
            return self.agency_id
        if self.stage == Stage.TECHNICAL_REVIEW and self.permit_type.technical_agency_id:
            return self.permit_type.technical_agency_id
        return self.permit_type.lead_agency_id

    @property
    def handling_agency(self):
        if self.agency_id:
            return self.agency
        if self.stage == Stage.TECHNICAL_REVIEW and self.permit_type.technical_agency_id:
            return self.permit_type.technical_agency
        return self.permit_type.lead_agency

    @property
    def is_automatic(self) -> bool:
        return self.stage == Stage.REGISTRATION


# --- applications -------------------------------------------------------------------------------


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_PROCESS = "in_process", _("In process")
    RETURNED = "returned", _("Returned for completion")
    AWAITING_PAYMENT = "awaiting_payment", _("Waiting for payment")
    ISSUED = "issued", _("Permit issued")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# The lifecycle (permits.md). Anything else raises InvalidTransition.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.DRAFT: frozenset({Status.IN_PROCESS, Status.WITHDRAWN}),
    Status.IN_PROCESS: frozenset(
        {Status.IN_PROCESS, Status.RETURNED, Status.AWAITING_PAYMENT, Status.ISSUED, Status.REJECTED, Status.WITHDRAWN}
    ),
    Status.RETURNED: frozenset({Status.IN_PROCESS, Status.WITHDRAWN}),
    Status.AWAITING_PAYMENT: frozenset({Status.IN_PROCESS, Status.WITHDRAWN}),
    Status.ISSUED: frozenset(),
    Status.REJECTED: frozenset(),
    Status.WITHDRAWN: frozenset(),
}
OPEN_STATUSES = frozenset({Status.IN_PROCESS, Status.RETURNED, Status.AWAITING_PAYMENT})
# While the file is with the applicant the service clock stops.
PAUSED_STATUSES = frozenset({Status.RETURNED, Status.AWAITING_PAYMENT})
CLOSED_STATUSES = frozenset({Status.ISSUED, Status.REJECTED, Status.WITHDRAWN})


class ApplicationKind(models.TextChoices):
    NEW = "new", _("New permit")
    RENEWAL = "renewal", _("Renewal")
    AMENDMENT = "amendment", _("Amendment")


class Recommendation(models.TextChoices):
    APPROVE = "approve", _("Recommend approval")
    REJECT = "reject", _("Recommend rejection")


class Application(models.Model):
    """A resident's or a business's application for one permit, from draft to decision."""

    id = models.BigAutoField(primary_key=True)
    permit_type = models.ForeignKey(
        PermitType, verbose_name=_("permit type"), on_delete=models.PROTECT, related_name="applications"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applicant"),
        on_delete=models.PROTECT,
        related_name="permit_applications",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ApplicationKind.choices, default=ApplicationKind.NEW)
    previous_permit = models.ForeignKey(
        "Permit",
        verbose_name=_("permit renewed or amended"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="follow_up_applications",
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    registration_number = models.CharField(_("registration number"), max_length=60, unique=True, null=True, blank=True)
    holder_name = models.CharField(_("permit holder"), max_length=100, blank=True)
    holder_address = models.CharField(_("holder's address"), max_length=200, blank=True)
    data = models.JSONField(_("form answers"), default=dict, blank=True)
    # The token of the form that created it: a second press of "submit" finds this row.
    client_key = models.CharField(max_length=64, blank=True)
    current_step = models.ForeignKey(
        WorkflowStep, verbose_name=_("current step"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created on"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True, db_index=True)
    paused_since = models.DateTimeField(_("with the applicant since"), null=True, blank=True)
    paused_working_days = models.PositiveIntegerField(_("working days with the applicant"), default=0)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    return_note = models.TextField(_("what is missing"), blank=True)
    missing_documents = models.JSONField(_("missing documents"), default=list, blank=True)
    recommendation = models.CharField(
        _("technical recommendation"), max_length=10, choices=Recommendation.choices, blank=True
    )
    recommendation_note = models.TextField(_("technical review note"), blank=True)
    decision_reason = models.TextField(_("reason of the decision"), blank=True)

    class Meta:
        verbose_name = _("permit application")
        verbose_name_plural = _("permit applications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["applicant", "client_key"], condition=~Q(client_key=""), name="permits_app_unique_client_key"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(registration_number__isnull=False),
                name="permits_app_submitted_has_number",
            ),
        ]
        indexes = [
            models.Index(fields=["applicant", "status"], name="permits_app_applicant_idx"),
            models.Index(fields=["status", "current_step"], name="permits_app_queue_idx"),
        ]

    def __str__(self) -> str:
        return self.registration_number or f"{_('Draft')} #{self.pk}"

    @property
    def audit_agency_id(self) -> int | None:
        step = self.current_step
        if step is not None:
            return step.handling_agency_id
        return self.permit_type.lead_agency_id

    @property
    def is_draft(self) -> bool:
        return self.status == Status.DRAFT

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_paused(self) -> bool:
        return self.status in PAUSED_STATUSES

    @property
    def stage(self) -> str | None:
        step = self.current_step
        return step.stage if step is not None else None

    def can_move_to(self, status: str) -> bool:
        return status in TRANSITIONS[self.status]


class StepVisit(models.Model):
    """An application's stay at one workflow step: when it came, when it is due, how it left."""

    class Outcome(models.TextChoices):
        DONE = "done", _("Done")
        RETURNED = "returned", _("Returned to the applicant")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    id = models.BigAutoField(primary_key=True)
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="visits")
    step = models.ForeignKey(WorkflowStep, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(_("arrived"), default=timezone.now)
    due_at = models.DateTimeField(_("due"))
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    paused_working_days = models.PositiveIntegerField(default=0)
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("step of an application")
        verbose_name_plural = _("steps of applications")
        ordering = ["entered_at", "id"]
        indexes = [models.Index(fields=["completed_at", "due_at"], name="permits_visit_open_idx")]

    def __str__(self) -> str:
        return f"{self.application_id} @ {self.step.stage}"


class Pause(models.Model):
    """A time the application was with the applicant (returned, or waiting for payment): the clock stopped."""

    class Reason(models.TextChoices):
        RETURNED = "returned", _("Returned for completion")
        PAYMENT = "payment", _("Waiting for payment")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="pauses")
    reason = models.CharField(max_length=10, choices=Reason.choices)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    working_days = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["started_at", "id"]
        verbose_name = _("pause")
        verbose_name_plural = _("pauses")

    def __str__(self) -> str:
        return f"{self.application_id} {self.reason} {self.started_at:%Y-%m-%d}"


class EventKind(models.TextChoices):
    CREATED = "created", _("Draft saved")
    SUBMITTED = "submitted", _("Submitted")
    STEP = "step", _("Moved to a new step")
    RETURNED = "returned", _("Returned for completion")
    RESUBMITTED = "resubmitted", _("Completed by the applicant")
    REVIEWED = "reviewed", _("Technical review done")
    ASSESSED = "assessed", _("Fee assessed (SKRD issued)")
    PAID = "paid", _("Fee paid")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    SIGNED = "signed", _("Signed and numbered")
    ISSUED = "issued", _("Permit issued")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REMINDER = "reminder", _("Deadline reminder")
    ESCALATED = "escalated", _("Escalated: deadline passed")
    REVOKED = "revoked", _("Permit revoked")


class ApplicationEvent(models.Model):
    """One line of an application's timeline. Internal lines are for staff only."""

    id = models.BigAutoField(primary_key=True)
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    created_at = models.DateTimeField(default=timezone.now)
    # Who acted, as the applicant may see it: an agency and role, never a staff member's name.
    actor_label = models.CharField(max_length=200, blank=True)
    message = models.TextField(blank=True)
    internal = models.BooleanField(default=False)
    step = models.ForeignKey(WorkflowStep, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline")

    def __str__(self) -> str:
        return f"{self.application_id} {self.kind} {self.created_at:%Y-%m-%d %H:%M}"


def document_path(instance, filename: str) -> str:  # pragma: no cover - files are written by services
    return filename


class ApplicationDocument(models.Model):
    """A file of an application: a required document, or a staff upload such as a site-survey report.

    Stored under PRIVATE_MEDIA_ROOT/permits/ with a random name; served only by a view that
    checks access. A replaced upload stays (is_current False) so nothing is lost.
    """

    class Kind(models.TextChoices):
        REQUIREMENT = "requirement", _("Required document")
        SURVEY_REPORT = "survey_report", _("Site-survey report")

    id = models.BigAutoField(primary_key=True)
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="files")
    requirement = models.ForeignKey(
        RequiredDocument, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.REQUIREMENT)
    label = models.CharField(_("document"), max_length=150)
    path = models.CharField(max_length=255)  # relative to PRIVATE_MEDIA_ROOT
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    is_current = models.BooleanField(default=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("application document")
        verbose_name_plural = _("application documents")

    def __str__(self) -> str:
        return f"{self.label}: {self.original_name}"

    @property
    def audit_agency_id(self) -> int | None:
        return self.application.audit_agency_id


# --- numbering ---------------------------------------------------------------------------------------


class NumberSeries(models.Model):
    """The last number given in one series (per permit type, year and kind): numbers without gaps."""

    class Kind(models.TextChoices):
        REGISTRATION = "registration", _("Registration")
        PERMIT = "permit", _("Permit")
        SKRD = "skrd", _("SKRD")

    permit_type = models.ForeignKey(PermitType, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=15, choices=Kind.choices)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("number series")
        verbose_name_plural = _("number series")
        constraints = [
            models.UniqueConstraint(fields=["permit_type", "year", "kind"], name="permits_series_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.permit_type_id}/{self.year}/{self.kind}: {self.last}"


# --- fees and payments ---------------------------------------------------------------------------------


class FeeAssessment(models.Model):
    """The fee (retribusi) set for an application, with its SKRD letter and payment code."""

    class Status(models.TextChoices):
        UNPAID = "unpaid", _("Not paid yet")
        PAID = "paid", _("Paid")
        CANCELLED = "cancelled", _("Cancelled")

    id = models.BigAutoField(primary_key=True)
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="assessments")
    skrd_number = models.CharField(_("SKRD number"), max_length=60, unique=True)
    payment_code = models.CharField(_("payment code"), max_length=30, unique=True)
    computed_amount = models.DecimalField(_("computed amount"), max_digits=16, decimal_places=2)
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    lines = models.JSONField(_("fee lines"), default=list)
    adjustment_reason = models.TextField(_("reason for changing the amount"), blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    official_name = models.CharField(max_length=150, blank=True)
    official_position = models.CharField(max_length=200, blank=True)
    assessed_at = models.DateTimeField(_("assessed"), default=timezone.now)
    due_date = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.UNPAID)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)

    class Meta:
        verbose_name = _("fee assessment (SKRD)")
        verbose_name_plural = _("fee assessments (SKRD)")
        ordering = ["-assessed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application"], condition=~Q(status="cancelled"), name="permits_one_live_assessment"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="permits_assessment_amount_positive"),
        ]

    def __str__(self) -> str:
        return self.skrd_number

    @property
    def audit_agency_id(self) -> int | None:
        return self.application.permit_type.lead_agency_id


class Payment(models.Model):
    """The payment of one assessment: from the payment gateway, or recorded by the treasury."""

    class Channel(models.TextChoices):
        GATEWAY = "gateway", _("Payment gateway")
        MANUAL = "manual", _("Recorded by the treasury")

    id = models.BigAutoField(primary_key=True)
    assessment = models.OneToOneField(FeeAssessment, on_delete=models.PROTECT, related_name="payment")
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    gateway_event_id = models.CharField(max_length=100, unique=True, null=True, blank=True)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    paid_at = models.DateTimeField(_("paid at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-paid_at", "-id"]

    def __str__(self) -> str:
        return f"{self.assessment_id}: {self.amount}"

    @property
    def audit_agency_id(self) -> int | None:
        return self.assessment.application.permit_type.lead_agency_id


class GatewayEvent(models.Model):
    """A payment-gateway callback as received: replays answer from here, never pay twice."""

    class Outcome(models.TextChoices):
        PAID = "paid", _("Payment recorded")
        ALREADY_PAID = "already_paid", _("Already paid")
        AMOUNT_MISMATCH = "amount_mismatch", _("Amount does not match")
        UNKNOWN_CODE = "unknown_code", _("Unknown payment code")
        NOT_PAYABLE = "not_payable", _("Not payable")

    id = models.BigAutoField(primary_key=True)
    event_id = models.CharField(max_length=100, unique=True)
    received_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    payment_code = models.CharField(max_length=60, blank=True)
    amount = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    body_sha256 = models.CharField(max_length=64)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    http_status = models.PositiveSmallIntegerField()
    response = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("payment gateway event")
        verbose_name_plural = _("payment gateway events")
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.event_id} ({self.outcome})"


# --- permits ----------------------------------------------------------------------------------------------


class Permit(models.Model):
    """A permit the city issued and signed; what the public verification page looks up."""

    id = models.BigAutoField(primary_key=True)
    application = models.OneToOneField(
        Application, null=True, blank=True, on_delete=models.PROTECT, related_name="permit"
    )
    permit_type = models.ForeignKey(PermitType, on_delete=models.PROTECT, related_name="permits")
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("holder's account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="permits",
    )
    number = models.CharField(_("permit number"), max_length=64, unique=True)
    holder_name = models.CharField(_("permit holder"), max_length=100)
    holder_address = models.CharField(_("holder's address"), max_length=200, blank=True)
    object_summary = models.CharField(_("object"), max_length=120)
    object_fields = models.JSONField(_("printed details"), default=list)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    issued_on = models.DateField(_("issued on"))
    issued_at = models.DateTimeField(_("signed at"), default=timezone.now)
    issuer_code = models.CharField(_("issuer"), max_length=16)
    released_at = models.DateTimeField(_("released to the holder"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    official_name = models.CharField(max_length=150)
    official_position = models.CharField(max_length=200)
    official_nip = models.CharField(max_length=30, blank=True)
    agency_name = models.CharField(max_length=200)
    agency_address = models.CharField(max_length=300, blank=True)
    city_name = models.CharField(max_length=100)
    # The signed canonical data, the key id, the signature and the token printed as QR.
    canonical = models.TextField()
    kid = models.CharField(max_length=32)
    signature = models.CharField(max_length=100)  # base64 of the 64 bytes
    token = models.CharField(max_length=1024, unique=True)
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revocation_reason = models.TextField(_("reason for revocation"), blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="supersedes"
    )

    class Meta:
        verbose_name = _("permit")
        verbose_name_plural = _("permits")
        ordering = ["-issued_at", "-id"]
        indexes = [
            models.Index(fields=["holder", "valid_until"], name="permits_permit_holder_idx"),
            models.Index(fields=["valid_until"], name="permits_permit_until_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def audit_agency_id(self) -> int | None:
        return self.permit_type.lead_agency_id

    def status_on(self, day: dt.date | None = None) -> str:
        from .verification import permit_status

        return str(permit_status(self.claims(), revoked_on=self.revoked_on, today=day))

    def claims(self):
        from .signing import PermitClaims

        return PermitClaims.from_canonical(self.canonical.encode("utf-8"))

    @property
    def is_revoked(self) -> bool:
        return self.revoked_on is not None

    @property
    def is_released(self) -> bool:
        return self.released_at is not None
