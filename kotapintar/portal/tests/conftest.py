import pytest
from django.apps import apps


@pytest.fixture(autouse=True)
def _portal_catalogue(settings):
    """Until the portal app is registered, install the package so its Indonesian catalogue loads."""
    if not any(config.label == "portal" for config in apps.get_app_configs()):
        settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, "kotapintar.portal"]
