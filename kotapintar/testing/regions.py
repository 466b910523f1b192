"""Area fixtures shared by every app's tests.

- `semarang`: Kota Semarang (33.74) imported with its province, 16 kecamatan and 177
  kelurahan, plus the approximate demo boundaries, and settings.CITY_CODE = "33.74". Returns
  a `City` with `.city`, `.districts`, `.villages`, `.district(name)`, `.village(name)` and
  `.point_in(code)`. Fast (parsed files are cached per process): use it freely.
- `point_in(code)`: a (lat, lng) certainly inside the boundary of that area (kelurahan or
  kecamatan), e.g. to file a report in a known kelurahan.
- The geo index is dropped before and after every test (autouse), so no test sees the
  boundaries another test loaded.

    def test_routing(semarang):
        lat, lng = semarang.point_in(semarang.village("Pleburan").code)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

SEMARANG = "33.74"


def point_in(code: str) -> tuple[float, float]:
    """(lat, lng) of a point inside the stored boundary of an area (its representative point)."""
    from shapely.geometry import shape

    from kotapintar.regions.models import Region

    region = Region.objects.get(code=code)
    if not region.boundary:
        raise ValueError(f"area {code} has no boundary loaded")
    point = shape(region.boundary).representative_point()
    return (point.y, point.x)


@dataclass
class City:
    city: object
    districts: list = field(default_factory=list)
    villages: list = field(default_factory=list)

    def district(self, name: str):
        return next(d for d in self.districts if d.name == name)

    def village(self, name: str, district: str | None = None):
        return next(
            v
            for v in self.villages
            if v.name == name and (district is None or v.parent_id == self.district(district).code)
        )

    def point_in(self, code: str) -> tuple[float, float]:
        return point_in(code)


def load_city(code: str = SEMARANG, *, boundaries: bool = True) -> City:
    """Import one city's areas (and the shipped demo boundaries) into the test database."""
    from kotapintar.core import geo
    from kotapintar.regions.boundaries import demo_file
    from kotapintar.regions.models import Region
    from kotapintar.regions.services import boundaries_import, regions_import

    regions_import(only_prefix=code)
    path = demo_file(code)
    if boundaries and path is not None:
        boundaries_import(path=path, level=None, approximate=True, source_label="demo")
    geo.reset()
    areas = list(Region.objects.filter(code__startswith=code + ".").order_by("code"))
    return City(
        city=Region.objects.get(code=code),
        districts=[a for a in areas if a.level == Region.Level.DISTRICT],
        villages=[a for a in areas if a.level == Region.Level.VILLAGE],
    )


@pytest.fixture
def semarang(db, settings) -> City:
    settings.CITY_CODE = SEMARANG
    settings.CITY_NAME = ""
    return load_city(SEMARANG)


@pytest.fixture(name="point_in")
def point_in_fixture():
    return point_in


@pytest.fixture(autouse=True)
def _fresh_geo_index():
    from kotapintar.core import geo

    geo.reset()
    yield
    geo.reset()
