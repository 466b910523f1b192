"""import_categories: idempotent, validated with file/line/reason, atomic."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from kotapintar.reports.models import Category
from kotapintar.reports.services import CategoryImportError, category_import

HEADER = "code,name_id,name_en,kind,default_agency,routing,resolution_days,examples\n"


def test_the_shipped_file_imports_all_categories_once(lapor):
    assert Category.objects.count() == 23
    jalan = Category.objects.get(code="JALAN")
    assert (jalan.default_agency.code, jalan.routing, jalan.resolution_days) == ("DPU", "agency", 14)
    lingkungan = Category.objects.get(code="LINGKUNGAN")
    assert lingkungan.routing == "area" and lingkungan.default_agency is None
    assert Category.objects.get(code="LAINNYA").routing == "verifier"
    again = category_import(actor=None)
    assert (len(again.created), len(again.updated), len(again.unchanged)) == (0, 0, 23)


def test_an_administrators_changes_survive_a_reimport(lapor):
    jalan = Category.objects.get(code="JALAN")
    jalan.duplicate_radius_m = 300
    jalan.is_active = False
    jalan.save()
    category_import(actor=None)
    jalan.refresh_from_db()
    assert (jalan.duplicate_radius_m, jalan.is_active) == (300, False)


def test_errors_name_file_line_and_reason_and_change_nothing(lapor, tmp_path):
    path = tmp_path / "kategori.csv"
    path.write_text(
        HEADER
        + "BARU,Kategori baru,New,complaint,DPU,agency,7,\n"
        + "jalan rusak,Jalan,Road,complaint,DPU,agency,14,\n"
        + "X1,,X,gossip,NOPE,agency,0,\n",
        encoding="utf-8",
    )
    with pytest.raises(CategoryImportError) as caught:
        category_import(actor=None, path=path)
    errors = caught.value.errors
    assert any(e.startswith("kategori.csv:3: ") and "kode" in e for e in errors)
    line4 = [e for e in errors if e.startswith("kategori.csv:4: ")]
    assert len(line4) == 4  # empty name, unknown kind, bad days, unknown agency
    assert not Category.objects.filter(code="BARU").exists()


def test_missing_columns(lapor, tmp_path):
    path = tmp_path / "k.csv"
    path.write_text("code,name_id\nA,B\n", encoding="utf-8")
    with pytest.raises(CategoryImportError) as caught:
        category_import(actor=None, path=path)
    assert caught.value.errors[0].startswith("k.csv:1: ")


def test_the_command(lapor, tmp_path, capsys):
    call_command("import_categories")
    assert "0 created, 0 updated, 23 unchanged" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "A,,,complaint,,agency,1,\n", encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        call_command("import_categories", "--file", str(bad))
    assert "bad.csv:2:" in str(caught.value)


def test_only_administrators(lapor, officer):
    from kotapintar.core.errors import NotAllowed

    with pytest.raises(NotAllowed):
        category_import(actor=officer)
