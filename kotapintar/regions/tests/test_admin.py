"""The Region admin: browsing in Indonesian, edits through the service with an audit row."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from kotapintar.core.models import AuditLog
from kotapintar.regions.models import Region
from kotapintar.testing.core import login_verified


@pytest.fixture
def admin_client(client, semarang):
    user = get_user_model().objects.create_superuser(email="admin@kota.test", password="x", full_name="Admin Kota")
    return login_verified(client, user)


def test_list_filters_by_level_and_searches_by_code_or_name(admin_client):
    by_level = admin_client.get("/admin/regions/region/", {"level__exact": 3})
    by_code = admin_client.get("/admin/regions/region/", {"q": "33.74.07"})
    by_name = admin_client.get("/admin/regions/region/", {"q": "pleburan"})

    assert by_level.status_code == 200
    assert "Semarang Tengah" in by_level.content.decode()
    assert "Miroto" not in by_level.content.decode()
    assert "Pleburan" in by_code.content.decode() and "Miroto" not in by_code.content.decode()
    assert "Pleburan" in by_name.content.decode()
    assert "Tingkat" in by_level.content.decode()  # the filter is labelled in Indonesian
    assert "perkiraan (demo)" in by_level.content.decode()


def test_change_page_shows_a_boundary_summary_not_the_raw_geojson(admin_client):
    response = admin_client.get("/admin/regions/region/33.74.07.1005/change/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Kotak batas" in html
    assert "Perkiraan (demo), bukan resmi" in html
    assert '"coordinates"' not in html
    assert 'name="parent"' in html and "vForeignKeyRawIdAdminField" in html


def test_renaming_goes_through_the_service_and_is_audited(admin_client):
    response = admin_client.post(
        "/admin/regions/region/33.74.07.1005/change/",
        {"name": "Pleburan Baru", "parent": "33.74.07", "boundary_source": "demo", "boundary_approximate": "on"},
    )

    assert response.status_code == 302
    assert Region.objects.get(code="33.74.07.1005").name == "Pleburan Baru"
    row = AuditLog.objects.get(action="regions.update")
    assert row.before["name"] == "Pleburan" and row.after["name"] == "Pleburan Baru"


def test_a_parent_other_than_the_code_says_is_refused(admin_client):
    response = admin_client.post(
        "/admin/regions/region/33.74.07.1005/change/",
        {"name": "Pleburan", "parent": "33.74.01", "boundary_source": "demo", "boundary_approximate": "on"},
    )

    assert response.status_code == 200
    assert "harus 33.74.07" in response.content.decode()
    assert Region.objects.get(code="33.74.07.1005").parent_id == "33.74.07"
    assert not AuditLog.objects.filter(action="regions.update").exists()


def test_areas_cannot_be_added_or_deleted_in_the_admin(admin_client):
    assert admin_client.get("/admin/regions/region/add/").status_code == 403
    assert admin_client.get("/admin/regions/region/33.74.07.1005/delete/").status_code == 403
