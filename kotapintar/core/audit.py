"""The audit log: services record every state change here, in their own transaction.

    audit.record(actor=user, action="report.verify", obj=report,
                 before={"status": "submitted"}, after={"status": "verified"})

The row takes the request id and client IP from the bound request context (see
core.context), and the owning agency from the object (`audit_agency_id` attribute or
property, or an `agency_id` field) unless given. `record()` refuses to run outside a
transaction, so a row never survives a change that was rolled back (nor the reverse).

Append-only, at every layer:

- model: `save()` of an existing row and `delete()` raise AuditLogImmutable;
- queryset (also the base manager): update, bulk_update, values().update, _update,
  update_or_create, bulk_create(update_conflicts=True), delete and the Collector's
  _raw_delete raise; a pre_delete guard stops Collector.delete() on audit rows; the actor
  and content-type foreign keys are DO_NOTHING without a database constraint, so deleting
  a user or a content type leaves the rows as they were;
- database (migration core 0002): on PostgreSQL a trigger refuses every UPDATE and
  DELETE statement (TRUNCATE stays possible for the table owner, which the test flush
  uses); on SQLite a trigger refuses UPDATE only, because Django empties SQLite test
  databases with DELETE;
- admin (core/admin_audit.py): view only, for administrators, superusers included;
- API (/api/v1/audit/) and staff page (/staff/audit/): read only, scoped by
  core/policies.py (administrators: every row; agency staff: their agencies' rows).

Reading: `rows_visible(user)`, `history_for(obj, user)`; in templates
`{% load kp_audit %}{% audit_history obj %}` shows an object's history to those who may
read it.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from . import access, context
from .models import AuditLog

#: Roles that read the audit log at all (administrators: every row; agency staff: their
#: agencies' rows — see core/policies.py).
READER_ROLES = frozenset({access.ADMIN, access.AGENCY})


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    return value


def actor_label(actor) -> str:
    if actor is None:
        return "sistem"
    if getattr(actor, "is_staff_member", False):
        return str(actor)[:200]
    # Residents are not named in the audit log: staff reading it do not need the name.
    return f"warga #{actor.pk}"


def object_agency_id(obj) -> int | None:
    for attr in ("audit_agency_id", "agency_id"):
        value = getattr(obj, attr, None)
        if value is not None:
            return int(value)
    return None


def record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    before: dict | None = None,
    after: dict | None = None,
    agency_id: int | None = None,
    label: str | None = None,
) -> AuditLog:
    """Append one audit row. Call it inside the service's transaction."""
    if not transaction.get_connection().in_atomic_block:
        # Rows written outside a transaction could survive a failed change: refuse.
        raise RuntimeError("audit.record() must be called inside the service's transaction")
    ctx = context.current()
    return AuditLog.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=actor_label(actor),
        action=action,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        object_label=(label if label is not None else str(obj) if obj is not None else "")[:300],
        agency_id=agency_id if agency_id is not None else (object_agency_id(obj) if obj is not None else None),
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
        request_id=ctx.request_id,
        ip=ctx.ip,
    )


def snapshot(obj: models.Model, fields: list[str]) -> dict:
    """The named fields of an object, JSON-ready, for before/after."""
    return {f: _jsonable(getattr(obj, f)) for f in fields}


# --- reading ------------------------------------------------------------------------------------


def rows_visible(user) -> models.QuerySet[AuditLog]:
    """The audit rows the user may read, newest first."""
    return access.scope(AuditLog.objects.all(), user).order_by("-created_at", "-id")


def history_for(obj: models.Model, user) -> models.QuerySet[AuditLog]:
    """The audit rows about one object that the user may read, newest first."""
    content_type = ContentType.objects.get_for_model(obj, for_concrete_model=False)
    return rows_visible(user).filter(content_type=content_type, object_id=str(obj.pk))


def may_read(user) -> bool:
    return access.role_of(user) in READER_ROLES
