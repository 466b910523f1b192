"""Administrators edit the catalogue in the Django admin; every save goes through the services."""

from __future__ import annotations

from kotapintar.core.models import AuditLog
from kotapintar.portal.models import ServiceStandard

FORM = {
    "name": "Izin Keramaian Uji",
    "slug": "izin-keramaian-uji",
    "category": "permits",
    "summary": "Izin untuk acara yang mengundang keramaian.",
    "keywords": "",
    "is_published": "on",
    "requirements": "KTP-el",
    "procedure": "Ajukan\nTerima izin",
    "service_time_days": "3",
    "service_time_note": "",
    "fee_kind": "free",
    "fee_amount": "",
    "fee_note": "",
    "product": "Surat izin.",
    "complaint_channel": "Lapor.",
    "legal_basis": "",
    "location": "",
    "online_kind": "",
    "online_code": "",
}


def test_admin_creates_and_edits_through_the_services(staff_client, admin_user, agency):
    client = staff_client(admin_user)
    response = client.post("/admin/portal/servicestandard/add/", {**FORM, "agency": agency.pk})
    assert response.status_code == 302, response.content.decode()[:2000]
    service = ServiceStandard.objects.get(slug="izin-keramaian-uji")
    assert AuditLog.objects.filter(action="service_standard.create", object_id=str(service.pk)).exists()

    changed = {**FORM, "agency": agency.pk, "service_time_days": "4"}
    response = client.post(f"/admin/portal/servicestandard/{service.pk}/change/", changed)
    assert response.status_code == 302
    row = AuditLog.objects.get(action="service_standard.update", object_id=str(service.pk))
    assert row.before == {"service_time_days": 3} and row.after == {"service_time_days": 4}


def test_admin_shows_the_services_rules_next_to_the_field(staff_client, admin_user, agency):
    client = staff_client(admin_user)
    bad = {**FORM, "agency": agency.pk, "fee_kind": "tariff", "slug": "ikm"}
    response = client.post("/admin/portal/servicestandard/add/", bad)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Jelaskan cara menghitung tarif" in html
    assert "alamat halaman portal" in html
    assert not ServiceStandard.objects.exists()


def test_admin_is_for_administrators_only(staff_client, officer):
    assert staff_client(officer).get("/admin/portal/servicestandard/").status_code in (302, 403)
