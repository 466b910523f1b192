"""Who may see and do what with reports (row-level access, see core.access).

Actions on Report:

- ``view``    — read the report as staff or as its reporter (full detail, timeline for that
  audience). The PUBLIC reads public reports through ``selectors.public_reports()``, which
  returns identity-free data and needs no policy.
- ``triage``  — the verifier desk's acts: verify, set aside, correct the category,
  route (disposition), merge.
- ``handle``  — an agency's acts on a report routed to it (an ACTIVE disposition): assign,
  internal note, follow-up, ask the reporter, re-route, resolve.
- ``own``     — the reporter's acts: reply, confirm, rate, reopen.

Roles:

- citizen: their own reports (view, own);
- verifier: every report (view, triage, handle — the desk may also act for an agency);
- agency staff: reports ever routed to their agencies (view), and those routed to them now
  (handle); never the identity of an anonymous reporter (``can_see_reporter``);
- leadership: every report, read only;
- administrator: everything.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from kotapintar.core import access

from .models import Disposition, Privacy, Report

VIEW = access.VIEW
TRIAGE = "triage"
HANDLE = "handle"
OWN = "own"


def _routed_to(agency_ids, *, active_only: bool) -> Exists:
    qs = Disposition.objects.filter(report_id=OuterRef("pk"), agency_id__in=list(agency_ids))
    if active_only:
        qs = qs.filter(state=Disposition.State.ACTIVE)
    return Exists(qs)


@access.policy(Report)
class ReportPolicy(access.Policy):
    actions = frozenset({VIEW, TRIAGE, HANDLE, OWN})

    def citizen(self, qs: QuerySet, user: Any, action: str) -> QuerySet:
        if action in (VIEW, OWN):
            return qs.filter(reporter_id=user.pk)
        return qs.none()

    def verifier(self, qs: QuerySet, user: Any, action: str) -> QuerySet:
        return qs if action in (VIEW, TRIAGE, HANDLE) else qs.none()

    def agency(self, qs: QuerySet, user: Any, action: str) -> QuerySet:
        ids = access.agency_ids(user)
        if not ids:
            return qs.none()
        if action == VIEW:
            return qs.filter(_routed_to(ids, active_only=False))
        if action == HANDLE:
            return qs.filter(_routed_to(ids, active_only=True))
        return qs.none()

    def leadership(self, qs: QuerySet, user: Any, action: str) -> QuerySet:
        return qs if action == VIEW else qs.none()

    def admin(self, qs: QuerySet, user: Any, action: str) -> QuerySet:
        return qs if action != OWN else qs.filter(reporter_id=user.pk)


# Roles that see the reporter of any report, anonymous ones included ("only the verifier desk").
_IDENTITY_ROLES = frozenset({access.VERIFIER, access.ADMIN})


def can_see_reporter(user: Any, report: Report) -> bool:
    """May `user` see who filed `report` (name and contact)?

    The reporter themself; the verifier desk and administrators always; agency staff and
    leadership only when the report is not anonymous (and they may view it at all).
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if report.reporter_id is not None and report.reporter_id == user.pk:
        return True
    role = access.role_of(user)
    if role in _IDENTITY_ROLES:
        return True
    if report.privacy == Privacy.ANONYMOUS:
        return False
    return role in (access.AGENCY, access.LEADERSHIP) and access.can(user, report, VIEW)


def is_staff_role(user: Any) -> bool:
    return access.role_of(user) in (access.VERIFIER, access.AGENCY, access.LEADERSHIP, access.ADMIN)


def sees_staff_names(user: Any) -> bool:
    """Staff see who did what; residents and the public see agency names only."""
    return is_staff_role(user)
