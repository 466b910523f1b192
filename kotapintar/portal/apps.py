from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "kotapintar.portal"
    label = "portal"
    verbose_name = _("Public-service portal")

    def ready(self) -> None:
        from kotapintar.accounts import privacy
        from kotapintar.core import dashboard, navigation

        from . import integrations, links, privacy_data, registry, views

        navigation.register(
            navigation.NavItem(
                key="portal.services",
                label=_("Services"),
                url_name="portal:index",
                icon="grid",
                order=20,
                # Staff have their desks in the bar; the catalogue stays on the home page.
                roles=frozenset({navigation.VISITOR}),
            )
        )
        navigation.register(
            navigation.NavItem(
                key="portal.mine",
                label=_("My services"),
                url_name="portal:mine",
                icon="person-lines-fill",
                order=14,
                roles=frozenset({navigation.AUTHENTICATED}),
                menu=navigation.USER_MENU,  # personal: in the account menu, first
            )
        )
        for tile in (
            dashboard.Tile(
                key="portal.catalogue",
                title=_("Public services"),
                description=_("Every service of the city: requirements, steps, time, fees, and where to apply."),
                url_name="portal:index",
                icon="grid",
                order=20,
            ),
            dashboard.Tile(
                key="portal.mine",
                title=_("My services"),
                description=_("Your reports, applications, permits and surveys, in one place."),
                url_name="portal:mine",
                icon="person-lines-fill",
                order=13,
                audience="authenticated",
            ),
            dashboard.Tile(
                key="portal.ikm",
                title=_("Satisfaction index (IKM)"),
                description=_("How residents rate each agency's services, per period."),
                url_name="portal:ikm",
                icon="bar-chart",
                order=60,
            ),
        ):
            dashboard.register_tile(tile)

        registry.register_section(
            "surveys",
            _("Satisfaction surveys"),
            "portal/sections/surveys.html",
            loader=views.surveys_section,
            order=90,
        )
        dashboard.register_card(
            dashboard.Card(
                key="portal.suggestions",
                title=_("Suggestions from the satisfaction survey"),
                template="portal/cards/suggestions.html",
                roles=frozenset({"agency", "leadership", "admin"}),
                context=views.suggestions_card_context,
                order=60,
            )
        )
        links.register_defaults()
        integrations.connect()
        privacy.register(
            "satisfaction_surveys",
            label=_("Satisfaction surveys"),
            exporter=privacy_data.exporter,
            eraser=privacy_data.eraser,
            summary=privacy_data.summary,
            order=600,
        )
