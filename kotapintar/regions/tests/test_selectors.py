"""Selectors of the city's areas."""

from __future__ import annotations

import pytest

from kotapintar.regions import selectors
from kotapintar.regions.services import regions_import


def test_city_kecamatan_and_their_kelurahan(semarang):
    districts = list(selectors.city_districts())
    villages = list(selectors.district_villages("33.74.07"))

    assert len(districts) == 16
    assert [d.name for d in districts] == sorted(d.name for d in districts)
    assert len(villages) == 10
    assert {v.parent_id for v in villages} == {"33.74.07"}
    assert "Pleburan" in [v.name for v in villages]
    assert selectors.city_villages().count() == 177
    assert selectors.city().name == "Kota Semarang"
    assert selectors.city_name() == "Kota Semarang"


def test_kelurahan_of_another_citys_kecamatan_are_not_the_citys(semarang):
    regions_import(only_prefix="34.71")

    assert list(selectors.district_villages("34.71.01")) == []
    assert selectors.city_villages().count() == 177  # Yogyakarta's kelurahan are not counted


def test_city_tree_lists_each_kecamatan_with_its_kelurahan(semarang):
    tree = selectors.city_tree()

    assert len(tree) == 16
    assert sum(len(entry.villages) for entry in tree) == 177
    selatan = next(entry for entry in tree if entry.district.code == "33.74.07")
    assert all(v.parent_id == "33.74.07" for v in selatan.villages)


def test_boundary_status(semarang):
    assert selectors.city_boundary_status() == {"districts": 16, "villages": 177, "approximate": True, "any": True}


@pytest.mark.django_db
def test_boundary_status_without_boundaries(settings):
    settings.CITY_CODE = "33.74"
    regions_import(only_prefix="33.74")

    assert selectors.city_boundary_status() == {"districts": 0, "villages": 0, "approximate": False, "any": False}
