"""Reads of area data."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache

from .models import Region


def city() -> Region | None:
    """The kabupaten/kota this instance serves (settings.CITY_CODE)."""
    return Region.objects.filter(code=settings.CITY_CODE, level=Region.Level.REGENCY).first()


def city_name() -> str:
    if settings.CITY_NAME:
        return settings.CITY_NAME
    key = f"regions:city_name:{settings.CITY_CODE}"
    name = cache.get(key)
    if name is None:
        region = city()
        name = region.name if region else ""
        if name:
            cache.set(key, name, 3600)
    return name


def city_districts():
    """The kecamatan of the city, by name."""
    return Region.objects.filter(parent_id=settings.CITY_CODE, level=Region.Level.DISTRICT).order_by("name")


def city_villages():
    """The kelurahan/desa of the city, by name."""
    return Region.objects.filter(parent__parent_id=settings.CITY_CODE, level=Region.Level.VILLAGE).order_by("name")
