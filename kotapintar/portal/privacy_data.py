"""The portal's part of "my data" (UU PDP): the surveys a person was offered.

Answers are anonymous (SurveyResponse has no link to anybody), so they are neither part of
a person's data nor erased with it; what is personal is that a survey was offered to them
for a case, and whether they answered.
"""

from __future__ import annotations

from django.utils.translation import ngettext

from .models import SatisfactionSurvey


def exporter(user) -> list[dict]:
    rows = SatisfactionSurvey.objects.filter(respondent=user).select_related("service", "agency").order_by("offered_at")
    return [
        {
            "service": s.service.name,
            "agency": str(s.agency),
            "case": s.case_label or f"{s.case_kind} {s.case_id}",
            "status": s.status,
            "offered_at": s.offered_at.isoformat(),
            "answered_at": s.answered_at.isoformat() if s.answered_at else None,
        }
        for s in rows
    ]


def eraser(user) -> None:
    """Unanswered surveys are closed; every survey loses its link to the person and the case label.

    The rows stay (without the person) so that a case is still never surveyed twice.
    """
    SatisfactionSurvey.objects.filter(respondent=user, status=SatisfactionSurvey.Status.PENDING).update(
        status=SatisfactionSurvey.Status.CLOSED
    )
    SatisfactionSurvey.objects.filter(respondent=user).update(respondent=None, case_label="", case_url="")


def summary(user) -> str:
    count = SatisfactionSurvey.objects.filter(respondent=user).count()
    return ngettext(
        "%(count)d survey offered (your answers are anonymous and not linked to you)",
        "%(count)d surveys offered (your answers are anonymous and not linked to you)",
        count,
    ) % {"count": count}
