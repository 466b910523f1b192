"""Citizen reports (Lapor): categories, reports, their timeline, photos, routing and followers.

The state machine of a report is the TRANSITIONS table below; services (reports.services)
are the only code that changes a report, and they check every change against it.

    submitted ──verify──▶ verified ──disposition──▶ dispositioned ──follow-up──▶ in_progress
        │                    │                            │                        │
        └─set aside / merge──┴──────── merge ─────────────┴──── resolve ──────────▶ resolved
                                                                                    │   ▲
                                             confirm / auto-close ◀─────────────────┘   │
                                             closed ──reopen (within the window)──▶ in_progress

Coordinates are WGS84 decimal degrees stored as floats (rounded to 6 decimals, ~0.1 m),
like the bounding boxes in regions.Region: range filters and distance maths use them
directly. Times are UTC; deadlines are the END of a working day in WIB (core.calendar).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kotapintar.core.models import TimeStampedModel

# --- categories -----------------------------------------------------------------------------


class ReportKind(models.TextChoices):
    """The three kinds of report of SP4N-LAPOR!."""

    COMPLAINT = "complaint", _("Complaint")
    ASPIRATION = "aspiration", _("Aspiration")
    INFORMATION = "information", _("Information request")


class Category(TimeStampedModel):
    """A kind of problem residents report (Open311: a service), with its routing and time limit."""

    class Routing(models.TextChoices):
        AGENCY = "agency", _("To the category's agency")
        AREA = "area", _("To the kecamatan office of the location")
        VERIFIER = "verifier", _("By the verifier, by hand")

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)  # Indonesian (the UI default)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=ReportKind.choices, default=ReportKind.COMPLAINT)
    default_agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("default agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="report_categories",
    )
    routing = models.CharField(_("routing"), max_length=10, choices=Routing.choices, default=Routing.AGENCY)
    resolution_days = models.PositiveSmallIntegerField(_("resolution limit (working days)"), default=14)
    duplicate_radius_m = models.PositiveIntegerField(_("duplicate search radius (m)"), default=150)
    related = models.ManyToManyField("self", verbose_name=_("related categories"), blank=True, symmetrical=True)
    keywords = models.TextField(_("keywords / examples"), blank=True)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("report category")
        verbose_name_plural = _("report categories")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        """The name in the active language (English when the UI is in English and one exists)."""
        from django.utils import translation

        if self.name_en and (translation.get_language() or "id").startswith("en"):
            return self.name_en
        return self.name


class CategoryAttribute(models.Model):
    """An extra question of a category (Open311 service-definition attribute)."""

    class Datatype(models.TextChoices):
        STRING = "string", _("Short text")
        NUMBER = "number", _("Number")
        DATETIME = "datetime", _("Date and time")
        TEXT = "text", _("Long text")
        SINGLEVALUELIST = "singlevaluelist", _("One choice from a list")
        MULTIVALUELIST = "multivaluelist", _("Several choices from a list")

    LIST_TYPES = frozenset({Datatype.SINGLEVALUELIST, Datatype.MULTIVALUELIST})

    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.CASCADE, related_name="attributes"
    )
    code = models.SlugField(_("code"), max_length=60)
    # Open311 "variable": false means an informational text shown to the resident, not a question.
    variable = models.BooleanField(_("asks for an answer"), default=True)
    datatype = models.CharField(_("type of answer"), max_length=20, choices=Datatype.choices)
    required = models.BooleanField(_("required"), default=False)
    description = models.TextField(_("question"))
    datatype_description = models.CharField(_("help text"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    # For the list types: [{"key": "...", "name": "..."}, ...]
    values = models.JSONField(_("choices"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("category question")
        verbose_name_plural = _("category questions")
        ordering = ["category", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["category", "code"], name="reports_attr_unique_code")]

    def __str__(self) -> str:
        return f"{self.category.code}:{self.code}"

    @property
    def choice_keys(self) -> list[str]:
        return [str(v.get("key")) for v in (self.values or []) if isinstance(v, dict)]


# --- reports --------------------------------------------------------------------------------


class Status(models.TextChoices):
    """Where a report is in its life."""

    SUBMITTED = "submitted", _("Awaiting verification")
    VERIFIED = "verified", _("Verified")
    DISPOSITIONED = "dispositioned", _("Routed to the agency")
    IN_PROGRESS = "in_progress", _("Being handled")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    SET_ASIDE = "set_aside", _("Set aside")
    MERGED = "merged", _("Merged into another report")


#: The state machine: from → the states a service may move a report to.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.SUBMITTED: frozenset({Status.VERIFIED, Status.SET_ASIDE, Status.MERGED}),
    Status.VERIFIED: frozenset({Status.DISPOSITIONED, Status.SET_ASIDE, Status.MERGED}),
    Status.DISPOSITIONED: frozenset({Status.IN_PROGRESS, Status.RESOLVED, Status.MERGED}),
    Status.IN_PROGRESS: frozenset({Status.RESOLVED, Status.MERGED}),
    Status.RESOLVED: frozenset({Status.CLOSED, Status.IN_PROGRESS}),
    Status.CLOSED: frozenset({Status.IN_PROGRESS}),
    Status.SET_ASIDE: frozenset(),
    Status.MERGED: frozenset(),
}

#: Waiting for the verifier desk.
TRIAGE_STATUSES = frozenset({Status.SUBMITTED, Status.VERIFIED})
#: With an agency, not yet resolved.
AGENCY_STATUSES = frozenset({Status.DISPOSITIONED, Status.IN_PROGRESS})
#: Still someone's work (the complaint is not settled).
OPEN_STATUSES = TRIAGE_STATUSES | AGENCY_STATUSES
#: Nothing more will happen (except a reopen of a closed report within its window).
FINAL_STATUSES = frozenset({Status.CLOSED, Status.SET_ASIDE, Status.MERGED})
#: Open311 maps every state to open or closed.
OPEN311_CLOSED = frozenset({Status.RESOLVED, Status.CLOSED, Status.SET_ASIDE, Status.MERGED})


def can_transition(source: str, target: str) -> bool:
    return target in TRANSITIONS.get(source, frozenset())


class Privacy(models.TextChoices):
    """Who may see the report and its reporter (reports.md)."""

    # The report and (only if the person asks, with show_name) their name are public.
    PUBLIC = "public", _("Public")
    # The report is public; the reporter's identity is hidden from the public AND the agency.
    ANONYMOUS = "anonymous", _("Anonymous")
    # The report itself is not public (only the reporter, the verifier desk and the agency).
    CONFIDENTIAL = "confidential", _("Confidential")


class Channel(models.TextChoices):
    """How the report reached the city."""

    WEB = "web", _("Website")
    API = "api", _("Mobile app / API")
    OPEN311 = "open311", _("Open311 client")
    STAFF = "staff", _("Entered by staff")
    WHATSAPP = "whatsapp", _("WhatsApp")
    DEMO = "demo", _("Demo data")


class SetAsideReason(models.TextChoices):
    """Why the verifier desk did not take a report forward (shown to the reporter)."""

    OUT_OF_SCOPE = "out_of_scope", _("Out of scope (criminal, legal dispute or legislative matter)")
    NOT_CITY_AUTHORITY = "not_city_authority", _("Not the city government's authority")
    INCOMPLETE = "incomplete", _("Incomplete: not enough information to act on")
    DUPLICATE = "duplicate", _("Duplicate of another report")


class DeadlineState(models.TextChoices):
    """Badge of a report's current deadline."""

    NONE = "none", _("No deadline")
    ON_TIME = "on_time", _("On time")
    DUE_SOON = "due_soon", _("Due soon")
    OVERDUE = "overdue", _("Overdue")


