"""The agencies admin: administrators only, and every save goes through the services."""

from __future__ import annotations

import pytest

from kotapintar.agencies.models import Agency, Membership, Unit
from kotapintar.core.models import AuditLog
from kotapintar.testing.accounts import login_staff
from kotapintar.testing.agencies import make_staff

CHANGE_URL = "/admin/agencies/agency/{pk}/change/"


def _form(agency: Agency, **overrides) -> dict:
    """The POST body of the agency change page, with empty inlines."""
    data = {
        "code": agency.code,
        "name": agency.name,
        "short_name": agency.short_name,
        "kind": agency.kind,
        "region": agency.region_id or "",
        "description": agency.description,
        "email": agency.email,
        "phone": agency.phone,
        "address": agency.address,
        "is_active": "on" if agency.is_active else "",
    }
    for prefix, count in (("units", 0), ("memberships", 0)):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": count,
                f"{prefix}-INITIAL_FORMS": 0,
                f"{prefix}-MIN_NUM_FORMS": 0,
                f"{prefix}-MAX_NUM_FORMS": 1000,
            }
        )
    data.update(overrides)
    return {k: v for k, v in data.items() if v != "" or k in ("region",)}


@pytest.fixture
def admin_client(client, city_admin):
    return login_staff(client, city_admin)


def test_administrator_lists_and_searches_agencies(admin_client, agency, other_agency):
    response = admin_client.get("/admin/agencies/agency/", {"q": "lingkungan"})
    assert response.status_code == 200
    assert "Dinas Lingkungan Hidup" in response.content.decode()
    assert "Dinas Pekerjaan Umum" not in response.content.decode()


@pytest.mark.parametrize("who", ["officer", "agency_head"])
def test_agency_staff_cannot_use_the_agencies_admin(client, agency, request, who):
    user = request.getfixturevalue(who)
    user.is_staff = True  # even with Django-admin access
    user.save()
    login_staff(client, user)
    assert client.get("/admin/agencies/agency/").status_code == 403
    assert client.post(CHANGE_URL.format(pk=agency.pk), _form(agency, name="Diubah")).status_code == 403
    agency.refresh_from_db()
    assert agency.name == "Dinas Pekerjaan Umum"


def test_saving_an_agency_goes_through_the_service(admin_client, agency, city_admin):
    response = admin_client.post(
        CHANGE_URL.format(pk=agency.pk), _form(agency, name="Dinas Pekerjaan Umum Kota", is_active="")
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    agency.refresh_from_db()
    assert (agency.name, agency.is_active) == ("Dinas Pekerjaan Umum Kota", False)
    row = AuditLog.objects.get(action="agency.update")
    assert row.actor_id == city_admin.pk
    assert row.before == {"name": "Dinas Pekerjaan Umum", "is_active": True}


def test_adding_an_agency_through_the_admin(admin_client):
    response = admin_client.post(
        "/admin/agencies/agency/add/",
        _form(Agency(code="", name="", kind="dinas"), code="dishub", name="Dinas Perhubungan", is_active="on"),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    agency = Agency.objects.get(code="DISHUB")
    assert AuditLog.objects.get(action="agency.create").object_id == str(agency.pk)


def test_service_rules_show_as_form_errors(admin_client, agency):
    response = admin_client.post(CHANGE_URL.format(pk=agency.pk), _form(agency, kind="kecamatan"))
    assert response.status_code == 200
    errors = response.context["adminform"].form.non_field_errors()
    assert len(errors) == 1
    assert errors[0] in response.content.decode()
    agency.refresh_from_db()
    assert agency.kind == "dinas"
    assert not AuditLog.objects.exists()


def test_units_and_members_inline_are_saved_by_the_services(admin_client, agency, officer):
    newcomer = make_staff(role="agency", full_name="Rina Baru")
    membership = Membership.objects.get(user=officer)
    data = _form(
        agency,
        **{
            "units-TOTAL_FORMS": 1,
            "units-0-name": "Bidang Jalan",
            "units-0-code": "BJ",
            "units-0-is_active": "on",
            "memberships-TOTAL_FORMS": 2,
            "memberships-INITIAL_FORMS": 1,
            "memberships-0-id": membership.pk,
            "memberships-0-agency": agency.pk,
            "memberships-0-user": officer.pk,
            "memberships-0-role": "officer",
            "memberships-0-position": "Operator pengaduan",
            "memberships-0-DELETE": "on",
            "memberships-1-agency": agency.pk,
            "memberships-1-user": newcomer.pk,
            "memberships-1-role": "officer",
            "memberships-1-position": "Operator",
        },
    )

    response = admin_client.post(CHANGE_URL.format(pk=agency.pk), data)

    assert response.status_code == 302, response.content.decode()[:3000]
    assert Unit.objects.get(agency=agency).name == "Bidang Jalan"
    assert Membership.objects.get(user=newcomer).position == "Operator"
    membership.refresh_from_db()
    assert membership.is_active is False  # ended, kept for the record
    actions = sorted(AuditLog.objects.values_list("action", flat=True))
    assert actions == ["membership.remove", "membership.set", "unit.create"]


def test_a_resident_cannot_be_added_as_member(admin_client, agency, citizen):
    data = _form(
        agency,
        **{
            "memberships-TOTAL_FORMS": 1,
            "memberships-0-agency": agency.pk,
            "memberships-0-user": citizen.pk,
            "memberships-0-role": "officer",
        },
    )
    response = admin_client.post(CHANGE_URL.format(pk=agency.pk), data)
    assert response.status_code == 200
    inline_errors = [f.errors for f in response.context["inline_admin_formsets"][1].formset.forms]
    assert "user" in inline_errors[0]
    assert not Membership.objects.exists()
    assert not AuditLog.objects.exists()


def test_agencies_are_never_deleted_in_the_admin(admin_client, agency):
    response = admin_client.post(f"/admin/agencies/agency/{agency.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert Agency.objects.filter(pk=agency.pk).exists()
