"""Outbox services: queue a message, deliver it once, retry what failed."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
from collections.abc import Iterable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from .. import audit
from ..models import Notification
from .backends import DeliveryError, backend_for

logger = logging.getLogger("kotapintar.notifications")

Channel = Notification.Channel
Status = Notification.Status

# A row left in SENDING this long means the worker died mid-send: we cannot know whether
# the message went out, so it is not sent again automatically (never twice).
SENDING_TIMEOUT = dt.timedelta(minutes=15)


def _address_for(channel: str, recipient) -> str:
    if recipient is None:
        return ""
    if channel == Channel.EMAIL:
        return recipient.email or ""
    if channel in (Channel.WHATSAPP, Channel.SMS):
        return recipient.phone or ""
    return ""


def _stored_key(dedupe_key: str, channel: str) -> str:
    key = f"{dedupe_key}:{channel}"
    if len(key) <= 200:
        return key
    # Cutting a long key could make two different events collide: keep a digest instead.
    return f"{key[:130]}#{hashlib.sha256(key.encode()).hexdigest()}"


def notify(
    *,
    channels: Iterable[str],
    kind: str,
    subject: str,
    body: str,
    dedupe_key: str,
    recipient=None,
    address: str = "",
    url: str = "",
) -> list[Notification]:
    """Queue one message on each channel the recipient can be reached on.

    `dedupe_key` names the event (e.g. "report:123:verified:user:7"); queuing the same key
    again does nothing, so a retried service never notifies twice. Channels without an
    address for this recipient are skipped, and so is a deactivated account. Inbox rows
    are delivered by being stored (visible as soon as the transaction commits); the other
    channels are sent after commit. Call inside the service's transaction.
    """
    channels = list(dict.fromkeys(channels))
    unknown = [c for c in channels if c not in Channel.values]
    if unknown:
        raise ValueError(f"unknown notification channel(s): {', '.join(unknown)}")
    if not dedupe_key:
        raise ValueError("dedupe_key is required: it is what makes a retried service notify once")
    if recipient is not None and not getattr(recipient, "is_active", True):
        return []
    created: list[Notification] = []
    now = timezone.now()
    for channel in channels:
        if channel == Channel.INBOX:
            if recipient is None:
                continue
            target = ""
        else:
            target = address or _address_for(channel, recipient)
            if not target:
                continue
        row = Notification(
            recipient=recipient,
            address=target,
            channel=channel,
            kind=kind,
            subject=subject[:200],
            body=body,
            url=url[:500],
            dedupe_key=_stored_key(dedupe_key, channel),
        )
        if channel == Channel.INBOX:
            row.status, row.sent_at = Status.SENT, now
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError:
            continue  # already queued by an earlier run of the same event
        created.append(row)
        if channel != Channel.INBOX:
            transaction.on_commit(functools.partial(_enqueue, row.pk))
    return created


def _enqueue(pk: int) -> None:
    from ..tasks import deliver_notification

    try:
        deliver_notification.delay(pk)
    except Exception:  # broker down: the periodic flush will deliver it
        logger.warning("could not queue notification %s; the outbox flush will retry", pk, exc_info=True)


def _backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(minutes=min(2 ** max(attempts - 1, 0), 240))


def deliver(notification_id: int) -> bool:
    """Deliver one queued message if it is due. Returns True when it was sent now.

    The claim is a compare-and-set UPDATE (status pending/failed → sending), so two workers
    racing for the same row cannot both send it.
    """
    now = timezone.now()
    claimed = Notification.objects.filter(
        pk=notification_id, status__in=[Status.PENDING, Status.FAILED], next_attempt_at__lte=now
    ).update(status=Status.SENDING, attempts=F("attempts") + 1, next_attempt_at=now)
    if not claimed:
        return False
    notification = Notification.objects.get(pk=notification_id)
    try:
        backend_for(notification.channel).send(notification)
    except DeliveryError as exc:
        _failed(notification, str(exc))
        return False
    except Exception as exc:  # a broken gateway must not lose the message
        logger.exception("notification %s: backend crashed", notification_id)
        _failed(notification, f"{type(exc).__name__}: {exc}")
        return False
    Notification.objects.filter(pk=notification_id, status=Status.SENDING).update(
        status=Status.SENT, sent_at=timezone.now(), last_error=""
    )
    return True


def _failed(notification: Notification, error: str) -> None:
    dead = notification.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS
    Notification.objects.filter(pk=notification.pk, status=Status.SENDING).update(
        status=Status.DEAD if dead else Status.FAILED,
        next_attempt_at=timezone.now() + _backoff(notification.attempts),
        last_error=error[:2000],
    )
    log = logger.error if dead else logger.warning
    log("notification %s attempt %s failed: %s", notification.pk, notification.attempts, error)


def flush_due(*, limit: int = 500) -> int:
    """Deliver every message that is due (new or retry). Returns how many were sent."""
    now = timezone.now()
    Notification.objects.filter(status=Status.SENDING, next_attempt_at__lt=now - SENDING_TIMEOUT).update(
        status=Status.DEAD, last_error="delivery interrupted; not retried automatically to avoid a duplicate"
    )
    due = list(
        Notification.objects.filter(Q(status=Status.PENDING) | Q(status=Status.FAILED), next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for pk in due if deliver(pk))


RESENDABLE = (Status.FAILED, Status.DEAD)


@transaction.atomic
def notification_resend(*, actor, notification: Notification) -> bool:
    """An administrator's decision to try a failed or dead message again.

    The attempt counter starts afresh. Returns False (and changes nothing) for a message
    that is not failed or dead: sent, pending or in-app messages are never sent twice.
    """
    current = Notification.objects.select_for_update().get(pk=notification.pk)
    if current.status not in RESENDABLE or current.channel == Channel.INBOX:
        return False
    before = audit.snapshot(current, ["status", "attempts", "last_error"])
    current.status, current.attempts, current.next_attempt_at = Status.PENDING, 0, timezone.now()
    current.save(update_fields=["status", "attempts", "next_attempt_at"])
    audit.record(
        actor=actor,
        action="notification.resend",
        obj=current,
        before=before,
        after=audit.snapshot(current, ["status", "attempts"]),
        label=f"{current.get_channel_display()} #{current.pk}: {current.subject}",
    )
    transaction.on_commit(lambda: _enqueue(current.pk))
    return True


# Read markers of a person's own inbox are not audited: they change nothing in the city's
# records, only what the reader has seen, and would flood the audit log.


@transaction.atomic
def notification_mark_read(*, user, notification: Notification) -> Notification:
    """Mark one of the user's inbox messages read (idempotent)."""
    if notification.recipient_id != user.pk:
        raise Notification.DoesNotExist  # callers fetch through the selector; never cross users
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)
    return notification


@transaction.atomic
def notification_mark_all_read(*, user) -> int:
    """Mark every unread inbox message of the user read. Returns how many were unread."""
    return Notification.objects.filter(recipient=user, channel=Channel.INBOX, read_at__isnull=True).update(
        read_at=timezone.now()
    )
