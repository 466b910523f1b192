"""The service catalogue: administrators' edits through the services (audited), and the import."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import translation

from kotapintar.agencies.services import agency_import
from kotapintar.core.errors import NotAllowed
from kotapintar.core.models import AuditLog
from kotapintar.portal import services
from kotapintar.portal.models import ServiceStandard
from kotapintar.testing.accounts import make_user
from kotapintar.testing.portal import make_service


def test_create_and_update_are_audited(agency, admin_user):
    service = make_service(agency, slug="izin-uji", name="Izin Uji", fee_kind="fixed", fee_amount=Decimal("150000"))
    assert AuditLog.objects.filter(action="service_standard.create", object_id=str(service.pk)).exists()

    updated = services.service_standard_update(
        actor=admin_user, service=service, service_time_days=7, name=" Izin Uji Baru "
    )
    assert (updated.service_time_days, updated.name) == (7, "Izin Uji Baru")
    row = AuditLog.objects.get(action="service_standard.update")
    assert row.before == {"service_time_days": 3, "name": "Izin Uji"}
    assert row.after == {"service_time_days": 7, "name": "Izin Uji Baru"}
    assert row.agency_id == agency.pk  # the agency's staff can read the history of its services

    # Saving the same values again changes and records nothing.
    services.service_standard_update(actor=admin_user, service=updated, service_time_days=7)
    assert AuditLog.objects.filter(action="service_standard.update").count() == 1


def test_only_administrators_edit_the_catalogue(agency, officer, citizen):
    service = make_service(agency)
    for user in (officer, citizen):
        with pytest.raises(NotAllowed):
            services.service_standard_update(actor=user, service=service, name="Diubah")
    service.refresh_from_db()
    assert service.name != "Diubah"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"slug": "saya"}, "slug", "alamat halaman portal"),
        ({"slug": "Bukan Slug"}, "slug", "huruf kecil"),
        ({"name": "  "}, "name", "Beri nama layanan"),
        ({"summary": ""}, "summary", "apa yang diberikan layanan"),
        ({"service_time_days": 400}, "service_time_days", "0 sampai 365"),
        ({"fee_kind": "fixed"}, "fee_amount", "150000"),
        ({"fee_kind": "fixed", "fee_amount": Decimal("0")}, "fee_amount", "lebih dari Rp 0"),
        ({"fee_kind": "free", "fee_amount": Decimal("1000")}, "fee_amount", "Hanya biaya tetap"),
        ({"fee_kind": "tariff"}, "fee_note", "Jelaskan cara menghitung tarif"),
        ({"online_kind": "permit", "online_code": ""}, "online_code", "kode jenis izin"),
        ({"online_kind": "link", "online_code": "javascript:alert(1)"}, "online_code", "https://"),
        ({"online_kind": "", "online_code": "REKLAME"}, "online_code", "kosongkan"),
    ],
)
def test_invalid_standards_are_refused_with_a_clear_message(agency, admin_user, changes, field, message):
    service = make_service(agency, slug="layanan-tetap")
    with translation.override("id"), pytest.raises(services.ServiceStandardInvalid) as caught:
        services.service_standard_update(actor=admin_user, service=service, **changes)
    assert message in " ".join(caught.value.errors[field])
    service.refresh_from_db()
    assert service.slug == "layanan-tetap" and service.fee_kind == "free"


def test_an_inactive_agency_cannot_get_new_services(agency):
    agency.is_active = False
    agency.save()
    with pytest.raises(services.ServiceStandardInvalid) as caught:
        make_service(agency)
    assert "agency" in caught.value.errors


def test_address_names_are_unique(agency):
    make_service(agency, slug="sama")
    with pytest.raises(services.ServiceStandardInvalid) as caught:
        make_service(agency, slug="sama")
    assert "slug" in caught.value.errors


# --- the shipped Semarang catalogue ------------------------------------------------------------


@pytest.fixture
def semarang_agencies(semarang):
    agency_import(actor=None)


def test_import_is_idempotent_and_keeps_administrators_edits(semarang_agencies, admin_user, capsys):
    call_command("import_services")
    assert "created" in capsys.readouterr().out
    count = ServiceStandard.objects.count()
    assert count >= 25
    audit_rows = AuditLog.objects.count()

    call_command("import_services")
    assert ServiceStandard.objects.count() == count
    assert AuditLog.objects.count() == audit_rows  # nothing changed, nothing recorded
    assert f"0 created, 0 updated, {count} unchanged" in capsys.readouterr().out

    reklame = ServiceStandard.objects.get(slug="izin-reklame")
    services.service_standard_update(actor=admin_user, service=reklame, service_time_days=4)
    call_command("import_services")
    reklame.refresh_from_db()
    assert reklame.service_time_days == 4  # the administrator's edit stays

    call_command("import_services", "--update")
    reklame.refresh_from_db()
    assert reklame.service_time_days == 5
    assert "1 updated" in capsys.readouterr().out


def test_shipped_catalogue_covers_the_city(semarang_agencies):
    result = services.service_catalogue_import(actor=None)
    assert not result.updated and not result.unchanged
    codes = set(ServiceStandard.objects.values_list("agency__code", flat=True))
    assert {"DPMPTSP", "DISDUKCAPIL", "DINKES", "DISHUB", "DLH", "DISKOMINFO"} <= codes
    online = dict(ServiceStandard.objects.exclude(online_kind="").values_list("slug", "online_kind"))
    assert online["izin-reklame"] == online["sip-tenaga-kesehatan"] == online["persetujuan-bangunan-gedung"] == "permit"
    assert online["lapor-pengaduan"] == "report"
    ppid = ServiceStandard.objects.get(slug="permohonan-informasi-publik")
    assert (ppid.service_time_days, ppid.fee_kind) == (10, "free")
    assert ServiceStandard.objects.get(slug="ktp-el").is_free


def test_import_with_errors_changes_nothing(semarang_agencies, tmp_path):
    bad = tmp_path / "services.toml"
    bad.write_text(
        """
[[service]]
slug = "baru-satu"
name = "Layanan Baru"
agency = "DPMPTSP"
category = "permits"
summary = "Ringkasan."
service_time_days = 3
product = "Produk."
complaint_channel = "Lapor."

[[service]]
slug = "baru-dua"
name = "Layanan Dua"
agency = "TIDAKADA"
summary = "x"
service_time_days = 3
product = "x"
complaint_channel = "x"

[[service]]
slug = "baru-tiga"
name = "Layanan Tiga"
agency = "DLH"
category = "environment"
summary = "x"
service_time_days = 3
fee = "murah"
product = "x"
complaint_channel = "x"
""",
        encoding="utf-8",
    )
    with translation.override("id"), pytest.raises(services.CatalogueImportError) as caught:
        services.service_catalogue_import(actor=None, path=bad)
    text = "\n".join(caught.value.errors)
    assert "baru-dua" in text and "TIDAKADA" in text and "import_agencies" in text
    assert "baru-tiga" in text and "gratis" in text
    assert ServiceStandard.objects.count() == 0


def test_import_needs_an_administrator(semarang_agencies):
    with pytest.raises(NotAllowed):
        services.service_catalogue_import(actor=make_user())
