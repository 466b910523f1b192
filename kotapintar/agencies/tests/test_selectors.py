"""Reads of the agencies app, and the routing helper for other modules."""

from __future__ import annotations

from kotapintar.agencies import selectors, services
from kotapintar.agencies.models import Agency


def test_agency_for_district_finds_the_kecamatan_office(semarang_regions):
    services.agency_import()
    office = selectors.agency_for_district("33.74.01")
    assert office.code == "KEC-33.74.01"
    # A kelurahan routes to its kecamatan's office.
    assert selectors.agency_for_district("33.74.01.1001") == office
    assert selectors.agency_for_district("33.74.99") is None
    assert selectors.agency_for_district("33.74") is None
    assert selectors.agency_for_district("") is None

    services.agency_update(actor=None, agency=office, is_active=False)
    assert selectors.agency_for_district("33.74.01") is None


def test_public_list_has_active_agencies_and_units_only(city_admin, agency, other_agency):
    active_unit = services.unit_create(actor=city_admin, agency=agency, name="Bidang Jalan")
    services.unit_create(actor=city_admin, agency=agency, name="Bidang Lama", is_active=False)
    services.agency_update(actor=city_admin, agency=other_agency, is_active=False)

    listed = list(selectors.agencies_public())

    assert listed == [agency]
    assert list(listed[0].units.all()) == [active_unit]


def test_agencies_visible_by_role(city_admin, citizen, agency, other_agency):
    other_agency.is_active = False
    other_agency.save()
    assert list(selectors.agencies_visible(citizen)) == [agency]
    assert set(selectors.agencies_visible(city_admin)) == {agency, other_agency}
    assert Agency.objects.count() == 2
