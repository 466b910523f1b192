"""manage.py import_regions and the regions_import service."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from kotapintar.core.models import AuditLog
from kotapintar.regions.models import Region
from kotapintar.regions.services import regions_import

from .conftest import FILES, ROWS, write

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_regions", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def snapshot() -> list[tuple]:
    return list(Region.objects.order_by("code").values_list("code", "level", "parent_id", "name"))


def test_only_semarang_imports_the_city_with_its_ancestors_and_descendants():
    out, _ = run("--only", "33.74")

    assert Region.objects.get(code="33").name == "Jawa Tengah"
    city = Region.objects.get(code="33.74")
    assert (city.name, city.level, city.parent_id) == ("Kota Semarang", Region.Level.REGENCY, "33")
    assert Region.objects.filter(level=Region.Level.DISTRICT, parent=city).count() == 16
    assert Region.objects.filter(level=Region.Level.VILLAGE, code__startswith="33.74.").count() == 177
    assert Region.objects.count() == 1 + 1 + 16 + 177
    assert not Region.objects.filter(code="33.01").exists()  # other regencies of the province stay out
    tengah = Region.objects.get(code="33.74.01")
    assert tengah.name == "Semarang Tengah"
    assert Region.objects.get(code="33.74.01.1001").parent_id == "33.74.01"
    # The summary: counts and speed.
    assert "195" in out and "177" in out
    assert "baris/detik" in out


def test_whole_source_folder_is_imported_with_every_level(source_dir):
    result = regions_import(source_dir=source_dir)

    assert (result.created, result.updated, result.unchanged) == (ROWS, 0, 0)
    assert result.by_level == {1: 2, 2: 2, 3: 3, 4: 4}
    assert Region.objects.get(code="34.71.01.1001").name == "Gedongkiwo, Lor"  # quoted comma kept
    assert Region.objects.get(code="34.71.01.1001").parent.parent.parent.name == "Daerah Istimewa Yogyakarta"


def test_import_writes_one_summary_audit_row(source_dir):
    regions_import(source_dir=source_dir)

    row = AuditLog.objects.get(action="regions.import")
    assert row.after["created"] == ROWS
    assert row.after["updated"] == 0


def test_running_again_changes_nothing_and_writes_no_audit_row(source_dir):
    regions_import(source_dir=source_dir)
    before = snapshot()
    audit_rows = AuditLog.objects.count()

    out, _ = run("--source", str(source_dir))

    assert snapshot() == before
    assert AuditLog.objects.count() == audit_rows
    assert f"0 baru, 0 diperbarui, {ROWS} tidak berubah" in out


def test_renamed_area_is_updated(source_dir):
    regions_import(source_dir=source_dir)
    write(source_dir, "villages.csv", FILES["villages.csv"].replace("Brumbungan", "Brumbungan Baru"))

    result = regions_import(source_dir=source_dir)

    assert (result.created, result.updated, result.unchanged) == (0, 1, ROWS - 1)
    assert Region.objects.get(code="33.74.01.1002").name == "Brumbungan Baru"
    assert AuditLog.objects.filter(action="regions.import").latest("id").after["renamed"] == [
        {"code": "33.74.01.1002", "before": "Brumbungan", "after": "Brumbungan Baru"}
    ]


def test_new_area_in_a_later_version_is_added(source_dir):
    regions_import(source_dir=source_dir)
    write(source_dir, "villages.csv", FILES["villages.csv"] + "33.74.02.1002,33.74.02,Plombokan\n")

    result = regions_import(source_dir=source_dir)

    assert (result.created, result.updated) == (1, 0)
    assert Region.objects.get(code="33.74.02.1002").parent_id == "33.74.02"


VILLAGES_HEAD = "code,district_code,name\n33.74.01.1001,33.74.01,Miroto\n"


@pytest.mark.parametrize(
    ("file", "text", "expected"),
    [
        (
            "villages.csv",
            "kode,kecamatan,nama\n33.74.01.1001,33.74.01,Miroto\n",
            'villages.csv:1: judul kolom salah: seharusnya "code,district_code,name", tertulis "kode,kecamatan,nama"',
        ),
        (
            "villages.csv",
            VILLAGES_HEAD + "33.74.01.1002,33.74.01,Brumbungan,extra\n",
            "villages.csv:3: seharusnya 3 kolom (code,district_code,name), ada 4",
        ),
        (
            "villages.csv",
            VILLAGES_HEAD + "33.74.01.102,33.74.01,Brumbungan\n",
            'villages.csv:3: "33.74.01.102" bukan kode kelurahan/desa yang sah (bentuk yang benar: 33.74.01.1001)',
        ),
        (
            "districts.csv",
            "code,regency_code,name\n33.74.01,33.74,Semarang Tengah\n3374.02,33.74,Semarang Utara\n",
            'districts.csv:3: "3374.02" bukan kode kecamatan yang sah (bentuk yang benar: 33.74.01)',
        ),
        (
            "villages.csv",
            VILLAGES_HEAD + "33.74.01.1002,33.74.02,Brumbungan\n",
            'villages.csv:3: kode 33.74.01.1002 tidak termasuk kecamatan "33.74.02" (seharusnya 33.74.01)',
        ),
        (
            "villages.csv",
            VILLAGES_HEAD + "33.74.09.1001,33.74.09,Lempongsari\n",
            "villages.csv:3: kecamatan 33.74.09 untuk 33.74.09.1001 tidak ada di districts.csv",
        ),
        (
            "villages.csv",
            VILLAGES_HEAD + "33.74.01.1001,33.74.01,Miroto Lagi\n",
            "villages.csv:3: kode 33.74.01.1001 ganda (sudah ada di baris 2)",
        ),
        (
            "villages.csv",
            VILLAGES_HEAD + "33.74.01.1002,33.74.01,  \n",
            "villages.csv:3: nama kosong",
        ),
        (
            "villages.csv",
            VILLAGES_HEAD + "33.74.01.1002,33.74.01," + "A" * 121 + "\n",
            "villages.csv:3: nama sepanjang 121 karakter; paling banyak 120 karakter",
        ),
        (
            "villages.csv",
            VILLAGES_HEAD + "33.74.01.1002,33.74.01,Brum\x07bungan\n",
            "villages.csv:3: nama mengandung karakter kontrol atau karakter tidak sah",
        ),
        (
            "villages.csv",
            VILLAGES_HEAD.encode()
            + "33.74.01.1002,33.74.01,Brumbungan\n".encode("cp1252")
            + "33.74.01.1003,33.74.01,Jagalan \u00e9\n".encode("cp1252"),
            "villages.csv:4: teks bukan UTF-8 yang sah (bita 0xE9); simpan berkas dengan encoding UTF-8",
        ),
        (
            "villages.csv",
            "",
            'villages.csv: berkas kosong; seharusnya ada judul kolom "code,district_code,name"',
        ),
        (
            "regencies.csv",
            'code,province_code,name\n33.74,33,"Kota Semarang\n',
            "regencies.csv:2: format CSV rusak: unexpected end of data",
        ),
        (
            "regencies.csv",
            'code,province_code,name\n33.74,33,"Kota" Semarang\n',
            "regencies.csv:2: format CSV rusak: ',' expected after '\"'",
        ),
    ],
    ids=[
        "header",
        "columns",
        "village-code",
        "district-code",
        "wrong-parent",
        "missing-parent",
        "duplicate",
        "empty-name",
        "long-name",
        "control-char",
        "encoding",
        "empty-file",
        "unterminated-quote",
        "stray-quote",
    ],
)
def test_malformed_file_is_reported_by_file_and_line_and_changes_nothing(source_dir, file, text, expected):
    regions_import(source_dir=source_dir)
    # A valid rename in another file must not be applied either: one transaction, all or nothing.
    write(source_dir, "provinces.csv", FILES["provinces.csv"].replace("Jawa Tengah", "Jateng"))
    write(source_dir, file, text)
    before = snapshot()
    audit_rows = AuditLog.objects.count()

    err = io.StringIO()

    with pytest.raises(CommandError, match="tidak ada yang diubah"):
        call_command("import_regions", "--source", str(source_dir), stdout=io.StringIO(), stderr=err)

    assert f"{source_dir}/{expected}" in err.getvalue()
    assert snapshot() == before
    assert Region.objects.get(code="33").name == "Jawa Tengah"
    assert AuditLog.objects.count() == audit_rows


def test_every_problem_is_listed_not_just_the_first(source_dir):
    write(
        source_dir,
        "villages.csv",
        VILLAGES_HEAD + "33.74.01.1001,33.74.01,Dobel\n33.74.01.1003,33.74.01,\nbad,33.74.01,X\n",
    )
    err = io.StringIO()

    with pytest.raises(CommandError, match="3 masalah"):
        call_command("import_regions", "--source", str(source_dir), stdout=io.StringIO(), stderr=err)

    lines = err.getvalue().strip().splitlines()
    assert [line.split(": ")[0].rsplit(":", 1)[1] for line in lines] == ["3", "4", "5"]
    assert Region.objects.count() == 0


def test_missing_file_is_reported(source_dir):
    (source_dir / "districts.csv").unlink()
    err = io.StringIO()

    with pytest.raises(CommandError):
        call_command("import_regions", "--source", str(source_dir), stdout=io.StringIO(), stderr=err)

    assert f"{source_dir / 'districts.csv'}: berkas tidak ada" in err.getvalue()
    assert Region.objects.count() == 0


def test_only_with_an_unknown_or_malformed_code_is_refused():
    with pytest.raises(CommandError, match=r"Tidak ada wilayah dengan kode 99\.99"):
        run("--only", "99.99")
    with pytest.raises(CommandError, match="bukan kode wilayah"):
        run("--only", "33-74")
    assert Region.objects.count() == 0
