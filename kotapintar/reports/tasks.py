"""Periodic work of the reports app (Celery). Tasks call services; they hold no logic."""

from __future__ import annotations

import logging

from celery import shared_task

from kotapintar.core import context

logger = logging.getLogger(__name__)


@shared_task(name="reports.sla_sweep", ignore_result=True)
def sla_sweep() -> dict:
    """Escalate overdue reports and auto-close silent resolved ones (every 15 minutes)."""
    from .services import reports_sla_sweep

    with context.bind(request_id="reports-sla-sweep"):
        result = reports_sla_sweep()
    if result.escalated or result.auto_closed or result.failed:
        logger.info(
            "SLA sweep: %d escalated (%d levels), %d auto-closed, %d failed",
            result.escalated,
            result.levels,
            result.auto_closed,
            len(result.failed),
        )
    return {"escalated": result.escalated, "auto_closed": result.auto_closed, "failed": len(result.failed)}
