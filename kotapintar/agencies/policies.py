"""Row-level access to agencies, units and memberships (see core.access)."""

from __future__ import annotations

from kotapintar.core import access

from .models import Agency, Membership, Unit

_STAFF_LIST = "view_members"


@access.policy(Agency)
class AgencyPolicy(access.Policy):
    """Active agencies are public; administrators also see inactive ones.

    "view_members": who may list an agency's staff — administrators, leadership, and the
    agency's own officers and head.
    """

    actions = frozenset({access.VIEW, _STAFF_LIST})

    def _public(self, qs, action):
        return qs.filter(is_active=True) if action == access.VIEW else qs.none()

    def anonymous(self, qs, user, action):
        return self._public(qs, action)

    def citizen(self, qs, user, action):
        return self._public(qs, action)

    def verifier(self, qs, user, action):
        return self._public(qs, action)

    def agency(self, qs, user, action):
        if action == _STAFF_LIST:
            return qs.filter(pk__in=access.agency_ids(user))
        return self._public(qs, action)

    def leadership(self, qs, user, action):
        return qs

    def admin(self, qs, user, action):
        return qs


@access.policy(Unit)
class UnitPolicy(access.Policy):
    """Active units of active agencies are public; administrators see all."""

    def _public(self, qs):
        return qs.filter(is_active=True, agency__is_active=True)

    def anonymous(self, qs, user, action):
        return self._public(qs)

    def citizen(self, qs, user, action):
        return self._public(qs)

    def verifier(self, qs, user, action):
        return self._public(qs)

    def agency(self, qs, user, action):
        return self._public(qs)

    def leadership(self, qs, user, action):
        return qs

    def admin(self, qs, user, action):
        return qs


@access.policy(Membership)
class MembershipPolicy(access.Policy):
    """Staff memberships: nobody outside the city's staff sees who works where.

    - agency staff: their own memberships (also ended ones), their colleagues' active
      memberships, and — for a head — every membership of the agencies they head;
    - leadership and administrators: all.
    """

    def agency(self, qs, user, action):
        from django.db.models import Q

        return qs.filter(
            Q(user_id=user.pk)
            | Q(agency_id__in=access.agency_ids(user), is_active=True)
            | Q(agency_id__in=access.headed_agency_ids(user))
        )

    def leadership(self, qs, user, action):
        return qs

    def admin(self, qs, user, action):
        return qs
