"""Kernel fixtures and helpers shared by every app's tests.

- `login_verified(client, user)`: sign a user in on a test client with a confirmed TOTP
  device in the session, as the two-factor step would (staff pages need it).
- `run_on_commit`: run the on-commit callbacks (notifications, cache invalidation) of
  the block it wraps, the way a committed request would.
- `calendar_day(...)` fixture: add an administrator's calendar exception through the service.
"""

from __future__ import annotations

import datetime as dt

import pytest


def login_verified(client, user):
    """Force-login `user` on `client` and mark the session two-factor verified."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """`with run_on_commit(): ...` executes the block's on-commit callbacks when it ends."""

    def _ctx():
        return django_capture_on_commit_callbacks(execute=True)

    return _ctx


@pytest.fixture
def calendar_day(db, run_on_commit):
    """Add a CalendarDay through the service: calendar_day(date, kind="day_off"|"working_day")."""
    from kotapintar.core import services

    def _add(date: dt.date, kind: str = "day_off", description: str = "test entry", actor=None):
        with run_on_commit():
            return services.calendar_day_create(actor=actor, date=date, kind=kind, description=description)

    return _add
