from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PermitsConfig(AppConfig):
    name = "kotapintar.permits"
    label = "permits"
    verbose_name = _("Online permits")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.core import checks

        from . import integration
        from .checks import check_payment_gateway, check_signing_keys_deploy, check_signing_keys_errors

        # Misconfigured keys stop every command; the development-key warning is for `check --deploy`
        # (in the embedded mode it would otherwise print on every manage.py call).
        checks.register(check_signing_keys_errors, checks.Tags.security)
        checks.register(check_signing_keys_deploy, checks.Tags.security, deploy=True)
        checks.register(check_payment_gateway, checks.Tags.security, deploy=True)
        integration.register_all()
