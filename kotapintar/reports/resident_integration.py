"""Where the residents' pages of Lapor plug into the platform: the "Lapor" navigation entry,
the home tiles and the "Layanan Saya" section of the portal (called once at start-up, from reports.apps)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

_done = False


def my_reports_section(user: Any) -> dict | None:
    """The portal's "Layanan Saya" section: my latest reports and what waits for me."""
    from . import web_selectors

    if not getattr(user, "is_authenticated", False):
        return None
    rows = web_selectors.my_report_rows(user)
    return {
        "rows": rows[:5],
        "count": len(rows),
        "attention": sum(1 for r in rows if r.needs_me),
    }


def register_all() -> None:
    global _done
    if _done:
        return
    from kotapintar.core import dashboard, navigation

    # Filing is for residents and visitors (staff have their desks); "my reports" is personal:
    # it goes in the account menu, not in the bar.
    navigation.register(
        navigation.NavItem(
            key="reports.create",
            label=_("Lapor"),
            url_name="reports:create",
            icon="megaphone",
            order=15,
            roles=frozenset({navigation.VISITOR}),
        )
    )
    navigation.register(
        navigation.NavItem(
            key="reports.mine",
            label=_("My reports"),
            url_name="reports:mine",
            icon="card-checklist",
            order=16,
            roles=frozenset({navigation.AUTHENTICATED}),
            menu=navigation.USER_MENU,
        )
    )
    for tile in (
        dashboard.Tile(
            key="reports.create",
            title=_("Report a problem"),
            description=_(
                "A damaged road, a blocked drain, rubbish, a street light out: tell the city in a minute, "
                "with or without an account."
            ),
            url_name="reports:create",
            icon="megaphone",
            order=5,
        ),
        dashboard.Tile(
            key="reports.mine",
            title=_("My reports"),
            description=_("The status, the responsible agency and the deadline of every report you filed."),
            url_name="reports:mine",
            icon="card-checklist",
            order=6,
            audience="authenticated",
        ),
        dashboard.Tile(
            key="reports.lookup",
            title=_("Track a report"),
            description=_("Enter your tracking number to see what happened to your report."),
            url_name="reports:lookup",
            icon="search",
            order=7,
            audience="anonymous",
        ),
    ):
        dashboard.register_tile(tile)
    try:
        from kotapintar.portal.registry import register_section
    except ImportError:  # pragma: no cover - the portal is optional
        pass
    else:
        register_section(
            "reports", _("My reports"), "reports/resident/portal_section.html", loader=my_reports_section, order=10
        )
    _done = True
