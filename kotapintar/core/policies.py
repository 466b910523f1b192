"""Row-level access policies of the kernel's models (see core.access)."""

from __future__ import annotations

from kotapintar.core import access
from kotapintar.core.models import AuditLog


@access.policy(AuditLog)
class AuditLogPolicy(access.Policy):
    """Administrators read every row; agency staff read the rows of their own agencies.

    Read only: no action but "view" exists, so no role may change a row through any view.
    Leadership, verifiers and residents do not read the audit log (it holds IP addresses
    and before/after values of personal data).
    """

    def agency(self, qs, user, action):
        return qs.filter(agency_id__in=access.agency_ids(user))

    def admin(self, qs, user, action):
        return qs
