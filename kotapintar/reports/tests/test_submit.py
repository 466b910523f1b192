"""Filing a report: validation (nothing stored on error), tracking, idempotency, rate limit."""

from __future__ import annotations

import re

import pytest

from kotapintar.core.models import AuditLog, Notification
from kotapintar.reports import services, tracking
from kotapintar.reports.errors import IdempotencyConflict, RateLimited, ReportInvalid
from kotapintar.reports.models import Privacy, Report, ReportEvent, ReportPhoto, Status
from kotapintar.testing.reports import jpeg_bytes, upload


def _submit(lapor, **kw):
    lat, lng = kw.pop("point", None) or lapor.point("Pleburan")
    kw.setdefault("category", lapor.category("JALAN"))
    kw.setdefault("text", "Jalan berlubang di depan pasar, bahaya untuk motor.")
    kw.setdefault("reporter", None)
    kw.setdefault("rate_limit", False)
    return services.report_submit(lat=lat, lng=lng, **kw)


def test_a_report_is_filed_located_and_due_in_three_working_days(lapor, citizen):
    result = _submit(lapor, reporter=citizen, address="Jl. Pahlawan depan SMA 1")
    report = result.report
    assert report.status == Status.SUBMITTED
    assert re.fullmatch(r"LPR-\d{2}-[0-9A-HJKMNP-TV-Z]{6}", report.tracking_number)
    assert report.village.name == "Pleburan"
    assert report.district.name == "Semarang Selatan"
    assert report.privacy == Privacy.ANONYMOUS  # the safe default
    assert report.is_public is False  # not before the desk verified it
    assert report.verify_due is not None and report.due_at == report.verify_due
    assert ReportEvent.objects.filter(report=report, kind="submitted").count() == 1
    assert AuditLog.objects.filter(action="report.submit", object_id=str(report.pk)).exists()
    # An account holder sees the number on screen and in "Laporan Saya": no message yet.
    assert not Notification.objects.filter(recipient=citizen).exists()


def test_tracking_token_opens_the_report_and_only_its_hash_is_stored(lapor):
    result = _submit(lapor, reporter_email="warga@example.test")
    report = result.report
    assert result.tracking_token not in report.tracking_token_hash
    assert services.check_tracking_token(report, result.tracking_token)
    assert not services.check_tracking_token(report, result.tracking_token[:-1] + "x")
    assert result.tracking_token in result.tracking_url
    # The person without an account is told by e-mail, with the tracking link.
    mail = Notification.objects.get(address="warga@example.test", kind="reports.received")
    assert result.tracking_token in mail.url
    # …and every later message carries the same working link.
    services.report_verify(actor=None, report=report)
    later = Notification.objects.get(address="warga@example.test", kind="reports.verified")
    assert later.url == result.tracking_url


def test_tracking_numbers_are_normalised_from_what_people_type():
    assert tracking.normalise_tracking_number("lpr 26 7k3qx9") == "LPR-26-7K3QX9"
    assert tracking.normalise_tracking_number("LPR-26-7K3QXO") == "LPR-26-7K3QX0"  # O typed for zero
    assert tracking.normalise_tracking_number("LPR-26-") == ""
    assert tracking.normalise_tracking_number("'; drop table") == ""


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"text": "   "}, "text", "kosong"),
        ({"text": "x" * 4001}, "text", "4.000"),
        ({"point": (-7.5, 110.0)}, "location", "di luar"),
        ({"point": ("abc", 110.0)}, "location", "peta"),
        ({"privacy": "secret"}, "privacy", "publik"),
        ({"kind": "gossip"}, "kind", "pengaduan"),
        ({"reporter_email": "bukan-email"}, "reporter_email", "email"),
        ({"reporter_phone": "12"}, "reporter_phone", "0812"),
    ],
)
def test_bad_input_is_refused_with_an_indonesian_message_and_nothing_is_stored(lapor, changes, field, words):
    with pytest.raises(ReportInvalid) as caught:
        _submit(lapor, **changes)
    assert field in caught.value.fields
    assert words.lower() in " ".join(caught.value.fields[field]).lower()
    assert Report.objects.count() == 0
    assert ReportEvent.objects.count() == 0
    assert not AuditLog.objects.filter(action="report.submit").exists()


