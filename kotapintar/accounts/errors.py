"""Domain errors of the accounts app: they name the form field they concern, if any."""

from __future__ import annotations

from kotapintar.core.errors import DomainError


class AccountError(DomainError):
    """An account rule was broken; `field` names the form field to show it next to."""

    status_code = 400
    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None):
        super().__init__(message, code=code)
        self.field = field


class VerificationError(AccountError):
    """A verification code was wrong, expired, used up, or asked for too often."""

    code = "verification_failed"


class ThrottledError(AccountError):
    """Asked too often; `wait_seconds` says how long to wait."""

    status_code = 429
    code = "throttled"

    def __init__(self, message: str, *, wait_seconds: int, code: str | None = None, field: str | None = None):
        super().__init__(message, code=code, field=field)
        self.wait_seconds = wait_seconds
