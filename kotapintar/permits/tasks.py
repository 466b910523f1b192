"""Celery tasks of the permits app: they call services and hold no logic."""

from __future__ import annotations

from celery import shared_task

from kotapintar.core import context

from . import services


@shared_task(name="permits.sla_sweep", ignore_result=True)
def sla_sweep() -> dict:
    """Every 15 minutes (settings.CELERY_BEAT_SCHEDULE): deadline reminders and escalations."""
    with context.bind(request_id="task-permits-sla-sweep"):
        result = services.sla_sweep()
    return {"reminded": result.reminded, "escalated": result.escalated, "escalated_further": result.escalated_further}
