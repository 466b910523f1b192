"""Template context shared by every page."""

from __future__ import annotations

from django.conf import settings


def platform(request):
    from kotapintar.regions.selectors import city_name

    return {
        "PLATFORM_NAME": settings.PLATFORM_NAME,
        "CITY_NAME": city_name(),
        "CITY_CODE": settings.CITY_CODE,
    }
