"""Per-request context (request id, client IP, acting user) for audit rows and logs.

Held in contextvars so that services called from a view, a Celery task or a management
command can all read it without passing the request around.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    ip: str | None = None
    user_agent: str = ""


_current: ContextVar[RequestContext] = ContextVar("kotapintar_request_context", default=RequestContext())  # noqa: B039 (frozen)


def current() -> RequestContext:
    return _current.get()


def new_request_id() -> str:
    return uuid.uuid4().hex


@contextlib.contextmanager
def bind(*, request_id: str | None = None, ip: str | None = None, user_agent: str = "") -> Iterator[RequestContext]:
    """Bind a context for the duration of a request, task or command."""
    ctx = RequestContext(request_id=request_id or new_request_id(), ip=ip, user_agent=user_agent[:300])
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)


class RequestIdLogFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _current.get().request_id or "-"
        return True
