from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "kotapintar.core"
    label = "core"
    verbose_name = _("Platform kernel")

    def ready(self) -> None:
        from kotapintar.accounts.models import STAFF_ROLES

        from . import checks, dashboard, navigation  # noqa: F401  (checks registers the deploy checks)
        from .views import calendar_card_context

        navigation.register(
            navigation.NavItem(
                key="core.staff_home",
                label=_("Staff desk"),
                url_name="core:staff_home",
                icon="briefcase",
                order=10,
                roles=frozenset(str(r) for r in STAFF_ROLES),
            )
        )
        dashboard.register_card(
            dashboard.Card(
                key="core.audit",
                title=_("Audit log"),
                template="core/cards/audit.html",
                roles=frozenset({"admin", "agency"}),
                order=950,
            )
        )
        dashboard.register_card(
            dashboard.Card(
                key="core.calendar",
                title=_("Working-day calendar"),
                template="core/cards/calendar.html",
                context=calendar_card_context,
                order=900,
            )
        )
        for tile in (
            dashboard.Tile(
                key="core.signup",
                title=_("Create an account"),
                description=_("One account for every city service: free, with your e-mail or phone number."),
                url_name="accounts:signup",
                icon="person-plus",
                order=10,
                audience="anonymous",
            ),
            dashboard.Tile(
                key="core.login",
                title=_("Sign in"),
                description=_("Follow up what you have sent to the city and read your notifications."),
                url_name="accounts:login",
                icon="box-arrow-in-right",
                order=11,
                audience="anonymous",
            ),
            dashboard.Tile(
                key="core.notifications",
                title=_("My notifications"),
                description=_("Messages from the city about what you have sent."),
                url_name="core:notifications",
                icon="bell",
                order=12,
                audience="authenticated",
            ),
            dashboard.Tile(
                key="core.regions",
                title=_("Areas of the city"),
                description=_("Map of the districts (kecamatan) and villages (kelurahan) of the city."),
                url_name="regions:index",
                icon="map",
                order=50,
            ),
            dashboard.Tile(
                key="core.api",
                title=_("Open API"),
                description=_("For developers: the platform's data and services through a documented API."),
                url_name="api-docs",
                icon="code-slash",
                order=90,
            ),
        ):
            dashboard.register_tile(tile)
