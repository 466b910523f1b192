from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "kotapintar.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from . import checks, privacy, services  # noqa: F401  (checks registers the system checks)

        privacy.register(
            "account",
            label=_("Account"),
            exporter=services.account_exporter,
            eraser=services.account_eraser,
            summary=services.account_summary,
            order=0,
        )
        privacy.register(
            "notifications",
            label=_("Notifications"),
            exporter=services.notifications_exporter,
            eraser=services.notifications_eraser,
            summary=services.notifications_summary,
            order=900,
        )
