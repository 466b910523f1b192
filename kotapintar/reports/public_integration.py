"""Where the public transparency pages of Lapor plug into the platform: the "Report map"
navigation entry and the home tiles (called once at start-up, from reports.apps)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

_done = False


def register_all() -> None:
    global _done
    if _done:
        return
    from kotapintar.core import dashboard, navigation

    navigation.register(
        navigation.NavItem(
            key="reports.public", label=_("Report map"), url_name="reports:public_index", icon="map", order=17
        )
    )
    for tile in (
        dashboard.Tile(
            key="reports.public",
            title=_("Report map"),
            description=_(
                "Every public report on the map and in a list: what residents reported, which agency is "
                "responsible, and how far it has got."
            ),
            url_name="reports:public_index",
            icon="map",
            order=8,
        ),
        dashboard.Tile(
            key="reports.statistics",
            title=_("Report statistics"),
            description=_(
                "How many reports each agency and kecamatan received and resolved, how fast, and how "
                "residents rated the handling."
            ),
            url_name="reports:public_stats",
            icon="bar-chart-line",
            order=9,
        ),
    ):
        dashboard.register_tile(tile)
    _done = True
