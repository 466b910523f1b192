from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegionsConfig(AppConfig):
    name = "kotapintar.regions"
    label = "regions"
    verbose_name = _("Regions")

    def ready(self) -> None:
        from kotapintar.core.navigation import VISITOR, NavItem, register

        register(
            NavItem(
                key="regions",
                label=_("Areas"),
                url_name="regions:index",
                icon="map",
                order=80,
                roles=frozenset({VISITOR}),
            )
        )
