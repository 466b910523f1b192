"""Which actions a reader may take on a report now (for buttons in the UIs and the API).

The services remain the authority (they check again); this only spares the UIs from
offering buttons that would fail. Names match the API's action paths.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from kotapintar.core import access

from .models import AGENCY_STATUSES, OPEN_STATUSES, TRIAGE_STATUSES, Report, Status
from .policies import HANDLE, TRIAGE


def allowed_actions(report: Report, user: Any, *, token_ok: bool = False) -> list[str]:
    actions: list[str] = []
    authenticated = bool(user is not None and getattr(user, "is_authenticated", False))
    status = report.status
    if authenticated and access.can(user, report, TRIAGE):
        if status == Status.SUBMITTED:
            actions.append("verify")
        if status in TRIAGE_STATUSES:
            actions += ["set-aside", "disposition", "request-info"]
        if status in OPEN_STATUSES:
            actions += ["recategorise", "merge", "note"]
        if status in AGENCY_STATUSES:
            actions.append("disposition")
        actions.append("privacy")
    if authenticated and status in AGENCY_STATUSES and access.can(user, report, HANDLE):
        actions += ["assign", "note", "follow-up", "request-info", "reroute"]
        if access.role_of(user) != access.AGENCY or report.responsible_agency_id in access.agency_ids(user):
            actions.append("resolve")
    is_reporter = token_ok or (authenticated and report.reporter_id == user.pk)
    if is_reporter:
        now = timezone.now()
        if status not in (Status.SET_ASIDE, Status.MERGED, Status.CLOSED):
            actions.append("reply")
        if status == Status.RESOLVED:
            actions += ["confirm", "reopen"]
        elif status == Status.CLOSED and report.reopen_until and now <= report.reopen_until:
            actions.append("reopen")
        if status in (Status.RESOLVED, Status.CLOSED) and report.rating is None:
            actions.append("rate")
        actions.append("privacy")
    elif (
        authenticated
        and report.is_public
        and status not in (Status.SET_ASIDE, Status.MERGED)
        and access.role_of(user) == access.CITIZEN
    ):
        actions += ["follow", "unfollow"]
    return list(dict.fromkeys(actions))
