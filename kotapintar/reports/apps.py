from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "kotapintar.reports"
    label = "reports"
    verbose_name = _("Citizen reports (Lapor)")

    def ready(self) -> None:
        from kotapintar.accounts import privacy

        from . import privacy as reports_privacy
        from . import public_integration, resident_integration, staff_integration

        # Navigation entries, staff cards and home tiles, registered at start-up (not only
        # when the URL map first loads): every process sees the same menu from the start.
        resident_integration.register_all()
        public_integration.register_all()
        staff_integration.register_all()

        privacy.register(
            "reports",
            label=_("Reports"),
            exporter=reports_privacy.export_reports,
            eraser=reports_privacy.erase_reports,
            summary=reports_privacy.summary,
            order=200,
        )