def test_every_problem_is_reported_at_once(lapor):
    with pytest.raises(ReportInvalid) as caught:
        _submit(lapor, text="", privacy="x", point=(0.0, 0.0))
    assert {"text", "privacy", "location"} <= set(caught.value.fields)


def test_an_inactive_category_is_refused(lapor):
    category = lapor.category("WIFI")
    category.is_active = False
    category.save()
    with pytest.raises(ReportInvalid) as caught:
        _submit(lapor, category=category)
    assert "category" in caught.value.fields


def test_html_is_kept_as_plain_text(lapor):
    report = _submit(lapor, text="<script>alert('x')</script> Got mampet <b>parah</b>").report
    assert report.text == "<script>alert('x')</script> Got mampet <b>parah</b>"
    assert report.title.startswith("<script>")


def test_control_characters_are_removed_and_the_title_is_derived(lapor):
    text = "Lampu jalan mati total sepanjang Jl. Pemuda sejak tiga hari.\x00 Gelap dan rawan kejahatan."
    report = _submit(lapor, text=text, category=lapor.category("PJU")).report
    assert "\x00" not in report.text
    assert report.title == "Lampu jalan mati total sepanjang Jl. Pemuda sejak tiga hari."


def test_a_name_is_public_only_when_asked_for_on_a_public_report(lapor, citizen):
    shown = _submit(lapor, reporter=citizen, privacy=Privacy.PUBLIC, show_name=True).report
    hidden = _submit(lapor, reporter=citizen, privacy=Privacy.ANONYMOUS, show_name=True).report
    assert shown.public_name == "Siti Warga"
    assert hidden.public_name == "" and hidden.show_name is False


def test_idempotency_key_returns_the_first_report(lapor, citizen):
    first = _submit(lapor, reporter=citizen, idempotency_key="9b2f-aa")
    again = _submit(lapor, reporter=citizen, idempotency_key="9b2f-aa")
    assert first.created and not again.created
    assert again.report.pk == first.report.pk
    assert again.tracking_token == first.tracking_token
    assert Report.objects.count() == 1


def test_idempotency_key_reused_for_another_text_is_a_conflict(lapor, citizen):
    _submit(lapor, reporter=citizen, idempotency_key="k-1")
    with pytest.raises(IdempotencyConflict):
        _submit(lapor, reporter=citizen, idempotency_key="k-1", text="Sampah menumpuk di pinggir kali.")
    assert Report.objects.count() == 1


def test_idempotency_keys_are_scoped_per_person(lapor, citizen, make_user):
    other = make_user(full_name="Warga Lain")
    a = _submit(lapor, reporter=citizen, idempotency_key="same")
    b = _submit(lapor, reporter=other, idempotency_key="same")
    assert a.report.pk != b.report.pk


def test_anonymous_filing_is_rate_limited_per_device(lapor, settings, commit):
    settings.REPORTS_ANONYMOUS_RATE = {"device": (2, 3600), "ip": (100, 3600)}
    for n in range(2):
        with commit():
            _submit(lapor, device_id="hp-123", ip=f"10.0.0.{n}", rate_limit=True)
    with pytest.raises(RateLimited) as caught:
        _submit(lapor, device_id="hp-123", ip="10.0.0.9", rate_limit=True)
    assert "coba lagi" in caught.value.message.lower()
    assert Report.objects.count() == 2


def test_anonymous_filing_is_rate_limited_per_address(lapor, settings, commit):
    settings.REPORTS_ANONYMOUS_RATE = {"device": (100, 3600), "ip": (1, 3600)}
    with commit():
        _submit(lapor, ip="10.1.1.1", rate_limit=True)
    with pytest.raises(RateLimited):
        _submit(lapor, ip="10.1.1.1", device_id="other-device", rate_limit=True)
    # Another address is not affected.
    _submit(lapor, ip="10.1.1.2", rate_limit=True)


