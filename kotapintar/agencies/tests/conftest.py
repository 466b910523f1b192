"""Private fixtures of the agencies tests: a few Region rows (the real import is the regions app's)."""

from __future__ import annotations

import pytest

from kotapintar.regions.models import Region


def _region(code: str, level: int, name: str, parent: str | None = None) -> Region:
    return Region.objects.create(code=code, level=level, name=name, parent_id=parent)


@pytest.fixture
def semarang_regions(db):
    """Jawa Tengah, Kota Semarang and three of its kecamatan (with one kelurahan)."""
    _region("33", 1, "Jawa Tengah")
    _region("33.74", 2, "Kota Semarang", "33")
    districts = [
        _region("33.74.01", 3, "Semarang Tengah", "33.74"),
        _region("33.74.02", 3, "Semarang Utara", "33.74"),
        _region("33.74.10", 3, "Tembalang", "33.74"),
    ]
    _region("33.74.01.1001", 4, "Miroto", "33.74.01")
    return districts


@pytest.fixture
def cilacap_regions(semarang_regions):
    """Another city of the province, for switching CITY_CODE."""
    _region("33.01", 2, "Kabupaten Cilacap", "33")
    return [
        _region("33.01.01", 3, "Dayeuhluhur", "33.01"),
        _region("33.01.02", 3, "Wanareja", "33.01"),
    ]
