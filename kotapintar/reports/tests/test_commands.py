"""suggest_category and train_classifier, and the suggestion seam."""

from __future__ import annotations

import json

from django.core.management import call_command

from kotapintar.reports import suggest


def test_suggest_category_prints_the_api_ranking(lapor, capsys):
    call_command("suggest_category", "sampah", "di", "TPS", "numpuk", "tiga", "hari", "--json")
    printed = json.loads(capsys.readouterr().out)
    expected = [s.__dict__ for s in suggest.suggest_categories("sampah di TPS numpuk tiga hari")]
    assert printed == {"suggestions": expected}
    assert printed["suggestions"][0]["code"] == "SAMPAH"
    call_command("suggest_category", "sampah di TPS numpuk tiga hari")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("1. SAMPAH") and len(lines) <= 3


def test_switched_off_categories_are_not_suggested(lapor):
    from kotapintar.reports import selectors

    category = lapor.category("PJU")
    category.is_active = False
    category.save()
    selectors.forget_categories()
    codes = [s.code for s in suggest.suggest_categories("lampu jalan mati gelap")]
    assert "PJU" not in codes and 0 < len(codes) <= 3


def test_train_classifier_uses_verified_reports(make_report, verifier, settings, tmp_path, capsys):
    from kotapintar.reports import services
    from kotapintar.reports.classifier import reset_engine

    settings.REPORTS_CLASSIFIER_MODEL_PATH = str(tmp_path / "model.joblib")
    report = make_report(text="Sumur resapan di gang kami luber terus.")
    services.report_verify(actor=verifier, report=report)
    make_report(text="Belum diverifikasi, jangan dipakai.")
    assert services.training_examples() == [("Sumur resapan di gang kami luber terus.", "JALAN")]
    try:
        call_command("train_classifier")
    finally:
        reset_engine()
    out = capsys.readouterr().out
    assert "+ 1 verified reports" in out and "top-1" in out
    assert (tmp_path / "model.joblib").exists()
