"""Kernel Celery tasks. Tasks call services; they hold no logic of their own."""

from __future__ import annotations

import os

from celery import shared_task

from . import context
from .notifications import services as notifications


@shared_task(name="core.deliver_notification", ignore_result=True)
def deliver_notification(notification_id: int) -> None:
    with context.bind(request_id=f"task-deliver-{notification_id}"):
        notifications.deliver(notification_id)


@shared_task(name="core.outbox_flush", ignore_result=True)
def outbox_flush() -> int:
    with context.bind():
        return notifications.flush_due()


@shared_task(name="core.ping")
def ping(value: str) -> dict:
    """Health probe of the task queue: proves a worker process picked the task up."""
    return {"echo": value, "pid": os.getpid()}
