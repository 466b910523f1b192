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


_PERIODS = "smhd"  # DRF reads the period by its first letter: second, minute, hour, day


def _rate_problem(rate) -> bool:
    """True when a throttle rate is not "N/period" as DRF reads it (None means no limit)."""
    if rate is None:
        return False
    number, _slash, period = str(rate).partition("/")
    letter = period.strip()[:1]
    return not (number.strip().isdigit() and letter and letter in _PERIODS)


@register()
def check_throttle_rates(app_configs, **kwargs):
    """A malformed rate (API_THROTTLE_*, OPEN311_THROTTLE_*) would fail every request it
    governs with a server error; say so at start-up instead, naming the setting."""
    rates = {
        **{
            f"API_THROTTLE_{k.upper()}": v for k, v in settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}).items()
        },
        **{f"OPEN311_THROTTLE_{k.upper()}": v for k, v in getattr(settings, "OPEN311_THROTTLE_RATES", {}).items()},
    }
    return [
        Error(
            f"{name} is {rate!r}, not a rate.",
            hint='Write a number of requests per period, e.g. "120/min", "10/second", "1000/hour" or "5000/day".',
            id="kotapintar.E002",
        )
        for name, rate in rates.items()
        if _rate_problem(rate)
    ]
