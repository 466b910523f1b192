"""Kernel models shared by every module: base classes, audit log, calendar, notifications."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.signals import pre_delete
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """Abstract base: creation and last-change times (UTC)."""

    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class AuditLogQuerySet(models.QuerySet):
    """Append-only: every path Django has to change or remove rows refuses.

    update() also covers bulk_update() and values().update(); _update() is what
    Model.save_base() uses for an existing row; _raw_delete() is the Collector's fast
    delete; bulk_create(update_conflicts=True) would be an UPSERT. The database refuses
    too (trigger, migration 0002).
    """

    def update(self, **kwargs):
        raise AuditLogImmutable(_("The audit log cannot be changed."))

    def _update(self, values):
        raise AuditLogImmutable(_("The audit log cannot be changed."))

    def update_or_create(self, *args, **kwargs):
        raise AuditLogImmutable(_("The audit log cannot be changed."))

    def bulk_create(self, objs, *args, update_conflicts=False, **kwargs):
        if update_conflicts:
            raise AuditLogImmutable(_("The audit log cannot be changed."))
        return super().bulk_create(objs, *args, **kwargs)

    def delete(self):
        raise AuditLogImmutable(_("The audit log cannot be deleted."))

    def _raw_delete(self, using):
        raise AuditLogImmutable(_("The audit log cannot be deleted."))


class AuditLogImmutable(Exception):
    """Raised on any attempt to change or delete an audit row."""


class AuditLog(models.Model):
    """One recorded change: who did what to which object, when, from where (append-only)."""

    id = models.BigAutoField(primary_key=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_label = models.CharField(_("actor (label)"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=100, db_index=True)
    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+", null=True
    )
    object_id = models.CharField(_("object ID"), max_length=64, blank=True)
    object_label = models.CharField(_("object"), max_length=300, blank=True)
    # The agency that owns the object at the time of the change: its staff may read the row.
    agency_id = models.BigIntegerField(_("agency"), null=True, blank=True, db_index=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    request_id = models.CharField(_("request ID"), max_length=64, blank=True, db_index=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    objects = AuditLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit log")
        verbose_name_plural = _("audit log")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "created_at"], name="core_audit_object_idx")]
        default_permissions = ("view",)
        # Model.save_base() and related lookups use the base manager: make it the guarded one.
        base_manager_name = "objects"

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_label}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditLogImmutable(_("The audit log cannot be changed."))
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogImmutable(_("The audit log cannot be deleted."))


@receiver(pre_delete, sender=AuditLog, dispatch_uid="core.auditlog.refuse_delete")
def _refuse_audit_delete(sender, instance, **kwargs):
    # A guard, not domain logic: Collector.delete() on audit rows (the one path that skips
    # the queryset) sends pre_delete first.
    raise AuditLogImmutable(_("The audit log cannot be deleted."))


class CalendarDay(models.Model):
    """A date that departs from the national calendar: an extra day off or a working Saturday."""

    class Kind(models.TextChoices):
        DAY_OFF = "day_off", _("Extra day off (cuti bersama)")
        WORKING_DAY = "working_day", _("Working day (e.g. a working Saturday)")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    description = models.CharField(_("description"), max_length=200)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("calendar exception")
        verbose_name_plural = _("working-day calendar")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} — {self.get_kind_display()}: {self.description}"


class Notification(models.Model):
    """One message to one person on one channel, kept in the outbox until delivered."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        INBOX = "inbox", _("In-app inbox")
        WHATSAPP = "whatsapp", _("WhatsApp")
        SMS = "sms", _("SMS")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed (will retry)")
        DEAD = "dead", _("Failed permanently")

    id = models.BigAutoField(primary_key=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False, db_index=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    # Address for channels that need one (email, phone); empty for the in-app inbox.
    address = models.CharField(_("address"), max_length=254, blank=True)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    kind = models.CharField(_("kind"), max_length=80, blank=True, db_index=True)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"))
    url = models.CharField(_("link"), max_length=500, blank=True)
    # Same key → same message: a service that runs twice never queues the message twice.
    dedupe_key = models.CharField(_("deduplication key"), max_length=200, unique=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notification")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="core_notif_due_idx"),
            models.Index(fields=["recipient", "channel", "read_at"], name="core_notif_inbox_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient_id or self.address}: {self.subject}"
