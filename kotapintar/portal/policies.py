"""Row-level access to the portal's rows (see core.access)."""

from __future__ import annotations

from kotapintar.core import access

from .models import SatisfactionSurvey, ServiceStandard, SurveyResponse


@access.policy(ServiceStandard)
class ServiceStandardPolicy(access.Policy):
    """The published catalogue is public; administrators see (and change) every entry."""

    actions = frozenset({access.VIEW, "change"})

    def _public(self, qs, action):
        if action != access.VIEW:
            return qs.none()
        return qs.filter(is_published=True, agency__is_active=True)

    def anonymous(self, qs, user, action):
        return self._public(qs, action)

    def citizen(self, qs, user, action):
        return self._public(qs, action)

    def verifier(self, qs, user, action):
        return self._public(qs, action)

    def agency(self, qs, user, action):
        return self._public(qs, action)

    def leadership(self, qs, user, action):
        return self._public(qs, action)

    def admin(self, qs, user, action):
        return qs


@access.policy(SatisfactionSurvey)
class SatisfactionSurveyPolicy(access.Policy):
    """A survey is seen by the person it was offered to; administrators see who was asked.

    Nobody sees how a person answered: the answers are not linked to the survey.
    """

    actions = frozenset({access.VIEW, "answer"})

    def _own(self, qs, user):
        return qs.filter(respondent_id=user.pk)

    def citizen(self, qs, user, action):
        return self._own(qs, user)

    def verifier(self, qs, user, action):
        return self._own(qs, user)

    def agency(self, qs, user, action):
        return self._own(qs, user)

    def leadership(self, qs, user, action):
        return self._own(qs, user)

    def admin(self, qs, user, action):
        return qs if action == access.VIEW else self._own(qs, user)


@access.policy(SurveyResponse)
class SurveyResponsePolicy(access.Policy):
    """Single anonymous answers (with their suggestions): the agency that served, leadership, administrators.

    The public only ever sees aggregates (selectors.ikm_*), never a single answer.
    """

    def agency(self, qs, user, action):
        return qs.filter(agency_id__in=access.agency_ids(user))

    def leadership(self, qs, user, action):
        return qs

    def admin(self, qs, user, action):
        return qs
