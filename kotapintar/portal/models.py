"""The e-government portal: published service standards and the satisfaction survey (SKM)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from kotapintar.core.models import TimeStampedModel

from .ikm import ELEMENTS, MAX_SCORE, MIN_SCORE


class Category(models.TextChoices):
    """The group a service is listed under in the catalogue."""

    PERMITS = "permits", _("Permits and licences")
    CIVIL_REGISTRATION = "civil_registration", _("Population and civil registration")
    HEALTH = "health", _("Health")
    TRANSPORT = "transport", _("Transport")
    ENVIRONMENT = "environment", _("Environment and cleanliness")
    INFORMATION = "information", _("Information and communication")
    COMPLAINTS = "complaints", _("Complaints and aspirations")
    SOCIAL = "social", _("Social services")
    EDUCATION = "education", _("Education")
    SAFETY = "safety", _("Public order and emergencies")
    OTHER = "other", _("Other services")


class FeeKind(models.TextChoices):
    FREE = "free", _("Free of charge")
    FIXED = "fixed", _("Fixed amount")
    TARIFF = "tariff", _("By tariff (depends on the object)")


class OnlineKind(models.TextChoices):
    """Where the online form of a service lives (resolved to a URL when a page is shown)."""

    NONE = "", _("Not online (at the office)")
    PERMIT = "permit", _("Online permit application")
    REPORT = "report", _("Report through Lapor")
    LINK = "link", _("Another page or website")


class ServiceStandard(TimeStampedModel):
    """One public service of an agency, with the standard it publishes (standar pelayanan)."""

    slug = models.SlugField(_("address name"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("agency"), on_delete=models.PROTECT, related_name="service_standards"
    )
    category = models.CharField(_("category"), max_length=30, choices=Category.choices, default=Category.OTHER)
    summary = models.TextField(_("summary"), help_text=_("One or two sentences: what the service gives a resident."))
    requirements = models.TextField(_("requirements"), blank=True, help_text=_("One requirement per line."))
    procedure = models.TextField(_("procedure"), blank=True, help_text=_("One step per line, in order."))
    service_time_days = models.PositiveSmallIntegerField(
        _("service time (working days)"), help_text=_("0 means the same working day.")
    )
    service_time_note = models.CharField(
        _("note on the service time"), max_length=200, blank=True, help_text=_("E.g. counted from a complete file.")
    )
    fee_kind = models.CharField(_("fee"), max_length=10, choices=FeeKind.choices, default=FeeKind.FREE)
    fee_amount = models.DecimalField(_("fee amount (rupiah)"), max_digits=14, decimal_places=2, null=True, blank=True)
    fee_note = models.CharField(
        _("note on the fee"), max_length=300, blank=True, help_text=_("How a tariff is computed, and its legal basis.")
    )
    product = models.TextField(_("service product"), help_text=_("What the resident receives at the end."))
    complaint_channel = models.TextField(
        _("complaints, suggestions and feedback"), help_text=_("Where and how to complain about this service.")
    )
    legal_basis = models.TextField(_("legal basis"), blank=True, help_text=_("One regulation per line."))
    location = models.CharField(
        _("where to get it"), max_length=300, blank=True, help_text=_("Office, address and opening hours.")
    )
    online_kind = models.CharField(
        _("online form"), max_length=10, choices=OnlineKind.choices, default=OnlineKind.NONE, blank=True
    )
    online_code = models.CharField(
        _("online form code"),
        max_length=300,
        blank=True,
        help_text=_(
            "Permit: the permit type code. Lapor: a report category code, or empty for the general form. "
            "Another page: its address (https://… or /path/)."
        ),
    )
    keywords = models.CharField(
        _("search words"), max_length=300, blank=True, help_text=_("Other words people use for this service.")
    )
    is_published = models.BooleanField(_("published"), default=True)

    class Meta:
        verbose_name = _("service standard")
        verbose_name_plural = _("service standards")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(fee_kind="fixed", fee_amount__gt=0) | (~Q(fee_kind="fixed") & Q(fee_amount__isnull=True))),
                name="portal_service_fee_amount_only_when_fixed",
            ),
        ]
        indexes = [models.Index(fields=["agency", "is_published"], name="portal_service_agency_idx")]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def _lines(text: str) -> list[str]:
        return [line.strip() for line in (text or "").splitlines() if line.strip()]

    @property
    def requirement_list(self) -> list[str]:
        return self._lines(self.requirements)

    @property
    def procedure_steps(self) -> list[str]:
        return self._lines(self.procedure)

    @property
    def legal_basis_list(self) -> list[str]:
        return self._lines(self.legal_basis)

    @property
    def is_free(self) -> bool:
        return self.fee_kind == FeeKind.FREE

    @property
    def is_online(self) -> bool:
        return bool(self.online_kind)


class SatisfactionSurvey(models.Model):
    """The SKM questionnaire offered to a resident once one case (a permit, a report) is finished.

    One per case. It says who was asked and whether they answered; the answer itself is a
    SurveyResponse that holds no link back to the person or the case.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for your answer")
        ANSWERED = "answered", _("Answered")
        CLOSED = "closed", _("Closed without an answer")

    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("respondent"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="satisfaction_surveys",
    )
    # The finished case, by kind and id ("permit", "123"): any app can offer a survey
    # without the portal depending on it.
    case_kind = models.CharField(_("kind of case"), max_length=40)
    case_id = models.CharField(_("case id"), max_length=64)
    case_label = models.CharField(_("case"), max_length=200, blank=True)
    case_url = models.CharField(_("link to the case"), max_length=500, blank=True)
    service = models.ForeignKey(
        ServiceStandard, verbose_name=_("service"), on_delete=models.PROTECT, related_name="surveys"
    )
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("agency"), on_delete=models.PROTECT, related_name="satisfaction_surveys"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    offered_at = models.DateTimeField(_("offered"), default=timezone.now, db_index=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")
        ordering = ["-offered_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["case_kind", "case_id"], name="portal_survey_one_per_case"),
            models.CheckConstraint(
                condition=Q(status="answered", answered_at__isnull=False) | ~Q(status="answered"),
                name="portal_survey_answered_has_time",
            ),
        ]
        indexes = [models.Index(fields=["respondent", "status"], name="portal_survey_respondent_idx")]

    def __str__(self) -> str:
        return f"SKM {self.service} — {self.case_label or f'{self.case_kind} {self.case_id}'}"

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING


# For the API schema's enum names (settings.SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]).
SurveyStatus = SatisfactionSurvey.Status


def _score_field(number: int, name) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(format_lazy("U{number} {name}", number=number, name=name))


class SurveyResponse(models.Model):
    """One anonymous SKM answer: nine scores 1–4, the service, the agency and the day.

    No person, no case, no time of day, and a random id: a published figure cannot be
    traced back to a respondent, not even by reading the database next to the surveys.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(
        ServiceStandard, verbose_name=_("service"), on_delete=models.PROTECT, related_name="responses"
    )
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("agency"), on_delete=models.PROTECT, related_name="survey_responses"
    )
    answered_on = models.DateField(_("answered on (WIB)"), db_index=True)
    u1 = _score_field(1, ELEMENTS[0][1])
    u2 = _score_field(2, ELEMENTS[1][1])
    u3 = _score_field(3, ELEMENTS[2][1])
    u4 = _score_field(4, ELEMENTS[3][1])
    u5 = _score_field(5, ELEMENTS[4][1])
    u6 = _score_field(6, ELEMENTS[5][1])
    u7 = _score_field(7, ELEMENTS[6][1])
    u8 = _score_field(8, ELEMENTS[7][1])
    u9 = _score_field(9, ELEMENTS[8][1])
    suggestions = models.TextField(_("suggestions"), blank=True)

    SCORE_FIELDS = ("u1", "u2", "u3", "u4", "u5", "u6", "u7", "u8", "u9")

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        ordering = ["-answered_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(**{f"{field}__gte": MIN_SCORE, f"{field}__lte": MAX_SCORE}),
                name=f"portal_response_{field}_1_to_4",
            )
            for field in ("u1", "u2", "u3", "u4", "u5", "u6", "u7", "u8", "u9")
        ]
        indexes = [
            models.Index(fields=["agency", "answered_on"], name="portal_response_agency_idx"),
            models.Index(fields=["service", "answered_on"], name="portal_response_service_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.service} · {self.answered_on:%Y-%m-%d}"

    @property
    def scores(self) -> tuple[int, ...]:
        return tuple(getattr(self, field) for field in self.SCORE_FIELDS)
