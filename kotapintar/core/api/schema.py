"""OpenAPI post-processing: every operation documents the platform's one error body.

Registered in SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]. Adds the `Error` component and,
where an operation does not describe them itself: 400 for writes, 401/403 for operations
that need credentials, 404 for operations on one object (a path parameter), 429 for all.
"""

from __future__ import annotations

ERROR_COMPONENT = {
    "type": "object",
    "description": "The error body of every API error.",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {
                    "type": "string",
                    "description": "Stable machine-readable code, e.g. invalid, not_authenticated, "
                    "permission_denied, not_found, method_not_allowed, throttled, request_too_large, "
                    "or a domain rule's own code such as invalid_transition.",
                },
                "message": {"type": "string", "description": "One sentence for a person, in the request's language."},
                "fields": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                    "description": "Messages per field for validation errors; empty otherwise.",
                },
            },
            "required": ["code", "message", "fields"],
        }
    },
    "required": ["error"],
}

_DESCRIPTIONS = {
    "400": "The data sent is not valid (see error.fields).",
    "401": "No or wrong credentials (session cookie or `Authorization: Bearer <token>`).",
    "403": "Signed in, but not allowed (or two-step verification not finished).",
    "404": "Not found, or not visible to the caller.",
    "429": "Too many requests: wait for the number of seconds in Retry-After.",
}
_WRITES = {"post", "put", "patch", "delete"}


def _error(status: str) -> dict:
    return {
        "description": _DESCRIPTIONS[status],
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def error_responses(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_COMPONENT
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            wanted = ["429"]
            if method in _WRITES:
                wanted.append("400")
            security = operation.get("security", [])
            if security and {} not in security:
                wanted += ["401", "403"]
            if "{" in path:
                wanted.append("404")
            for status in wanted:
                responses.setdefault(status, _error(status))
    return result
