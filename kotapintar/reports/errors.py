"""Errors of the reports app: domain errors (core.errors) with field details for forms and the API."""

from __future__ import annotations

from kotapintar.core.errors import DomainError


class ReportInvalid(DomainError):
    """Input that cannot be accepted (empty text, point outside the city, bad photo…).

    `fields` maps a field name ("text", "location", "photos", "attributes.<code>", …) to its
    messages, so a form can show each message next to its field; `message` is one sentence
    for the whole.
    """

    status_code = 400
    code = "invalid"

    def __init__(self, fields: dict[str, list[str]] | None = None, message: str | None = None):
        self.fields = {k: [str(m) for m in v] for k, v in (fields or {}).items()}
        if message is None:
            message = " ".join(m for messages in self.fields.values() for m in messages)
        super().__init__(str(message))

    @classmethod
    def single(cls, field: str, message) -> ReportInvalid:
        return cls({field: [str(message)]})


class RateLimited(DomainError):
    """Too many reports from one address or device in a short time."""

    status_code = 429
    code = "throttled"

    def __init__(self, message: str, *, retry_after: int = 3600):
        super().__init__(message)
        self.retry_after = retry_after


class IdempotencyConflict(DomainError):
    """An Idempotency-Key reused for a different report."""

    status_code = 409
    code = "idempotency_conflict"
