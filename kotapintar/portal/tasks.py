"""Portal Celery tasks. Tasks call services; they hold no logic of their own."""

from __future__ import annotations

from celery import shared_task

from kotapintar.core import context

from . import services


@shared_task(name="portal.expiry_reminders", ignore_result=True)
def expiry_reminders() -> int:
    """Daily: remind holders 30 and 7 days before what they hold expires (once each)."""
    with context.bind(request_id="task-portal-expiry-reminders"):
        return services.expiry_reminders_send()