def test_signed_in_residents_are_not_rate_limited_by_default(lapor, citizen, settings):
    settings.REPORTS_ANONYMOUS_RATE = {"device": (0, 3600), "ip": (0, 3600)}
    _submit(lapor, reporter=citizen, ip="10.2.2.2", rate_limit=None)
    with pytest.raises(RateLimited):
        _submit(lapor, reporter=None, ip="10.2.2.2", rate_limit=None)


def test_photos_are_stored_after_commit_and_private_until_public(lapor, commit, settings):
    with commit():
        report = _submit(lapor, photos_in=[upload(jpeg_bytes()), upload(jpeg_bytes((300, 900)), "b.png")]).report
    rows = list(ReportPhoto.objects.filter(report=report))
    assert len(rows) == 2
    assert {p.storage for p in rows} == {"private"}
    for photo in rows:
        assert (settings.PRIVATE_MEDIA_ROOT / photo.file).is_file()
        assert (settings.PRIVATE_MEDIA_ROOT / photo.thumbnail).is_file()
        assert not (settings.MEDIA_ROOT / "public" / photo.file).exists()


def test_a_bad_photo_refuses_the_whole_report(lapor, commit, settings):
    with pytest.raises(ReportInvalid) as caught, commit():
        _submit(lapor, photos_in=[upload(jpeg_bytes()), upload(b"MZ\x90\x00 not an image", "virus.jpg")])
    assert "virus.jpg" in caught.value.fields["photos"][0]
    assert Report.objects.count() == 0 and ReportPhoto.objects.count() == 0
    assert not any((settings.PRIVATE_MEDIA_ROOT).rglob("*.jpg"))


def test_attributes_are_validated_against_the_category(lapor):
    category = lapor.category("JALAN")
    services.category_attribute_save(
        actor=None, category=category, code="kedalaman", datatype="number", required=True, description="Kedalaman (cm)"
    )
    services.category_attribute_save(
        actor=None,
        category=category,
        code="lajur",
        datatype="multivaluelist",
        description="Lajur yang rusak",
        values=[{"key": "kiri", "name": "Kiri"}, {"key": "kanan", "name": "Kanan"}],
    )
    from kotapintar.reports import selectors

    selectors.forget_categories()
    category = selectors.category_by_code("JALAN")
    with pytest.raises(ReportInvalid) as caught:
        _submit(lapor, category=category, attributes={"lajur": ["tengah"]})
    assert set(caught.value.fields) == {"attributes.kedalaman", "attributes.lajur"}
    report = _submit(lapor, category=category, attributes={"kedalaman": "12,5", "lajur": "kanan,kiri"}).report
    assert report.attributes == {"kedalaman": 12.5, "lajur": ["kiri", "kanan"]}


def test_a_tracking_number_drawn_twice_is_drawn_again(lapor, monkeypatch):
    first = _submit(lapor).report
    numbers = iter([first.tracking_number, "LPR-26-ABCDEF"])
    monkeypatch.setattr(tracking, "new_tracking_number", lambda year: next(numbers))
    second = _submit(lapor).report
    assert second.tracking_number == "LPR-26-ABCDEF"
    assert Report.objects.count() == 2


def test_a_concurrent_retry_with_the_same_key_gets_the_first_report(lapor, citizen, monkeypatch):
    first = _submit(lapor, reporter=citizen, idempotency_key="race-1")
    real = services._by_idempotency_key
    calls = []

    def not_yet_visible(scope, key):  # the other request has not committed when we look…
        calls.append(key)
        return None if len(calls) == 1 else real(scope, key)

    monkeypatch.setattr(services, "_by_idempotency_key", not_yet_visible)
    again = _submit(lapor, reporter=citizen, idempotency_key="race-1")  # …and wins the insert
    assert again.report.pk == first.report.pk and not again.created
    assert Report.objects.count() == 1
