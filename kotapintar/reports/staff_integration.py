"""Where the staff pages of Lapor plug into the platform: navigation entries and the
staff-home cards (called once at start-up, from reports.apps)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

_done = False


def register_all() -> None:
    global _done
    if _done:
        return
    from kotapintar.core import dashboard, navigation

    from .views import staff

    navigation.register(
        navigation.NavItem(
            key="reports.staff_triage",
            label=_("Report verification"),
            url_name="reports:staff_triage",
            icon="clipboard-check",
            order=20,
            roles=frozenset({"verifier", "admin"}),
        )
    )
    navigation.register(
        navigation.NavItem(
            key="reports.staff_inbox",
            label=_("Agency inbox"),
            url_name="reports:staff_inbox",
            icon="inbox",
            order=21,
            roles=frozenset({"agency"}),
        )
    )
    navigation.register(
        navigation.NavItem(
            key="reports.staff_overview",
            label=_("Reports overview"),
            url_name="reports:staff_overview",
            icon="bar-chart",
            order=22,
            roles=frozenset({"leadership"}),
        )
    )
    dashboard.register_card(
        dashboard.Card(
            key="reports.triage",
            title=_("Verification queue"),
            template="reports/staff/cards/triage.html",
            roles=frozenset({"verifier", "admin"}),
            context=staff.triage_card_context,
            order=10,
        )
    )
    dashboard.register_card(
        dashboard.Card(
            key="reports.inbox",
            title=_("Agency inbox"),
            template="reports/staff/cards/inbox.html",
            roles=frozenset({"agency"}),
            context=staff.inbox_card_context,
            order=10,
        )
    )
    dashboard.register_card(
        dashboard.Card(
            key="reports.overview",
            title=_("Citizen reports"),
            template="reports/staff/cards/overview.html",
            roles=frozenset({"leadership"}),
            context=staff.overview_card_context,
            order=10,
        )
    )
    _done = True
