"""Texts of the messages the reports app sends (in the recipient's language).

Each kind has a subject and a body with placeholders; `render()` fills them in the
recipient's language. Bodies are plain text (e-mail, WhatsApp, SMS, in-app inbox).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _

from kotapintar.core.calendar import WIB

TEXTS = {
    "received": (
        _("Report %(number)s received"),
        _(
            "Thank you. Your report “%(title)s” was received with the number %(number)s. "
            "The complaint desk will check it by %(due)s. Follow its progress here: %(url)s"
        ),
    ),
    "verified": (
        _("Report %(number)s verified"),
        _("Your report “%(title)s” (%(number)s) was verified and will be routed to the responsible agency."),
    ),
    "set_aside": (
        _("Report %(number)s set aside"),
        _("Your report “%(title)s” (%(number)s) was set aside: %(reason)s. %(text)s"),
    ),
    "dispositioned": (
        _("Report %(number)s routed to %(agency)s"),
        _("Your report “%(title)s” (%(number)s) is now with %(agency)s. A first follow-up is due by %(due)s."),
    ),
    "rerouted": (
        _("Report %(number)s handed to %(agency)s"),
        _("The report “%(title)s” (%(number)s) was handed over to %(agency)s: %(text)s"),
    ),
    "follow_up": (
        _("Follow-up on report %(number)s"),
        _("%(agency)s on the report “%(title)s” (%(number)s): %(text)s"),
    ),
    "info_requested": (
        _("Report %(number)s: more information needed"),
        _(
            "%(agency)s asks for more information about your report “%(title)s” (%(number)s): %(text)s "
            "Answer here: %(url)s"
        ),
    ),
    "resolved": (
        _("Report %(number)s resolved"),
        _(
            "%(agency)s resolved the report “%(title)s” (%(number)s): %(text)s "
            "If the problem remains you may reopen the report until %(due)s; please rate the handling: %(url)s"
        ),
    ),
    "closed": (
        _("Report %(number)s closed"),
        _("The report “%(title)s” (%(number)s) is closed. Thank you for helping the city."),
    ),
    "reopened": (
        _("Report %(number)s reopened"),
        _("The reporter reopened the report “%(title)s” (%(number)s): the problem is not solved yet."),
    ),
    "merged": (
        _("Report %(number)s merged into %(other)s"),
        _(
            "The report “%(title)s” (%(number)s) describes the same problem as %(other)s and was merged into "
            "it. You now follow %(other)s and are told of its progress: %(url)s"
        ),
    ),
    # to staff
    "new_for_agency": (
        _("New report for %(agency)s: %(number)s"),
        _("The report “%(title)s” (%(number)s) was routed to %(agency)s. First follow-up due by %(due)s: %(url)s"),
    ),
    "assigned": (
        _("Report %(number)s assigned to you"),
        _("You were assigned the report “%(title)s” (%(number)s). Due by %(due)s: %(url)s"),
    ),
    "reporter_reply": (
        _("The reporter answered on %(number)s"),
        _("The reporter of “%(title)s” (%(number)s) answered: %(text)s %(url)s"),
    ),
    "escalation": (
        _("Overdue: report %(number)s"),
        _(
            "The report “%(title)s” (%(number)s), with %(agency)s, was due on %(due)s and is overdue "
            "(reminder level %(level)s). %(url)s"
        ),
    ),
}


def _text(value) -> str:
    if isinstance(value, dt.datetime):
        return formats.date_format(timezone.localtime(value, WIB), "l, j F Y")
    return str(value)


def render(kind: str, language: str | None = None, **params) -> tuple[str, str]:
    """(subject, body) of a message kind in `language` (default Indonesian)."""
    subject, body = TEXTS[kind]
    with translation.override(language or "id"):
        values = defaultdict(str, {k: _text(v) for k, v in params.items()})
        return str(subject) % values, " ".join((str(body) % values).split())
