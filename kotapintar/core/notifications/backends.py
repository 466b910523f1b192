"""Delivery channels. Settings.NOTIFICATION_BACKENDS maps a channel to a backend class.

A backend sends one message or raises DeliveryError (which the outbox retries). WhatsApp
and SMS gateways differ per city; write a class with the same `send()` and name it in
NOTIFY_WHATSAPP_BACKEND / NOTIFY_SMS_BACKEND (docs/operations.md).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.module_loading import import_string

logger = logging.getLogger("kotapintar.notifications")


class DeliveryError(Exception):
    """The message could not be delivered now; the outbox will try again later."""


class BaseBackend:
    def send(self, notification) -> None:
        raise DeliveryError(f"{type(self).__name__} cannot send")


class EmailBackend(BaseBackend):
    """Sends through Django's configured e-mail backend (SMTP in production)."""

    def send(self, notification) -> None:
        if not notification.address:
            raise DeliveryError("no e-mail address")
        body = notification.body
        if notification.url:
            body = f"{body}\n\n{absolute_url(notification.url)}"
        message = EmailMessage(
            subject=notification.subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[notification.address]
        )
        try:
            message.send(fail_silently=False)
        except Exception as exc:  # SMTP errors of every kind are a retry, not a crash
            raise DeliveryError(str(exc)) from exc


def absolute_url(url: str) -> str:
    """A site-relative link made absolute with settings.SITE_URL (when set) for messages read elsewhere."""
    base = getattr(settings, "SITE_URL", "")
    if url.startswith("/") and not url.startswith("//") and base:
        return base.rstrip("/") + url
    return url


class InboxBackend(BaseBackend):
    """The in-app inbox: the stored row is the delivery."""

    def send(self, notification) -> None:
        return None


class LoggingBackend(BaseBackend):
    """Default for WhatsApp and SMS until a gateway is configured: writes to the log."""

    def send(self, notification) -> None:
        logger.info(
            "%s to %s: %s — %s", notification.channel, notification.address, notification.subject, notification.body
        )


def backend_for(channel: str) -> BaseBackend:
    path = settings.NOTIFICATION_BACKENDS.get(channel)
    if not path:
        raise DeliveryError(f"no backend configured for channel {channel!r}")
    return import_string(path)()
