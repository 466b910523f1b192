"""Agencies, units and memberships change only through the services, each change audited."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from kotapintar.agencies import services
from kotapintar.agencies.models import Agency, Membership
from kotapintar.core import access
from kotapintar.core.errors import DomainError, NotAllowed
from kotapintar.core.models import AuditLog
from kotapintar.testing.agencies import make_staff


def _last(action: str) -> AuditLog:
    return AuditLog.objects.filter(action=action).order_by("-id").first()


# --- agencies -------------------------------------------------------------------------------


def test_administrator_creates_an_agency_audited_with_its_id(city_admin):
    agency = services.agency_create(
        actor=city_admin, code=" dishub ", name="Dinas Perhubungan", kind="dinas", email="dishub@kota.test"
    )
    assert agency.code == "DISHUB"
    row = _last("agency.create")
    assert row.actor_id == city_admin.pk
    assert row.agency_id == agency.pk
    assert row.after["code"] == "DISHUB" and row.after["email"] == "dishub@kota.test"


def test_only_administrators_create_or_change_agencies(officer, agency_head, agency):
    for actor in (officer, agency_head):
        with pytest.raises(NotAllowed):
            services.agency_create(actor=actor, code="X", name="X", kind="dinas")
        with pytest.raises(NotAllowed):
            services.agency_update(actor=actor, agency=agency, name="Renamed")
    agency.refresh_from_db()
    assert agency.name == "Dinas Pekerjaan Umum"
    assert not AuditLog.objects.exists()


def test_deactivating_an_agency_is_audited_and_a_no_op_is_not(city_admin, agency):
    services.agency_update(actor=city_admin, agency=agency, is_active=False)
    agency.refresh_from_db()
    assert agency.is_active is False
    row = _last("agency.update")
    assert (row.before, row.after) == ({"is_active": True}, {"is_active": False})

    services.agency_update(actor=city_admin, agency=agency, is_active=False, name=agency.name)
    assert AuditLog.objects.filter(action="agency.update").count() == 1


def test_agency_rules(city_admin, agency, semarang_regions):
    with pytest.raises(DomainError, match="DPU"):
        services.agency_create(actor=city_admin, code="dpu", name="Duplikat", kind="dinas")
    with pytest.raises(DomainError) as caught:
        services.agency_create(actor=city_admin, code="KEC-X", name="Kecamatan X", kind="kecamatan")
    assert caught.value.code == "kecamatan_region"
    district = semarang_regions[0]
    services.agency_create(actor=city_admin, code="KEC-A", name="Kecamatan A", kind="kecamatan", region=district)
    with pytest.raises(DomainError) as caught:
        services.agency_create(actor=city_admin, code="KEC-B", name="Kecamatan B", kind="kecamatan", region=district)
    assert caught.value.code == "kecamatan_office_exists"
    with pytest.raises(ValidationError):
        services.agency_create(actor=city_admin, code="BAD", name="Bad", kind="dinas", email="not-an-email")
    with pytest.raises(TypeError):
        services.agency_update(actor=city_admin, agency=agency, colour="red")
    assert Agency.objects.count() == 2


# --- units ----------------------------------------------------------------------------------


def test_head_manages_own_agencys_units_only(agency_head, officer, agency, other_agency):
    unit = services.unit_create(actor=agency_head, agency=agency, name="Bidang Jalan", code="BJ")
    row = _last("unit.create")
    assert row.agency_id == agency.pk and row.after["name"] == "Bidang Jalan"

    services.unit_update(actor=agency_head, unit=unit, name="Bidang Jalan dan Jembatan")
    unit.refresh_from_db()
    assert unit.name == "Bidang Jalan dan Jembatan"
    assert _last("unit.update").before == {"name": "Bidang Jalan"}

    with pytest.raises(NotAllowed):
        services.unit_create(actor=officer, agency=agency, name="Seksi Lain")
    with pytest.raises(NotAllowed):
        services.unit_create(actor=agency_head, agency=other_agency, name="Bidang Sampah")
    with pytest.raises(DomainError):
        services.unit_create(actor=agency_head, agency=agency, name="bidang jalan dan jembatan")


# --- memberships ----------------------------------------------------------------------------


def test_administrator_sets_and_updates_a_membership(city_admin, agency):
    staff = make_staff(role="agency", full_name="Dewi Operator")
    unit = services.unit_create(actor=city_admin, agency=agency, name="Bidang Drainase")

    membership = services.membership_set(actor=city_admin, user=staff, agency=agency, role="officer", unit=unit)
    assert (membership.role, membership.unit, membership.is_active) == ("officer", unit, True)
    row = _last("membership.set")
    assert row.agency_id == agency.pk and row.after["role"] == "officer" and row.before is None

    again = services.membership_set(actor=city_admin, user=staff, agency=agency, role="head", position="Kepala")
    assert again.pk == membership.pk
    assert Membership.objects.filter(user=staff).count() == 1
    row = _last("membership.set")
    assert row.before == {"role": "officer", "unit": unit.pk, "position": ""}
    assert row.after == {"role": "head", "unit": None, "position": "Kepala"}


def test_only_agency_staff_accounts_can_be_members(city_admin, agency, citizen, verifier):
    for user in (citizen, verifier):
        with pytest.raises(DomainError) as caught:
            services.membership_set(actor=city_admin, user=user, agency=agency, role="officer")
        assert caught.value.code == "not_agency_staff"
    assert not Membership.objects.exists()


def test_membership_rules(city_admin, agency, other_agency):
    staff = make_staff(role="agency")
    foreign_unit = services.unit_create(actor=city_admin, agency=other_agency, name="Bidang Sampah")
    with pytest.raises(DomainError) as caught:
        services.membership_set(actor=city_admin, user=staff, agency=agency, role="officer", unit=foreign_unit)
    assert caught.value.code == "unit_not_in_agency"
    with pytest.raises(DomainError) as caught:
        services.membership_set(actor=city_admin, user=staff, agency=agency, role="boss")
    assert caught.value.code == "invalid_role"
    services.agency_update(actor=city_admin, agency=agency, is_active=False)
    with pytest.raises(DomainError) as caught:
        services.membership_set(actor=city_admin, user=staff, agency=agency, role="officer")
    assert caught.value.code == "agency_inactive"


def test_head_adds_officers_but_appoints_no_head(agency_head, agency, other_agency, officer):
    staff = make_staff(role="agency")
    services.membership_set(actor=agency_head, user=staff, agency=agency, role="officer")
    assert Membership.objects.get(user=staff).agency == agency

    with pytest.raises(NotAllowed):
        services.membership_set(actor=agency_head, user=staff, agency=agency, role="head")
    with pytest.raises(NotAllowed):
        services.membership_set(actor=agency_head, user=staff, agency=other_agency, role="officer")
    with pytest.raises(NotAllowed):
        services.membership_set(actor=officer, user=staff, agency=agency, role="officer")
    head_membership = Membership.objects.get(user=agency_head)
    with pytest.raises(NotAllowed):
        services.membership_remove(actor=agency_head, membership=head_membership)


def test_removing_a_membership_keeps_it_inactive_and_drops_access(city_admin, officer, agency):
    assert access.agency_ids(officer) == {agency.pk}
    membership = Membership.objects.get(user=officer)

    services.membership_remove(actor=city_admin, membership=membership)

    membership.refresh_from_db()
    assert membership.is_active is False
    row = _last("membership.remove")
    assert (row.before, row.after, row.agency_id) == ({"is_active": True}, {"is_active": False}, agency.pk)
    # The service forgot the cached memberships of the user object it was given.
    assert access.agency_ids(membership.user) == frozenset()

    services.membership_remove(actor=city_admin, membership=membership)
    assert AuditLog.objects.filter(action="membership.remove").count() == 1

    services.membership_set(actor=city_admin, user=officer, agency=agency, role="officer")
    membership.refresh_from_db()
    assert membership.is_active is True
