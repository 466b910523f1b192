"""Notifications: an outbox of messages, delivered after commit, retried, never twice.

Services call `notify()` inside their transaction. Rows are written at once (so they
commit or roll back with the change that caused them); delivery is queued with
`transaction.on_commit` to the Celery task `core.deliver_notification`, and a periodic
task (`core.outbox_flush`) picks up anything due for a retry. See services.py.
"""

from .services import (
    deliver,
    flush_due,
    notification_mark_all_read,
    notification_mark_read,
    notification_resend,
    notify,
)

__all__ = [
    "deliver",
    "flush_due",
    "notification_mark_all_read",
    "notification_mark_read",
    "notification_resend",
    "notify",
]
