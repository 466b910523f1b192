"""Privacy on the Open311 surface: the reporter's fields are accepted and never answered,
confidential requests are missing, internal entries never appear.

(The table-driven test of every public surface, reports/tests/test_privacy_public.py, has
the Open311 rows too.)"""

from __future__ import annotations

import pytest

from kotapintar.reports import services as report_services
from kotapintar.reports.models import Privacy, Report

REPORTER = {
    "first_name": "Wulandari",
    "last_name": "Rahasiaputri",
    "email": "wulan.rahasia@example.test",
    "phone": "081377712345",
    "device_id": "PERANGKAT-RAHASIA-42",
    "account_id": "AKUN-RAHASIA-99",
}
SECRETS = ["Wulandari", "Rahasiaputri", "wulan.rahasia", "81377712345", "PERANGKAT-RAHASIA", "AKUN-RAHASIA"]


def _every_answer(o311, number: str, api_key: str) -> list[str]:
    texts = []
    for fmt in ("json", "xml"):
        for key in ("", api_key):
            texts += [
                o311.get(f"requests.{fmt}", extensions="true", api_key=key).text,
                o311.get(f"requests.{fmt}", service_request_id=number, extensions="true", api_key=key).text,
                o311.get(f"requests/{number}.{fmt}", extensions="true", api_key=key).text,
                o311.get(f"tokens/{number}.{fmt}", api_key=key).text,
                o311.get(f"servicerequestupdates.{fmt}", api_key=key).text,
            ]
    return texts


def test_the_reporters_fields_are_accepted_and_never_answered(lapor, o311, api_key, verifier):
    lat, lng = lapor.point("Pleburan")
    filed = o311.post(
        "requests.xml",
        {"api_key": api_key, "service_code": "JALAN", "lat": lat, "long": lng, "description": "Lubang.", **REPORTER},
    )
    assert filed.status == 200
    number = filed.data[1][0]["service_request_id"]
    report = Report.objects.get(tracking_number=number)
    assert report.reporter_email == REPORTER["email"] and report.device_id == REPORTER["device_id"]
    texts = [filed.text, *_every_answer(o311, number, api_key)]  # before verification (own view)
    report_services.report_verify(actor=verifier, report=report)
    public = _every_answer(o311, number, api_key)
    assert any(number in text for text in public)  # it is there…
    for text in texts + public:
        for secret in SECRETS:
            assert secret not in text, secret  # …without its reporter


def test_a_named_public_report_shows_no_name_either(lapor, o311, make_report, make_user):
    person = make_user(full_name="Sutrisno Tampilnama", email="sutrisno@example.test", phone="+6281399990000")
    report = make_report(status="dispositioned", reporter=person, privacy=Privacy.PUBLIC, show_name=True)
    for fmt in ("json", "xml"):
        text = o311.get(f"requests/{report.tracking_number}.{fmt}", extensions="true").text
        assert report.tracking_number in text
        for secret in ("Sutrisno", "sutrisno@", "6281399990000"):
            assert secret not in text


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_confidential_request_is_missing_everywhere_even_for_its_client(lapor, o311, api_key, verifier, fmt):
    lat, lng = lapor.point("Pleburan")
    filed = o311.post(
        "requests.json", {"api_key": api_key, "service_code": "JALAN", "lat": lat, "long": lng, "description": "Z."}
    )
    number = filed.data[0]["service_request_id"]
    report = Report.objects.get(tracking_number=number)
    report = report_services.report_verify(actor=verifier, report=report)
    report_services.report_set_privacy(actor=verifier, report=report, privacy=Privacy.CONFIDENTIAL)
    missing = o311.get(f"requests/LPR-26-ZZZZZZ.{fmt}")
    for key in ("", api_key):
        detail = o311.get(f"requests/{number}.{fmt}", api_key=key)
        assert detail.status == 404
        assert detail.text.replace(number, "LPR-26-ZZZZZZ") == missing.text  # exactly like a missing one
        assert o311.get(f"tokens/{number}.{fmt}", api_key=key).status == 404
        for path in ("requests", "servicerequestupdates"):
            assert number not in o311.get(f"{path}.{fmt}", api_key=key, extensions="true").text
        assert number not in o311.get(f"requests.{fmt}", service_request_id=number, api_key=key).text


def test_internal_and_reporter_only_entries_never_appear(lapor, o311, make_report, officer):
    report = make_report(status="dispositioned")
    report_services.report_note(actor=officer, report=report, text="CATATAN-INTERNAL-SAJA")
    report_services.report_request_info(actor=officer, report=report, text="PERTANYAAN-UNTUK-PELAPOR")
    report_services.report_reply(report=report, text="JAWABAN-PELAPOR", token=report.tracking_token)
    for fmt in ("json", "xml"):
        for path in ("requests", "servicerequestupdates", f"requests/{report.tracking_number}"):
            text = o311.get(f"{path}.{fmt}", extensions="true").text
            assert report.tracking_number in text
            for secret in ("CATATAN-INTERNAL", "PERTANYAAN-UNTUK", "JAWABAN-PELAPOR", "Budi"):
                assert secret not in text
