"""Writes of the staff web UI that the backbone's services do not cover.

    report_reveal_reporter(actor=verifier, report=report, reason="…")  → selectors.Reporter

Only the verifier desk (and administrators) may see who filed an anonymous report, and
only when needed (reports.md): the staff page keeps the identity hidden until a member of
the desk asks for it with a reason. The request is an audited act — who looked, when, and
why — like any change, so the audit log answers "who saw this reporter?".
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kotapintar.core import audit
from kotapintar.core.errors import NotAllowed

from .errors import ReportInvalid
from .models import Report
from .policies import can_see_reporter
from .selectors import Reporter, reporter_of
from .services import clean_text

MAX_REASON = 300


@transaction.atomic
def report_reveal_reporter(*, actor: Any, report: Report, reason: str) -> Reporter:
    """Show the reporter of a report to `actor` (the desk), recording who asked and why."""
    if actor is None or not can_see_reporter(actor, report):
        raise NotAllowed(_("Only the verifier desk may see who filed an anonymous report."))
    why = " ".join(clean_text(reason).split())
    if not why:
        raise ReportInvalid.single("reason", _("Say why you need to see the reporter's identity."))
    if len(why) > MAX_REASON:
        raise ReportInvalid.single(
            "reason", _("The reason is too long: at most %(limit)d characters.") % {"limit": MAX_REASON}
        )
    reporter = reporter_of(report, actor)
    assert reporter is not None  # can_see_reporter said yes
    audit.record(
        actor=actor,
        action="report.reveal_reporter",
        obj=report,
        after={"reason": why, "privacy": report.privacy},
        agency_id=report.responsible_agency_id,
        label=report.tracking_number,
    )
    return reporter
