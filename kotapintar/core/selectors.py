"""Reads of the kernel that depend on who asks."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from .models import Notification


def inbox_for(user) -> QuerySet[Notification]:
    """The user's own in-app messages, newest first (nobody else's, whatever the role)."""
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    inbox = Notification.objects.filter(recipient=user, channel=Notification.Channel.INBOX)
    return inbox.order_by("-created_at", "-id")


def inbox_item(user, pk: int) -> Notification:
    """One message of the user's inbox; 404 for a message of someone else or none at all."""
    return get_object_or_404(inbox_for(user), pk=pk)


def unread_count(user) -> int:
    return inbox_for(user).filter(read_at__isnull=True).count()
