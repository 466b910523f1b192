"""Root pytest configuration: settings for every test, and the shared fixture plugins.

Each app may add fixtures in kotapintar/testing/<app>.py (listed below) for the others to
use, and its own private ones in <app>/tests/conftest.py.
"""

import pytest

pytest_plugins = [
    "kotapintar.testing.core",
    "kotapintar.testing.accounts",
    "kotapintar.testing.agencies",
    "kotapintar.testing.regions",
    "kotapintar.testing.permits",
    "kotapintar.testing.portal",
    "kotapintar.testing.reports",
]


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path, monkeypatch):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    # Tests render templates without a collectstatic manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    from kotapintar.celery import app

    app.conf.task_always_eager = True
    # Throttles keyed on the test client's single IP would couple unrelated tests.
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}
    # DRF copies the default into APIView when rest_framework.views is first imported, which
    # may be before this override: switch it off on the class too (a test re-enables it there).
    from rest_framework.views import APIView

    monkeypatch.setattr(APIView, "throttle_classes", [])
    from django.core.cache import cache

    cache.clear()
    from kotapintar.core import calendar

    calendar.forget_local()  # the calendar's few seconds of in-process memory, with the cache
    # Every test starts in the default language (a request in English must not leave English
    # active in the thread for the next test).
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()
