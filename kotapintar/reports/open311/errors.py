"""Errors of the Open311 server, answered in the specification's shape:

    [{"code": 400, "description": "..."}]                      (JSON)
    <errors><error><code>400</code><description>…</description></error></errors>   (XML)

The HTTP status is 404 for a resource that does not exist (unknown service_code,
service_request_id, token or jurisdiction_id), 403 for a missing or invalid api_key, 413 for
a body over the size limit, 405 for a method the resource does not take, 429 when a client
sends too much, and 400 for everything else. Several problems of one request (e.g. three
attributes with wrong answers) come as several errors in one answer.
"""

from __future__ import annotations

from collections.abc import Iterable


class Open311Error(Exception):
    """An answer in the specification's error shape."""

    def __init__(self, status: int, descriptions: str | Iterable[str], *, headers: dict[str, str] | None = None):
        self.status = status
        self.descriptions = [descriptions] if isinstance(descriptions, str) else [str(d) for d in descriptions]
        self.headers = headers or {}
        super().__init__("; ".join(self.descriptions))

    def body(self) -> list[dict]:
        return [{"code": self.status, "description": description} for description in self.descriptions]


def bad_request(*descriptions: str) -> Open311Error:
    return Open311Error(400, descriptions)


def not_found(description: str) -> Open311Error:
    return Open311Error(404, description)
