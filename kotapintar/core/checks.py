"""System checks of the kernel (`manage.py check --deploy` runs the deploy-tagged ones)."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.security, deploy=True)
def check_production_settings(app_configs, **kwargs):
    problems = []
    if settings.SECRET_KEY == settings.INSECURE_DEFAULT_SECRET_KEY:
        problems.append(
            Error(
                "SECRET_KEY is the embedded default.",
                hint="Set SECRET_KEY in the environment (docs/operations.md).",
                id="kotapintar.E001",
            )
        )
    if not settings.FIELD_ENCRYPTION_KEY:
        problems.append(
            Warning(
                "FIELD_ENCRYPTION_KEY is not set: personal data (NIK) is encrypted with a key derived "
                "from SECRET_KEY, so rotating SECRET_KEY would make it unreadable.",
                hint="Generate one with `python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())'` and set FIELD_ENCRYPTION_KEY.",
                id="kotapintar.W001",
            )
        )
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        problems.append(
            Warning(
                "The embedded SQLite database is in use.",
                hint="Production runs on PostgreSQL: set DATABASE_URL (docs/operations.md).",
                id="kotapintar.W002",
            )
        )
    if settings.CELERY_TASK_ALWAYS_EAGER:
        problems.append(
            Warning(
                "No task broker is configured: background work runs inside web requests.",
                hint="Set REDIS_URL and run a Celery worker and beat (docs/operations.md).",
                id="kotapintar.W003",
            )
        )
    return problems
