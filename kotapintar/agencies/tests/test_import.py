"""The import of the city's agencies: upsert by code, kecamatan offices per city, all-or-nothing."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from kotapintar.agencies import services
from kotapintar.agencies.models import Agency
from kotapintar.core.models import AuditLog

SHIPPED_ROWS = 22  # agencies.csv rows besides KECAMATAN


def _write(tmp_path, text: str, name: str = "agencies.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_file_is_the_domain_file():
    rows = list(csv.DictReader(services.DEFAULT_FILE.open(encoding="utf-8")))
    codes = [r["code"] for r in rows]
    assert len(rows) == SHIPPED_ROWS + 1
    assert {"DPU", "DISKOMINFO", "DLH", "PDAM", "KECAMATAN"} <= set(codes)


def test_import_creates_agencies_and_one_office_per_kecamatan(semarang_regions):
    result = services.agency_import()

    assert len(result.created) == SHIPPED_ROWS + 3
    dpu = Agency.objects.get(code="DPU")
    assert dpu.name == "Dinas Pekerjaan Umum"
    assert dpu.kind == Agency.Kind.DINAS
    assert str(dpu) == "DPU"
    assert Agency.objects.get(code="INSPEKTORAT").short_name == ""
    office = Agency.objects.get(code="KEC-33.74.01")
    assert office.name == "Kecamatan Semarang Tengah"
    assert office.kind == Agency.Kind.KECAMATAN
    assert office.region_id == "33.74.01"
    assert Agency.objects.filter(kind=Agency.Kind.KECAMATAN).count() == 3
    rows = AuditLog.objects.filter(action="agency.create")
    assert rows.count() == SHIPPED_ROWS + 3
    assert set(rows.values_list("actor_label", flat=True)) == {"sistem"}
    assert rows.get(object_id=str(office.pk)).agency_id == office.pk


def test_import_twice_changes_nothing_and_keeps_administrators_edits(semarang_regions):
    services.agency_import()
    dpu = Agency.objects.get(code="DPU")
    services.agency_update(actor=None, agency=dpu, short_name="DPU Kota", email="dpu@semarangkota.go.id")
    audit_rows = AuditLog.objects.count()

    result = services.agency_import()

    assert result.created == [] and result.updated == [] and len(result.unchanged) == SHIPPED_ROWS + 3
    assert AuditLog.objects.count() == audit_rows
    dpu.refresh_from_db()
    assert (dpu.short_name, dpu.email) == ("DPU Kota", "dpu@semarangkota.go.id")


def test_import_restores_a_changed_name_by_code(semarang_regions):
    services.agency_import()
    dlh = Agency.objects.get(code="DLH")
    services.agency_update(actor=None, agency=dlh, name="Dinas LH (typo)")

    result = services.agency_import()

    assert result.updated == ["DLH"]
    dlh.refresh_from_db()
    assert dlh.name == "Dinas Lingkungan Hidup"
    row = AuditLog.objects.filter(action="agency.update", object_id=str(dlh.pk)).first()
    assert row.before == {"name": "Dinas LH (typo)"} and row.after == {"name": "Dinas Lingkungan Hidup"}


def test_errors_name_file_and_line_and_change_nothing(tmp_path, semarang_regions):
    path = _write(
        tmp_path,
        "code,name,kind\n"
        "DPU,Dinas Pekerjaan Umum,dinas\n"  # valid, but must not be created either
        ",Tanpa Kode,dinas\n"
        "dpu-kecil,Kode Huruf Kecil,dinas\n"
        "DPU,Dinas Pekerjaan Umum Lagi,dinas\n"
        "DISX,Dinas X,kementerian\n"
        "DISY,,dinas\n",
        name="bad.csv",
    )

    with pytest.raises(services.AgencyImportError) as caught:
        services.agency_import(path=path)

    errors = caught.value.errors
    assert len(errors) == 5
    assert errors[0].startswith("bad.csv:3:")
    assert errors[1].startswith("bad.csv:4:") and "dpu-kecil" in errors[1]
    assert errors[2].startswith("bad.csv:5:") and "2" in errors[2]  # already on line 2
    assert errors[3].startswith("bad.csv:6:") and "kementerian" in errors[3]
    assert errors[4].startswith("bad.csv:7:")
    assert not Agency.objects.exists()
    assert not AuditLog.objects.exists()


def test_missing_column_is_reported(tmp_path, semarang_regions):
    path = _write(tmp_path, "kode,nama\nDPU,Dinas\n")
    with pytest.raises(services.AgencyImportError) as caught:
        services.agency_import(path=path)
    assert caught.value.errors[0].startswith("agencies.csv:1:")
    assert "code" in caught.value.errors[0] and "kind" in caught.value.errors[0]


def test_kecamatan_row_needs_the_citys_regions(tmp_path, db):
    path = _write(tmp_path, "code,name,kind\nDPU,Dinas Pekerjaan Umum,dinas\nKECAMATAN,Kecamatan offices,wilayah\n")
    with pytest.raises(services.AgencyImportError) as caught:
        services.agency_import(path=path)
    assert caught.value.errors[0].startswith("agencies.csv:3:")
    assert "import_regions" in caught.value.errors[0]
    assert not Agency.objects.exists()


def test_changing_city_code_gives_that_citys_kecamatan_offices(settings, cilacap_regions):
    services.agency_import()
    settings.CITY_CODE = "33.01"

    result = services.agency_import()

    assert sorted(result.created) == ["KEC-33.01.01", "KEC-33.01.02"]
    assert sorted(result.deactivated) == ["KEC-33.74.01", "KEC-33.74.02", "KEC-33.74.10"]
    active = set(Agency.objects.filter(kind=Agency.Kind.KECAMATAN, is_active=True).values_list("code", flat=True))
    assert active == {"KEC-33.01.01", "KEC-33.01.02"}
    assert Agency.objects.get(code="KEC-33.01.01").name == "Kecamatan Dayeuhluhur"

    settings.CITY_CODE = "33.74"
    back = services.agency_import()
    assert sorted(back.updated) == ["KEC-33.74.01", "KEC-33.74.02", "KEC-33.74.10"]
    assert sorted(back.deactivated) == ["KEC-33.01.01", "KEC-33.01.02"]


def test_command_reports_counts_and_tags_its_audit_rows(semarang_regions):
    out = io.StringIO()
    call_command("import_agencies", stdout=out)
    # The UI language (Indonesian) is the command's too.
    assert f"{SHIPPED_ROWS + 3} baru, 0 diperbarui" in out.getvalue()
    request_ids = set(AuditLog.objects.values_list("request_id", flat=True))
    assert len(request_ids) == 1 and request_ids.pop().startswith("import-agencies-")

    out = io.StringIO()
    with translation.override("en"):
        call_command("import_agencies", stdout=out)
    assert f"0 created, 0 updated, {SHIPPED_ROWS + 3} unchanged" in out.getvalue()


def test_command_fails_with_the_errors(tmp_path, semarang_regions):
    path = _write(tmp_path, "code,name,kind\nDPU,Dinas Pekerjaan Umum,unknown\n")
    with pytest.raises(CommandError) as caught:
        call_command("import_agencies", "--file", str(path))
    assert "agencies.csv:2:" in str(caught.value)
    assert not Agency.objects.exists()


def test_only_administrators_may_import(semarang_regions, officer):
    from kotapintar.core.errors import NotAllowed

    with pytest.raises(NotAllowed):
        services.agency_import(actor=officer)


def test_real_semarang_gets_16_kecamatan_offices_and_every_kelurahan_routes(semarang):
    from kotapintar.agencies.selectors import agency_for_district

    services.agency_import()

    offices = Agency.objects.filter(kind=Agency.Kind.KECAMATAN, is_active=True)
    assert offices.count() == len(semarang.districts) == 16
    assert Agency.objects.get(code="KEC-33.74.01").name == "Kecamatan Semarang Tengah"
    routed = {agency_for_district(v.code).region_id for v in semarang.villages}
    assert routed == {d.code for d in semarang.districts}
    assert len(semarang.villages) == 177


def test_real_data_city_switch_to_cilacap(semarang, settings):
    from kotapintar.regions.models import Region
    from kotapintar.testing.regions import load_city

    services.agency_import()
    load_city("33.01", boundaries=False)
    settings.CITY_CODE = "33.01"

    result = services.agency_import()

    cilacap = Region.objects.filter(parent_id="33.01", level=Region.Level.DISTRICT).count()
    assert cilacap > 0
    assert len(result.created) == cilacap
    assert len(result.deactivated) == 16
    assert (
        Agency.objects.filter(kind=Agency.Kind.KECAMATAN, is_active=True, region__parent_id="33.01").count() == cilacap
    )
