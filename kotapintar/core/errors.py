"""Domain errors: a rule of the city's process was broken (not a programming error).

Services raise them; the API answers 409/400 with the message, the web UI shows it.
Messages are in Indonesian (translatable) and tell the user what to do.
"""

from __future__ import annotations


class DomainError(Exception):
    status_code = 409
    code = "conflict"

    def __init__(self, message: str, *, code: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class InvalidTransition(DomainError):
    """A state change that the state machine does not allow from the current state."""

    code = "invalid_transition"


class NotAllowed(DomainError):
    """The actor may see the object but may not do this to it."""

    status_code = 403
    code = "not_allowed"
