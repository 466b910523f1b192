"""Who may see and do what in the permit process (see core.access).

Roles (decided here, written down in docs/permits.md):

- applicant: any signed-in account sees its own applications and permits (drafts included);
- front office: officers of the type's issuing agency (DPMPTSP) handle the steps assigned
  to that agency (completeness check, fee assessment, decision, release);
- technical review: officers of the responsible agency (DISTARU, DINKES…);
- signing: the HEAD of the agency a signing step names (the head of DPMPTSP);
- treasury: staff of the type's treasury agency (BAPENDA by default) record payments by
  hand when the gateway cannot;
- revocation: the head of the issuing agency;
- leadership and administrators see every submitted application (read only).

Staff of an agency that takes part in a permit type see that type's submitted applications
(never drafts); only the handlers of the current step may act on one.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from kotapintar.core import access

from .models import (
    Application,
    ApplicationDocument,
    FeeAssessment,
    HandlerRole,
    Permit,
    PermitType,
    Stage,
    Status,
    WorkflowStep,
)

ACT = "act"


def involved_type_ids(user: Any) -> QuerySet:
    """Ids of the permit types in which one of the user's agencies takes part."""
    ids = access.agency_ids(user)
    if not ids:
        return PermitType.objects.none().values("pk")
    return (
        PermitType.objects.filter(
            Q(lead_agency_id__in=ids)
            | Q(technical_agency_id__in=ids)
            | Q(treasury_agency_id__in=ids)
            | Q(steps__agency_id__in=ids)
        )
        .values("pk")
        .distinct()
    )


def _own(user: Any) -> Q:
    return Q(applicant_id=user.pk)


@access.policy(Application)
class ApplicationPolicy(access.Policy):
    actions = frozenset({access.VIEW, "change"})

    def citizen(self, qs, user, action):
        return qs.filter(_own(user))

    def verifier(self, qs, user, action):
        return qs.filter(_own(user))

    def agency(self, qs, user, action):
        if action != access.VIEW:
            return qs.filter(_own(user))
        return qs.filter(_own(user) | (Q(permit_type_id__in=involved_type_ids(user)) & ~Q(status=Status.DRAFT)))

    def leadership(self, qs, user, action):
        if action != access.VIEW:
            return qs.filter(_own(user))
        return qs.filter(_own(user) | ~Q(status=Status.DRAFT))

    def admin(self, qs, user, action):
        return self.leadership(qs, user, action)


@access.policy(ApplicationDocument)
class ApplicationDocumentPolicy(access.Policy):
    """A document is visible to whoever may see its application."""

    def _through(self, qs, user):
        visible = access.scope(Application.objects.all(), user).values("pk")
        return qs.filter(application_id__in=visible)

    def citizen(self, qs, user, action):
        return self._through(qs, user)

    def verifier(self, qs, user, action):
        return self._through(qs, user)

    def agency(self, qs, user, action):
        return self._through(qs, user)

    def leadership(self, qs, user, action):
        return self._through(qs, user)

    def admin(self, qs, user, action):
        return self._through(qs, user)


@access.policy(FeeAssessment)
class FeeAssessmentPolicy(ApplicationDocumentPolicy):
    """An assessment is visible to whoever may see its application."""


@access.policy(Permit)
class PermitPolicy(access.Policy):
    def _own(self, user):
        return Q(holder_id=user.pk)

    def citizen(self, qs, user, action):
        return qs.filter(self._own(user))

    def verifier(self, qs, user, action):
        return qs.filter(self._own(user))

    def agency(self, qs, user, action):
        return qs.filter(self._own(user) | Q(permit_type_id__in=involved_type_ids(user)))

    def leadership(self, qs, user, action):
        return qs

    def admin(self, qs, user, action):
        return qs


@access.policy(PermitType)
class PermitTypePolicy(access.Policy):
    """Open permit types are public; administrators also see closed ones."""

    def _public(self, qs):
        return qs.filter(is_active=True)

    def anonymous(self, qs, user, action):
        return self._public(qs)

    def citizen(self, qs, user, action):
        return self._public(qs)

    def verifier(self, qs, user, action):
        return self._public(qs)

    def agency(self, qs, user, action):
        return qs.filter(Q(is_active=True) | Q(pk__in=involved_type_ids(user)))

    def leadership(self, qs, user, action):
        return qs

    def admin(self, qs, user, action):
        return qs


# --- acting -------------------------------------------------------------------------------------------


def is_staff(user: Any) -> bool:
    return access.role_of(user) == access.AGENCY


def handles_step(user: Any, step: WorkflowStep | None) -> bool:
    """Is the user one of the handlers of this step (an officer or the head of its agency, or its head only)?"""
    if step is None or step.is_automatic or not is_staff(user):
        return False
    agency_id = step.handling_agency_id
    if step.handler_role == HandlerRole.HEAD:
        return agency_id in access.headed_agency_ids(user)
    return agency_id in access.agency_ids(user)


def can_act(user: Any, application: Application, stage: str | None = None) -> bool:
    """May the user do the work of the application's current step (optionally: of this stage)?"""
    if application.status != Status.IN_PROCESS or application.current_step_id is None:
        return False
    step = application.current_step
    if step is None or (stage is not None and step.stage != stage):
        return False
    return handles_step(user, step)


def can_record_payment(user: Any, application: Application) -> bool:
    """Treasury: staff of the type's treasury agency (the issuing agency when none is set)."""
    if application.status != Status.AWAITING_PAYMENT or not is_staff(user):
        return False
    permit_type = application.permit_type
    agency_id = permit_type.treasury_agency_id or permit_type.lead_agency_id
    return agency_id in access.agency_ids(user)


def can_revoke(user: Any, permit: Permit) -> bool:
    """The head of the issuing agency revokes permits."""
    return (
        permit.revoked_on is None
        and is_staff(user)
        and permit.permit_type.lead_agency_id in access.headed_agency_ids(user)
    )


def is_treasury_member(user: Any) -> bool:
    if not is_staff(user):
        return False
    ids = access.agency_ids(user)
    return bool(ids) and PermitType.objects.filter(treasury_agency_id__in=ids).exists()


def is_permit_staff(user: Any) -> bool:
    """Does the user take part in any permit type (to show the queue in the menu)?"""
    return is_staff(user) and involved_type_ids(user).exists()


def stage_label(stage: str) -> str:
    return str(Stage(stage).label)