class Report(models.Model):
    """One citizen report (laporan): a complaint, an aspiration or an information request."""

    id = models.BigAutoField(primary_key=True)
    # Short, human-typable, random (never sequential): e.g. LPR-26-7K3QX9.
    tracking_number = models.CharField(_("tracking number"), max_length=20, unique=True)
    # SHA-256 of the secret token in the tracking link of a person without an account.
    tracking_token_hash = models.CharField(max_length=64, blank=True, editable=False)

    kind = models.CharField(_("kind"), max_length=20, choices=ReportKind.choices, default=ReportKind.COMPLAINT)
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="reports", db_index=False
    )
    # What the reporter (or the suggestion) chose, before any correction by the verifier.
    submitted_category = models.ForeignKey(
        Category,
        verbose_name=_("category chosen by the reporter"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        db_index=False,
    )
    title = models.CharField(_("title"), max_length=120)
    text = models.TextField(_("description"))  # plain text, never interpreted as HTML
    attributes = models.JSONField(_("answers to the category's questions"), default=dict, blank=True)

    lat = models.FloatField(_("latitude"))
    lng = models.FloatField(_("longitude"))
    address = models.CharField(_("address / landmark"), max_length=300, blank=True)
    village = models.ForeignKey(
        "regions.Region",
        verbose_name=_("kelurahan"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    district = models.ForeignKey(
        "regions.Region",
        verbose_name=_("kecamatan"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    privacy = models.CharField(_("privacy"), max_length=15, choices=Privacy.choices, default=Privacy.ANONYMOUS)
    # The person chose to show their name publicly (only honoured for public reports).
    show_name = models.BooleanField(_("show my name"), default=False)
    # The name shown on public pages: set only when show_name and privacy is public.
    public_name = models.CharField(_("public name"), max_length=150, blank=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reporter"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
        db_index=False,
    )
    # Contact of a person filing without an account. Never public, never shown to agencies
    # for anonymous reports.
    reporter_name = models.CharField(_("reporter name"), max_length=150, blank=True)
    reporter_email = models.EmailField(_("reporter email"), blank=True)
    reporter_phone = models.CharField(_("reporter phone"), max_length=20, blank=True)
    device_id = models.CharField(_("device id"), max_length=64, blank=True)

    status = models.CharField(_("status"), max_length=15, choices=Status.choices, default=Status.SUBMITTED)
    set_aside_reason = models.CharField(
        _("reason set aside"), max_length=30, choices=SetAsideReason.choices, blank=True
    )
    # Denormalised: privacy is not confidential and the report has been verified (and not
    # set aside). Kept by the services (compute_is_public); public selectors filter on it.
    is_public = models.BooleanField(_("public"), default=False)

    channel = models.CharField(_("channel"), max_length=15, choices=Channel.choices, default=Channel.WEB)
    # The client application that filed it (Open311 API key name/id, app name); free text.
    channel_client = models.CharField(_("client application"), max_length=100, blank=True)
    # Idempotency-Key of the filing request, unique within its scope (account, device or client).
    idempotency_scope = models.CharField(max_length=100, blank=True, editable=False)
    idempotency_key = models.CharField(max_length=100, null=True, blank=True, editable=False)
    external_media_url = models.URLField(_("photo link given by the client"), max_length=500, blank=True)

    # Routing: the primary agency now responsible (denormalised from Disposition) and its officer.
    responsible_agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("responsible agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned officer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("duplicate of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duplicates",
    )
    # The agency asked the reporter for more information and awaits the answer.
    awaiting_reporter = models.BooleanField(_("waiting for the reporter"), default=False)

    created_at = models.DateTimeField(_("filed"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    set_aside_at = models.DateTimeField(_("set aside"), null=True, blank=True)
    dispositioned_at = models.DateTimeField(_("routed"), null=True, blank=True)
    first_response_at = models.DateTimeField(_("first follow-up"), null=True, blank=True)
    last_follow_up_at = models.DateTimeField(_("last follow-up"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    # Deadlines per stage (end of a working day, WIB) — reports.md.
    verify_due = models.DateTimeField(_("verification and routing due"), null=True, blank=True)
    response_due = models.DateTimeField(_("first follow-up due"), null=True, blank=True)
    resolution_due = models.DateTimeField(_("resolution due"), null=True, blank=True)
    auto_close_due = models.DateTimeField(_("closes automatically"), null=True, blank=True)
    reopen_until = models.DateTimeField(_("may be reopened until"), null=True, blank=True)
    # The deadline of the current stage (the earliest open one); null when nothing is due.
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    # 0 none, 1 officer reminded, 2 agency head, 3 leadership — for the current due_at.
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    # Whether the current stage was met late (for "share resolved on time" statistics).
    resolved_on_time = models.BooleanField(_("resolved on time"), null=True, blank=True)

    support_count = models.PositiveIntegerField(_("supporters"), default=0)
    follower_count = models.PositiveIntegerField(_("followers"), default=0)
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    rating_comment = models.TextField(_("rating comment"), blank=True)
    rated_at = models.DateTimeField(_("rated"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-created_at", "-id"]
        indexes = [
            # Verifier queue: status in (submitted, verified) ordered by deadline.
            models.Index(fields=["status", "due_at"], name="reports_queue_idx"),
            # Agency inbox: my agency, open statuses, by deadline.
            models.Index(fields=["responsible_agency", "status", "due_at"], name="reports_inbox_idx"),
            # The officer's own list.
            models.Index(fields=["assigned_to", "status"], name="reports_assigned_idx"),
            # Public list (newest first) and map (bounding box), Open311 lists.
            models.Index(fields=["is_public", "created_at"], name="reports_public_idx"),
            models.Index(fields=["is_public", "updated_at"], name="reports_public_upd_idx"),
            # Deep pages of public reports in date order (Open311 page 1,000): the ids come in
            # order from this small partial index alone (an index-only scan on PostgreSQL), so
            # the rows skipped by OFFSET are never read from the table. New reports are not
            # public, so filing does not write to it.
            models.Index(
                fields=["created_at", "id"],
                condition=Q(is_public=True) & ~Q(privacy="confidential"),
                name="reports_public_page_idx",
            ),
            models.Index(fields=["lat", "lng"], name="reports_geo_idx"),
            # Duplicates (category, last 30 days), Open311 service_code filter.
            models.Index(fields=["category", "created_at"], name="reports_category_idx"),
            # "Laporan Saya".
            models.Index(fields=["reporter", "created_at"], name="reports_reporter_idx"),
            # Open311 lists by date, stats by period.
            models.Index(fields=["created_at"], name="reports_created_idx"),
            models.Index(fields=["updated_at"], name="reports_updated_idx"),
            # SLA sweep: everything due before a moment.
            models.Index(fields=["due_at"], name="reports_due_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["idempotency_scope", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="reports_idempotency_unique",
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5), name="reports_rating_1_5"
            ),
            models.CheckConstraint(
                condition=Q(lat__gte=-90, lat__lte=90, lng__gte=-180, lng__lte=180), name="reports_latlng_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tracking_number} — {self.title}"

    # -- small properties (no queries) --------------------------------------------------

    @property
    def audit_agency_id(self) -> int | None:
        """Audit rows about a report belong to its responsible agency (its staff read them)."""
        return self.responsible_agency_id

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_anonymous(self) -> bool:
        return self.privacy == Privacy.ANONYMOUS

    @property
    def is_confidential(self) -> bool:
        return self.privacy == Privacy.CONFIDENTIAL

    @property
    def open311_status(self) -> str:
        return "closed" if self.status in OPEN311_CLOSED else "open"

    def compute_is_public(self) -> bool:
        """The rule behind `is_public` (services call refresh_is_public after a change).

        Public once the verifier desk has looked at it (verified), unless confidential or
        set aside: unmoderated text (a neighbour's name, a phone number) never goes out.
        """
        return (
            self.privacy != Privacy.CONFIDENTIAL
            and self.verified_at is not None
            and self.status not in (Status.SUBMITTED, Status.SET_ASIDE)
        )

    def refresh_is_public(self) -> bool:
        """Recompute `is_public`; True when it changed (photos must then move)."""
        value = self.compute_is_public()
        changed = value != self.is_public
        self.is_public = value
        return changed

    def can_transition(self, target: str) -> bool:
        return can_transition(self.status, target)


class Disposition(models.Model):
    """The routing of a report to one agency (a report may be routed to several)."""

    class State(models.TextChoices):
        ACTIVE = "active", _("Active")
        DONE = "done", _("Done")
        REROUTED = "rerouted", _("Re-routed to another agency")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    id = models.BigAutoField(primary_key=True)
    report = models.ForeignKey(Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="dispositions")
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        related_name="report_dispositions",
        db_index=False,
    )
    # The agency answerable for the report as a whole (its name is shown to the public).
    is_primary = models.BooleanField(_("primary"), default=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.ACTIVE)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned officer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("routed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("instruction"), blank=True)
    reason = models.TextField(_("reason"), blank=True)  # why it was re-routed away
    due_at = models.DateTimeField(_("resolution due"), null=True, blank=True)
    created_at = models.DateTimeField(_("routed"), default=timezone.now)
    closed_at = models.DateTimeField(_("ended"), null=True, blank=True)

    class Meta:
        verbose_name = _("disposition")
        verbose_name_plural = _("dispositions")
        ordering = ["report", "-is_primary", "created_at"]
        indexes = [
            models.Index(fields=["agency", "state", "due_at"], name="reports_disp_inbox_idx"),
            models.Index(fields=["agency", "report"], name="reports_disp_agency_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "agency"], condition=Q(state="active"), name="reports_disp_one_active"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report_id} → {self.agency_id} ({self.state})"

    @property
    def audit_agency_id(self) -> int | None:
        return self.agency_id


class Visibility(models.TextChoices):
    """Who reads a timeline entry."""

    PUBLIC = "public", _("Everybody")
    REPORTER = "reporter", _("The reporter and staff")
    INTERNAL = "internal", _("Staff only")


class EventKind(models.TextChoices):
    """What happened to a report (one timeline entry)."""

    SUBMITTED = "submitted", _("Report filed")
    VERIFIED = "verified", _("Verified")
    SET_ASIDE = "set_aside", _("Set aside")
    RECATEGORISED = "recategorised", _("Category corrected")
    DISPOSITIONED = "dispositioned", _("Routed to an agency")
    REROUTED = "rerouted", _("Re-routed to another agency")
    ASSIGNED = "assigned", _("Assigned to an officer")
    NOTE = "note", _("Internal note")
    FOLLOW_UP = "follow_up", _("Follow-up")
    INFO_REQUESTED = "info_requested", _("More information requested from the reporter")
    REPORTER_REPLY = "reporter_reply", _("Reporter's reply")
    RESOLVED = "resolved", _("Resolved")
    CONFIRMED = "confirmed", _("Resolution confirmed by the reporter")
    REOPENED = "reopened", _("Reopened")
    CLOSED = "closed", _("Closed")
    AUTO_CLOSED = "auto_closed", _("Closed automatically")
    MERGED = "merged", _("Merged")
    RATED = "rated", _("Rated")
    ESCALATED = "escalated", _("Escalated")
    SUPPORTED = "supported", _("Supported by a resident")
    PRIVACY_CHANGED = "privacy_changed", _("Privacy changed")


class ReportEvent(models.Model):
    """One entry of a report's timeline: who (staff to staff; agency to the public) did what, when."""

    id = models.BigAutoField(primary_key=True)
    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="events", db_index=False
    )
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    visibility = models.CharField(_("visible to"), max_length=10, choices=Visibility.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The agency acting (follow-up, resolution) or the target (disposition, re-route).
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("agency"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("text"), blank=True)
    reason = models.CharField(_("reason code"), max_length=40, blank=True)
    # Small structured details: {"from": "JALAN", "to": "DRAINASE"}, {"level": 2}, {"rating": 4}…
    data = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("report event")
        verbose_name_plural = _("report timeline")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["report", "created_at"], name="reports_event_report_idx"),
            # Open311 servicerequestupdates: public events since a moment.
            models.Index(fields=["visibility", "created_at"], name="reports_event_public_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.report_id} {self.kind} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_public(self) -> bool:
        return self.visibility == Visibility.PUBLIC


class ReportPhoto(models.Model):
    """A photo of a report (by the reporter) or of a follow-up (before/after, by the agency).

    Files live under MEDIA_ROOT/public/reports/ while the report is public (served directly,
    unguessable names) and under PRIVATE_MEDIA_ROOT/reports/ otherwise (served by a view
    that checks access). `storage` says which; services move the files when it changes.
    """

    class Kind(models.TextChoices):
        REPORT = "report", _("Reporter's photo")
        BEFORE = "before", _("Before")
        AFTER = "after", _("After")

    class Storage(models.TextChoices):
        PUBLIC = "public", _("Public")
        PRIVATE = "private", _("Private")

    id = models.BigAutoField(primary_key=True)
    report = models.ForeignKey(Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="photos")
    event = models.ForeignKey(
        ReportEvent,
        verbose_name=_("timeline entry"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="photos",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.REPORT)
    storage = models.CharField(_("storage"), max_length=10, choices=Storage.choices, default=Storage.PRIVATE)
    # Paths relative to the storage root, e.g. "reports/2026/05/3f2a…e1.jpg".
    file = models.CharField(_("file"), max_length=255)
    thumbnail = models.CharField(_("thumbnail"), max_length=255)
    content_type = models.CharField(max_length=30, default="image/jpeg")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        verbose_name = _("report photo")
        verbose_name_plural = _("report photos")
        ordering = ["report", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.report_id}/{self.pk} ({self.kind})"


class Follower(models.Model):
    """A resident following a report, or supporting it ("this is my problem too")."""

    id = models.BigAutoField(primary_key=True)
    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="followers", db_index=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resident"),
        on_delete=models.CASCADE,
        related_name="followed_reports",
        db_index=False,
    )
    supports = models.BooleanField(_("has the same problem"), default=False)
    created_at = models.DateTimeField(_("since"), default=timezone.now)

    class Meta:
        verbose_name = _("follower")
        verbose_name_plural = _("followers")
        ordering = ["report", "created_at"]
        constraints = [models.UniqueConstraint(fields=["report", "user"], name="reports_follower_unique")]
        indexes = [models.Index(fields=["user", "created_at"], name="reports_follower_user_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.report_id}"


# Models of the modules built on the backbone, in their own files: the pre-aggregated
# figures of the public transparency pages (reports/stats.py) and the Open311 client
# applications with their API keys (reports/open311/).
from .models_stats import ReportMapCell, ReportStat  # noqa: E402, F401
from .open311.models import Open311Client  # noqa: E402, F401
