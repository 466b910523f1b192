"""Private fixtures of the reports tests."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from kotapintar.testing.accounts import login_staff


@pytest.fixture
def api():
    """An API client without credentials."""
    return APIClient()


@pytest.fixture
def api_as(db):
    """api_as(user) → an API client signed in as `user` (staff: two-factor verified)."""

    def make(user):
        client = APIClient()
        if getattr(user, "is_staff_member", False):
            login_staff(client, user)
        else:
            client.force_login(user, backend="kotapintar.accounts.backends.EmailOrPhoneBackend")
        return client

    return make


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """`with commit(): ...` runs the on-commit work (files, notifications) of the block."""

    def _ctx():
        return django_capture_on_commit_callbacks(execute=True)

    return _ctx
