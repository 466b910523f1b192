from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "kotapintar.reports"
    label = "reports"
    verbose_name = _("Citizen reports (Lapor)")

    def ready(self) -> None:
        from kotapintar.accounts import privacy

        from . import privacy as reports_privacy

        privacy.register(
            "reports",
            label=_("Reports"),
            exporter=reports_privacy.export_reports,
            eraser=reports_privacy.erase_reports,
            summary=reports_privacy.summary,
            order=200,
        )
