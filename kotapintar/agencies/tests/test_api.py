"""GET /api/v1/agencies/: public, no staff names; /members/ only for the agency's staff and admins."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from kotapintar.agencies import services
from kotapintar.testing.accounts import login_staff


@pytest.fixture
def api():
    return APIClient()


def test_public_list_shows_active_agencies_without_staff(api, agency, other_agency, officer, agency_head):
    services.agency_update(actor=None, agency=other_agency, is_active=False)

    response = api.get("/api/v1/agencies/")

    assert response.status_code == 200
    body = response.json()
    assert [a["code"] for a in body["results"]] == ["DPU"]
    assert body["results"][0]["name"] == "Dinas Pekerjaan Umum"
    text = response.content.decode()
    assert officer.full_name not in text and agency_head.full_name not in text


def test_detail_by_code_with_units(api, agency, semarang_regions, city_admin):
    services.unit_create(actor=city_admin, agency=agency, name="Bidang Jalan", code="BJ")
    services.agency_import()

    response = api.get("/api/v1/agencies/DPU/")
    assert response.status_code == 200
    assert response.json()["units"] == [{"code": "BJ", "name": "Bidang Jalan"}]

    office = api.get("/api/v1/agencies/KEC-33.74.01/")
    assert office.status_code == 200
    assert office.json()["region"] == {"code": "33.74.01", "name": "Semarang Tengah"}
    assert office.json()["kind"] == "kecamatan"

    by_kind = api.get("/api/v1/agencies/", {"kind": "kecamatan", "page_size": 100}).json()
    assert {a["code"] for a in by_kind["results"]} == {"KEC-33.74.01", "KEC-33.74.02", "KEC-33.74.10"}


def test_inactive_or_unknown_agency_is_404(api, agency):
    services.agency_update(actor=None, agency=agency, is_active=False)
    assert api.get("/api/v1/agencies/DPU/").status_code == 404
    assert api.get("/api/v1/agencies/NOPE/").status_code == 404


def test_members_for_the_agencys_own_staff(client, agency, officer, agency_head):
    login_staff(client, officer)

    response = client.get("/api/v1/agencies/DPU/members/")

    assert response.status_code == 200
    names = {m["user"]["full_name"]: m["role"] for m in response.json()["results"]}
    assert names == {"Budi Petugas": "officer", "Siti Kepala": "head"}


def test_members_for_administrators(client, city_admin, agency, officer):
    login_staff(client, city_admin)
    response = client.get("/api/v1/agencies/DPU/members/")
    assert response.status_code == 200
    assert [m["user"]["full_name"] for m in response.json()["results"]] == ["Budi Petugas"]


def test_members_refused_to_others(api, client, agency, officer, other_officer, citizen):
    assert api.get("/api/v1/agencies/DPU/members/").status_code in (401, 403)

    api.force_authenticate(citizen)
    response = api.get("/api/v1/agencies/DPU/members/")
    assert response.status_code == 403
    assert officer.full_name not in response.content.decode()

    login_staff(client, other_officer)
    response = client.get("/api/v1/agencies/DPU/members/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_agencies_api_is_read_only(api, agency):
    assert api.post("/api/v1/agencies/", {"code": "X"}).status_code == 405
    assert api.delete("/api/v1/agencies/DPU/").status_code == 405
    assert agency.__class__.objects.filter(code="DPU").exists()
