"""The residents' pages of Lapor through the Django test client: the report form and each of
its refusals (message next to the field, nothing stored, input kept), the confirmation with
the tracking link, the form's helpers, "Laporan Saya", the reporter's page by account and by
tracking link with its actions, and the tracking look-up."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from lxml import html as lxml_html

from kotapintar.reports import links, services
from kotapintar.reports.models import (
    CategoryAttribute,
    Follower,
    Privacy,
    Report,
    ReportEvent,
    ReportPhoto,
    Status,
)
from kotapintar.testing.accounts import make_user
from kotapintar.testing.reports import jpeg_bytes

FORM = "/lapor/"
TEXT = "Jalan berlubang besar di depan SD Negeri, sudah dua minggu membahayakan pengendara motor."
JAKARTA = (-6.2, 106.8)


def _doc(response):
    return lxml_html.fromstring(response.content.decode())


def _error_of(response, field_id: str) -> str:
    """The error text shown next to the input `field_id`, checking that the two are tied."""
    doc = _doc(response)
    field = doc.get_element_by_id(field_id)
    assert field.get("aria-invalid") == "true", f"{field_id} is not marked invalid"
    described = (field.get("aria-describedby") or "").split()
    error_ids = [i for i in described if i.endswith("error")]
    assert error_ids, f"{field_id} is not tied to an error message"
    return " ".join(" ".join(doc.get_element_by_id(i).text_content().split()) for i in error_ids)


def _post(client, lapor, **fields):
    data = {
        "text": TEXT,
        "category": "JALAN",
        "kind": "complaint",
        "privacy": "anonymous",
        "address": "Jl. Pahlawan depan SD",
    }
    if "point" in fields or not ({"lat", "lng", "village", "district"} & set(fields)):
        lat, lng = fields.pop("point", None) or lapor.point("Pleburan")
        data.update(lat=f"{lat:.6f}", lng=f"{lng:.6f}")
    data.update(fields)
    return client.post(FORM, {k: v for k, v in data.items() if v is not None})


def _photo(name="foto.jpg", data=None, content_type="image/jpeg"):
    return SimpleUploadedFile(name, data if data is not None else jpeg_bytes(), content_type=content_type)


def _token_of(response) -> str:
    url = _doc(response).get_element_by_id("tracking-url").get("value")
    return url.split("token=", 1)[1]


# --- the form ------------------------------------------------------------------------------------


def test_the_form_has_labelled_fields_and_the_safe_privacy_preselected(lapor, client):
    response = client.get(FORM)
    assert response.status_code == 200
    doc = _doc(response)
    assert doc.get_element_by_id("id_privacy_1").get("value") == "anonymous"
    assert doc.get_element_by_id("id_privacy_1").get("checked") is not None  # the backbone's default
    assert doc.xpath("//input[@name='kind'][@checked]")[0].get("value") == "complaint"
    # Every visible input, select and textarea has a label.
    for element in doc.xpath("//form[@id='report-form']//*[self::input or self::select or self::textarea]"):
        if element.get("type") in ("hidden", "submit"):
            continue
        assert doc.xpath(f"//label[@for='{element.get('id')}']"), f"no label for {element.get('id')}"
    # The radio groups are fieldsets with a legend; privacy choices are explained in words.
    legends = [" ".join(x.text_content().split()) for x in doc.xpath("//fieldset/legend")]
    assert "Jenis laporan" in legends and "Siapa yang boleh melihat laporan ini?" in legends
    assert "tidak untuk publik dan tidak untuk OPD" in response.content.decode()
    # Without an account: contact fields (optional, never public); kecamatan/kelurahan lists.
    assert doc.get_element_by_id("id_reporter_email") is not None
    assert len(doc.xpath("//select[@id='id_village']//option[@value!='']")) == 177
    # Lean page: no icon font, no chart library.
    assert b"bootstrap-icons" not in response.content and b"chart" not in response.content.lower()
    # Its transfer is compressed.
    assert client.get(FORM, HTTP_ACCEPT_ENCODING="gzip")["Content-Encoding"] == "gzip"


def test_a_category_can_be_preselected_by_link(lapor, client):
    doc = _doc(client.get(FORM + "?category=pju"))
    assert doc.xpath("//select[@id='id_category']/option[@selected]")[0].get("value") == "PJU"


def test_signed_in_residents_are_not_asked_for_a_contact(lapor, citizen_client):
    doc = _doc(citizen_client.get(FORM))
    assert not doc.xpath("//*[@id='id_reporter_email']")


def test_filing_without_an_account_gives_number_and_working_tracking_link(lapor, client):
    response = _post(client, lapor, reporter_email="warga@example.test", reporter_name="Warga Pleburan")
    report = Report.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:submitted", args=[report.tracking_number])
    assert report.reporter is None and report.reporter_email == "warga@example.test"
    assert report.village.name == "Pleburan" and report.channel == "web"
    assert report.privacy == Privacy.ANONYMOUS and report.address == "Jl. Pahlawan depan SD"

    page = client.get(response["Location"])
    assert page.status_code == 200
    doc = _doc(page)
    assert doc.get_element_by_id("tracking-number").text_content().strip() == report.tracking_number
    token = _token_of(page)
    assert services.check_tracking_token(report, token)
    assert "Simpan tautan ini" in page.content.decode()
    # A reload shows it again; another browser does not get the token.
    assert client.get(response["Location"]).status_code == 200
    assert Client().get(response["Location"]).status_code == 404
    # The link opens the reporter's page, in another browser too.
    tracking = Client().get(reverse("reports:track", args=[report.tracking_number]) + f"?token={token}")
    assert tracking.status_code == 200
    assert report.title in tracking.content.decode()


def test_filing_with_an_account_a_map_point_and_a_photo(lapor, citizen, citizen_client, commit):
    lat, lng = lapor.point("Pleburan")
    with commit():
        response = citizen_client.post(
            FORM,
            {
                "text": TEXT,
                "category": "JALAN",
                "kind": "complaint",
                "privacy": "public",
                "show_name": "on",
                "lat": f"{lat:.6f}",
                "lng": f"{lng:.6f}",
                "photos": [_photo()],
            },
        )
    report = Report.objects.get()
    assert response.status_code == 302
    assert report.reporter == citizen and report.public_name == citizen.full_name
    assert ReportPhoto.objects.filter(report=report).count() == 1
    page = citizen_client.get(response["Location"])
    assert reverse("reports:mine") in page.content.decode()


def test_without_a_map_the_kelurahan_from_the_list_gives_the_location(lapor, client):
    village = lapor.city.village("Pleburan")
    response = _post(client, lapor, village=village.code, district=village.parent_id, lat="", lng="")
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.village_id == village.code
    assert report.district_id == village.parent_id


@pytest.mark.parametrize(
    ("fields", "field_id", "message"),
    [
        ({"text": "   "}, "id_text", "Jelaskan masalahnya: isi laporan masih kosong."),
        ({"text": "x" * 4001}, "id_text", "paling banyak 4.000 karakter (sekarang 4.001)"),
        ({"point": JAKARTA}, "id_lat", "Titik lokasi berada di luar Kota Semarang"),
        ({"lat": "", "lng": "", "village": ""}, "id_village", "Pilih lokasi di peta"),
        ({"category": ""}, "id_category", "Pilih kategori laporan."),
        ({"reporter_email": "bukan-email"}, "id_reporter_email", "nama@contoh.com"),
        ({"reporter_phone": "12"}, "id_reporter_phone", "nomor ponsel Indonesia yang sah"),
        ({"photos": [_photo() for _ in range(6)]}, "id_photos", "Paling banyak 5 foto"),
        ({"photos": [_photo("surat.jpg", b"%PDF-1.4 bukan foto")]}, "id_photos", "“surat.jpg” bukan foto"),
        (
            {"photos": [_photo("besar.jpg", b"\xff\xd8" + b"0" * (10 * 1024 * 1024))]},
            "id_photos",
            "“besar.jpg” lebih dari 10 MB",
        ),
    ],
    ids=["empty", "too-long", "outside", "no-location", "no-category", "email", "phone", "six-photos", "pdf", "11mb"],
)
def test_each_refusal_is_shown_next_to_its_field_and_nothing_is_stored(lapor, client, fields, field_id, message):
    if "photos" in fields:
        fields["photos"] = [_photo(p.name, p.read(), p.content_type) for p in fields["photos"]]  # fresh files
    response = _post(client, lapor, **fields)
    assert response.status_code == 200
    assert message in _error_of(response, field_id)
    assert Report.objects.count() == 0 and ReportPhoto.objects.count() == 0
    doc = _doc(response)
    # The summary at the top links to the field; what was typed is kept.
    assert doc.xpath("//*[@data-testid='error-summary']//a")
    assert doc.get_element_by_id("id_address").get("value") == "Jl. Pahlawan depan SD"
    if "text" not in fields:
        assert doc.get_element_by_id("id_text").text_content().strip() == TEXT


def test_html_in_the_text_is_kept_as_text_and_shown_escaped(lapor, client):
    text = "<script>alert('x')</script> <b>Lampu</b> jalan mati di gang 3"
    refused = _post(client, lapor, text=text, category="")
    assert b"<script>alert" not in refused.content
    assert "&lt;script&gt;alert" in refused.content.decode()
    filed = _post(client, lapor, text=text, category="PJU")
    report = Report.objects.get()
    assert report.text == text  # stored as typed: it is text, never interpreted
    token = _token_of(client.get(filed["Location"]))
    page = client.get(reverse("reports:track", args=[report.tracking_number]) + f"?token={token}")
    assert b"<script>alert" not in page.content and b"<b>Lampu</b>" not in page.content
    assert "&lt;b&gt;Lampu&lt;/b&gt;" in page.content.decode()


def test_a_missing_category_brings_suggestions_without_javascript(lapor, client):
    response = _post(
        client, lapor, text="Lampu jalan di gang kami mati sudah seminggu, gelap sekali malam hari.", category=""
    )
    doc = _doc(response)
    suggested = [b.get("data-category") for b in doc.xpath("//*[@data-testid='category-suggestions']//button")]
    assert suggested and suggested[0] == "PJU" and len(suggested) <= 3


def test_anonymous_filing_is_rate_limited_with_a_clear_message(lapor, client, settings, commit):
    settings.REPORTS_ANONYMOUS_RATE = {"ip": (1, 3600), "device": (1, 3600)}
    with commit():  # the filing is counted once it is committed
        assert _post(client, lapor).status_code == 302
    response = _post(client, lapor, text="Saluran air tersumbat sampah di depan rumah nomor 5.")
    assert response.status_code == 429
    assert "Terlalu banyak laporan dikirim" in _doc(response).get_element_by_id("form-errors").text_content()
    assert Report.objects.count() == 1


def test_sending_the_same_form_twice_files_one_report(lapor, client):
    first = _post(client, lapor, submission_key="f0e1d2c3b4a5")
    second = _post(client, lapor, submission_key="f0e1d2c3b4a5")
    assert Report.objects.count() == 1
    assert first["Location"] == second["Location"]


# --- the category's questions ---------------------------------------------------------------------


@pytest.fixture
def questions(lapor):
    category = lapor.category("JALAN")
    Datatype = CategoryAttribute.Datatype
    specs = [
        ("lebar", Datatype.NUMBER, True, "Berapa lebar lubangnya (cm)?", []),
        ("sejak", Datatype.DATETIME, False, "Sejak kapan?", []),
        ("patokan", Datatype.STRING, False, "Patokan terdekat?", []),
        ("cerita", Datatype.TEXT, False, "Ceritakan kejadiannya", []),
        ("jalur", Datatype.SINGLEVALUELIST, True, "Di jalur mana?", [("kiri", "Kiri"), ("kanan", "Kanan")]),
        ("dampak", Datatype.MULTIVALUELIST, False, "Dampaknya?", [("motor", "Motor jatuh"), ("macet", "Macet")]),
    ]
    for order, (code, datatype, required, question, values) in enumerate(specs):
        services.category_attribute_save(
            actor=None,
            category=category,
            code=code,
            datatype=datatype,
            required=required,
            description=question,
            order=order,
            values=[{"key": k, "name": n} for k, n in values],
        )
    return category


def test_the_questions_of_the_chosen_category_appear_and_are_validated(lapor, client, questions):
    partial = client.get(reverse("reports:assist_questions") + "?category=JALAN")
    doc = _doc(partial)
    assert doc.get_element_by_id("id_attr_lebar").get("aria-required") == "true"
    assert doc.get_element_by_id("id_attr_sejak").get("type") == "datetime-local"
    assert doc.get_element_by_id("id_attr_cerita").tag == "textarea"
    assert [i.get("value") for i in doc.xpath("//input[@name='attr_jalur']")] == ["kiri", "kanan"]
    assert [i.get("type") for i in doc.xpath("//input[@name='attr_dampak']")] == ["checkbox", "checkbox"]

    refused = _post(client, lapor, attr_lebar="lebar sekali")
    assert "dengan angka" in _error_of(refused, "id_attr_lebar")
    assert "Mohon jawab “Di jalur mana?”" in _doc(refused).get_element_by_id("id_attr_jalur_error").text_content()
    assert Report.objects.count() == 0

    filed = _post(
        client,
        lapor,
        attr_lebar="40,5",
        attr_sejak="2026-03-01T07:30",
        attr_patokan="Depan warung",
        attr_jalur="kanan",
        attr_dampak=["macet", "motor"],
    )
    assert filed.status_code == 302
    answers = Report.objects.get().attributes
    assert answers["lebar"] == 40.5 and answers["jalur"] == "kanan" and answers["dampak"] == ["motor", "macet"]
    assert answers["sejak"].startswith("2026-03-01T07:30:00+07:00")


def test_without_javascript_choosing_a_category_shows_its_questions_and_files_nothing(lapor, client, questions):
    response = _post(client, lapor, pick_category="1", text="")
    assert response.status_code == 200 and Report.objects.count() == 0
    doc = _doc(response)
    assert doc.get_element_by_id("id_attr_lebar") is not None
    assert not doc.xpath("//*[@data-testid='error-summary']")


# --- the form's helpers ----------------------------------------------------------------------------


def test_the_point_fills_in_kelurahan_and_kecamatan(lapor, client):
    lat, lng = lapor.point("Pleburan")
    inside = client.get(reverse("reports:assist_locate"), {"lat": lat, "lng": lng})
    found = _doc(inside).xpath("//*[@data-inside='1']")[0]
    assert found.get("data-village") == lapor.city.village("Pleburan").code
    assert "Kelurahan Pleburan, Kecamatan Semarang Selatan" in " ".join(found.text_content().split())
    outside = client.get(reverse("reports:assist_locate"), {"lat": JAKARTA[0], "lng": JAKARTA[1]})
    assert "di luar Kota Semarang" in outside.content.decode()
    bounds = client.get(reverse("reports:assist_locate"), {"area": lapor.city.district("Tembalang").code}).json()
    (south, west), (north, east) = bounds["bounds"]
    assert south < north and west < east


def test_suggestions_while_typing(lapor, client):
    response = client.get(reverse("reports:assist_suggest"), {"text": "sampah menumpuk di TPS tidak diangkut seminggu"})
    codes = [b.get("data-category") for b in _doc(response).xpath("//button[@data-category]")]
    assert codes[0] == "SAMPAH" and len(codes) <= 3
    assert client.get(reverse("reports:assist_suggest"), {"text": "jalan"}).content.strip() == b""


def test_similar_reports_are_public_ones_without_identities(lapor, client, make_report, citizen):
    public = make_report(status="dispositioned", reporter=citizen, privacy=Privacy.PUBLIC)
    hidden = make_report(privacy=Privacy.CONFIDENTIAL, status="verified")
    unverified = make_report()
    lat, lng = lapor.point("Pleburan")
    response = client.get(
        reverse("reports:assist_similar"), {"category": "JALAN", "lat": lat, "lng": lng, "text": TEXT}
    )
    body = response.content.decode()
    assert public.tracking_number in body
    assert hidden.tracking_number not in body and unverified.tracking_number not in body
    assert citizen.full_name not in body and citizen.email not in body
    assert "Ini masalah saya juga" in body


def test_this_is_my_problem_too(lapor, client, make_report, make_user):
    report = make_report(status="dispositioned")
    url = reverse("reports:support", args=[report.tracking_number])
    signed_out = client.post(url)
    assert signed_out.status_code == 302 and signed_out["Location"].startswith(reverse("accounts:login"))
    assert client.post(url, HTTP_HX_REQUEST="true")["HX-Redirect"].startswith(reverse("accounts:login"))
    neighbour = make_user(full_name="Tetangga", email="tetangga@example.test")
    resident = Client()
    resident.force_login(neighbour, backend="kotapintar.accounts.backends.EmailOrPhoneBackend")
    answer = resident.post(url, HTTP_HX_REQUEST="true")
    assert "Anda sekarang mendukung laporan" in answer.content.decode()
    assert Follower.objects.get(report=report, user=neighbour).supports is True
    assert Report.objects.get(pk=report.pk).support_count == 1
    # A confidential or unverified report cannot be supported: it is not found at all.
    hidden = make_report()
    assert resident.post(reverse("reports:support", args=[hidden.tracking_number])).status_code == 404


# --- "Laporan Saya" --------------------------------------------------------------------------------


def test_my_reports_lists_mine_with_agency_and_deadline(lapor, citizen, citizen_client, make_report):
    routed = make_report(reporter=citizen, status="dispositioned")
    waiting = make_report(reporter=citizen, text="Lampu jalan mati di gang 3 sejak Senin.", category="PJU")
    resolved = make_report(reporter=citizen, status="resolved", text="Pohon tumbang menutup jalan.", category="POHON")
    other = make_report(reporter=make_user(full_name="Orang Lain"))
    response = citizen_client.get(reverse("reports:mine"))
    body = response.content.decode()
    for report in (routed, waiting, resolved):
        assert report.tracking_number in body
    assert other.tracking_number not in body
    doc = _doc(response)
    assert routed.responsible_agency.name in body
    assert "meja pengaduan (belum diteruskan)" in body  # `waiting` has no agency yet
    badges = [" ".join(b.text_content().split()) for b in doc.xpath("//*[@data-testid='deadline-badge']")]
    assert len(badges) == 2 and all(b in ("Tepat waktu", "Segera jatuh tempo", "Terlambat") for b in badges)
    # "Waiting for me": the resolved report wants a confirmation and a rating.
    action = citizen_client.get(reverse("reports:mine") + "?status=action").content.decode()
    assert resolved.tracking_number in action and routed.tracking_number not in action


def test_an_overdue_report_shows_the_overdue_badge(lapor, citizen, citizen_client, make_report):
    report = make_report(reporter=citizen)
    Report.objects.filter(pk=report.pk).update(due_at=report.created_at - dt.timedelta(days=2))
    doc = _doc(citizen_client.get(reverse("reports:mine")))
    assert doc.xpath("//*[@data-testid='deadline-badge']")[0].text_content().strip() == "Terlambat"


def test_my_reports_signed_out_explains_sign_in_and_tracking(lapor, client):
    response = client.get(reverse("reports:mine"))
    assert response.status_code == 200
    doc = _doc(response)
    assert doc.xpath(f"//a[starts-with(@href, '{reverse('accounts:login')}')]")
    assert doc.xpath(f"//form[@action='{reverse('reports:lookup')}']")


# --- the reporter's page ------------------------------------------------------------------------------


def test_the_reporters_page_is_theirs_only(lapor, citizen, citizen_client, make_report, client):
    report = make_report(reporter=citizen)
    url = reverse("reports:detail", args=[report.tracking_number])
    assert citizen_client.get(url).status_code == 200
    assert client.get(url).status_code == 302  # sign in first
    stranger = Client()
    stranger.force_login(make_user(full_name="Orang Lain"), backend="kotapintar.accounts.backends.EmailOrPhoneBackend")
    assert stranger.get(url).status_code == 404


def test_notification_links_land_on_these_pages(lapor, citizen, make_report):
    report = make_report(reporter=citizen)
    assert links.reporter_path(report) == f"/lapor/saya/{report.tracking_number}/"
    assert links.tracking_path(report.tracking_number, "abc") == f"/lapor/lacak/{report.tracking_number}/?token=abc"


def test_the_timeline_shows_agencies_never_staff_names(lapor, citizen, citizen_client, make_report, officer):
    report = make_report(reporter=citizen, status="dispositioned")
    services.report_follow_up(actor=officer, report=report, text="Tim sudah dijadwalkan ke lokasi Kamis.")
    page = citizen_client.get(reverse("reports:detail", args=[report.tracking_number]))
    timeline = _doc(page).xpath("//*[@data-testid='timeline']")[0].text_content()
    assert "Tim sudah dijadwalkan" in timeline and report.responsible_agency.name in timeline
    assert officer.full_name not in page.content.decode()


def test_answering_a_question_of_the_agency(lapor, citizen, citizen_client, make_report, officer):
    report = make_report(reporter=citizen, status="dispositioned")
    services.report_request_info(actor=officer, report=report, text="Di sisi jalan sebelah mana lubangnya?")
    page = citizen_client.get(reverse("reports:detail", args=[report.tracking_number]))
    assert "Di sisi jalan sebelah mana" in _doc(page).xpath("//*[@data-testid='question']")[0].text_content()
    url = reverse("reports:act", args=[report.tracking_number, "reply"])
    empty = citizen_client.post(url, {"reply-text": " "})
    assert "Tuliskan jawaban Anda." in _error_of(empty, "id_reply-text")
    done = citizen_client.post(url, {"reply-text": "Sebelah kiri, dekat tiang listrik."})
    assert done.status_code == 302
    assert ReportEvent.objects.filter(report=report, kind="reporter_reply", text__startswith="Sebelah kiri").exists()
    assert Report.objects.get(pk=report.pk).awaiting_reporter is False


def test_confirm_and_rate_a_resolved_report(lapor, citizen, citizen_client, make_report):
    report = make_report(reporter=citizen, status="resolved")
    page = citizen_client.get(reverse("reports:detail", args=[report.tracking_number]))
    doc = _doc(page)
    assert doc.xpath("//*[@data-testid='resolved-box']") and doc.xpath("//*[@data-testid='rate-box']")
    assert [i.get("value") for i in doc.xpath("//input[@name='rate-rating']")] == ["1", "2", "3", "4", "5"]
    confirmed = citizen_client.post(reverse("reports:act", args=[report.tracking_number, "confirm"]))
    assert confirmed.status_code == 302
    assert Report.objects.get(pk=report.pk).status == Status.CLOSED
    rate = reverse("reports:act", args=[report.tracking_number, "rate"])
    refused = citizen_client.post(rate, {"rate-comment": "cepat"})
    assert "Beri nilai dari 1" in _error_of(refused, "id_rate-rating_0")
    assert citizen_client.post(rate, {"rate-rating": "4", "rate-comment": "Cepat ditangani."}).status_code == 302
    report.refresh_from_db()
    assert report.rating == 4 and report.rating_comment == "Cepat ditangani."
    again = citizen_client.post(rate, {"rate-rating": "5"})
    assert "Laporan ini sudah dinilai." in _doc(again).xpath("//*[@data-testid='action-error']")[0].text_content()
    page = citizen_client.get(reverse("reports:detail", args=[report.tracking_number]))
    assert "4 dari 5" in _doc(page).xpath("//*[@data-testid='my-rating']")[0].text_content()


def test_reopen_within_the_window_and_not_after(lapor, citizen, citizen_client, make_report):
    report = make_report(reporter=citizen, status="closed")
    url = reverse("reports:act", args=[report.tracking_number, "reopen"])
    empty = citizen_client.post(url, {"reopen-reason": ""})
    assert "Jelaskan apa yang masih bermasalah." in _error_of(empty, "id_reopen-reason")
    assert citizen_client.post(url, {"reopen-reason": "Lubangnya terbuka lagi setelah hujan."}).status_code == 302
    assert Report.objects.get(pk=report.pk).status == Status.IN_PROGRESS

    late = make_report(reporter=citizen, status="closed", text="Drainase tersumbat lagi di depan masjid.")
    Report.objects.filter(pk=late.pk).update(reopen_until=late.closed_at - dt.timedelta(days=1))
    refused = citizen_client.post(
        reverse("reports:act", args=[late.tracking_number, "reopen"]), {"reopen-reason": "Masih tersumbat."}
    )
    assert "Batas waktu untuk membuka kembali" in refused.content.decode()
    assert Report.objects.get(pk=late.pk).status == Status.CLOSED


def test_actions_need_the_csrf_token(lapor, citizen, make_report):
    report = make_report(reporter=citizen, status="resolved")
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(citizen, backend="kotapintar.accounts.backends.EmailOrPhoneBackend")
    assert strict.post(reverse("reports:act", args=[report.tracking_number, "confirm"])).status_code == 403
    assert Report.objects.get(pk=report.pk).status == Status.RESOLVED


# --- by tracking link ----------------------------------------------------------------------------------


def test_the_tracking_link_page_and_its_actions(lapor, make_report, client):
    report = make_report(status="resolved", reporter_email="warga@example.test")
    token = report.tracking_token
    page = client.get(reverse("reports:track", args=[report.tracking_number]) + f"?token={token}")
    assert page.status_code == 200 and page["Cache-Control"].startswith("max-age=0")
    assert "warga@example.test" not in page.content.decode()
    wrong = client.get(reverse("reports:track", args=[report.tracking_number]) + "?token=" + "x" * 43)
    assert wrong.status_code == 404
    url = reverse("reports:track_act", args=[report.tracking_number, "rate"])
    assert client.post(url, {"rate-rating": "5"}).status_code == 404  # no token, no access
    done = client.post(url, {"rate-rating": "5", "token": token})
    assert done.status_code == 302 and f"token={token}" in done["Location"]
    assert Report.objects.get(pk=report.pk).rating == 5


def test_private_photos_on_the_tracking_page_carry_the_token(lapor, client, commit):
    lat, lng = lapor.point("Pleburan")
    with commit():
        result = services.report_submit(
            reporter=None,
            category=lapor.category("JALAN"),
            text=TEXT,
            lat=lat,
            lng=lng,
            photos_in=[_photo()],
            rate_limit=False,
        )
    page = client.get(
        reverse("reports:track", args=[result.report.tracking_number]) + f"?token={result.tracking_token}"
    )
    image = _doc(page).xpath("//img[contains(@class, 'kp-thumb')]")[0].get("src")
    assert f"token={result.tracking_token}" in image
    photo = client.get(image)
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"


def test_a_tracking_number_without_token(lapor, make_report, client):
    public = make_report(status="verified")
    response = client.get(reverse("reports:track", args=[public.tracking_number]))
    assert response.status_code == 302 and response["Location"] == links.public_path(public)
    private = make_report(privacy=Privacy.CONFIDENTIAL, status="verified")
    hidden = client.get(reverse("reports:track", args=[private.tracking_number]))
    assert hidden.status_code == 404 and private.title not in hidden.content.decode()


def test_tracking_look_up(lapor, make_report, client):
    report = make_report(privacy=Privacy.CONFIDENTIAL)
    lookup = reverse("reports:lookup")
    assert client.get(lookup).status_code == 200
    found = client.get(
        lookup, {"number": report.tracking_number.lower().replace("-", " "), "token": report.tracking_token}
    )
    assert found.status_code == 302 and found["Location"] == links.tracking_path(
        report.tracking_number, report.tracking_token
    )
    pasted = client.get(
        lookup, {"number": report.tracking_number, "token": f"https://x/?token={report.tracking_token}"}
    )
    assert pasted.status_code == 302
    unknown = client.get(lookup, {"number": report.tracking_number, "token": ""})
    assert unknown.status_code == 404 and "Tidak ada laporan yang dapat ditampilkan" in unknown.content.decode()
    garbled = client.get(lookup, {"number": "123"})
    assert "LPR-26-7K3QX9" in _error_of(garbled, "id_number")


# --- the platform's entry points -----------------------------------------------------------------------------


def test_the_navigation_and_the_home_page_lead_to_lapor(lapor, client, citizen_client):
    home = client.get("/").content.decode()
    assert f'href="{reverse("reports:create")}"' in home
    assert "Laporkan masalah" in home and "Lacak laporan" in home
    signed_in = _doc(citizen_client.get("/"))
    # "My reports" is personal: in the account menu (and a home tile), not in the bar.
    assert signed_in.xpath(f"//*[contains(@class, 'dropdown-menu')]//a[@href='{reverse('reports:mine')}']")
    assert not signed_in.xpath(f"//ul[contains(@class, 'navbar-nav')]/li/a[@href='{reverse('reports:mine')}']")


def test_the_form_paints_with_inlined_css_and_loads_the_full_sheets_after_the_content(lapor, client):
    body = client.get(FORM).content.decode()
    head, rest = body.split("</head>", 1)
    assert "<style>" in head and ".form-select{" in head and ".kp-step-no{" in head
    assert 'rel="stylesheet"' not in head  # nothing blocks the first paint
    assert rest.index('id="submit-report"') < rest.index("bootstrap.min.css") < rest.index("report-form.js")
    assert all(f'src="/static/{s}" defer' in rest for s in ("vendor/leaflet/leaflet.js", "reports/report-form.js"))


def test_the_portals_my_services_page_lists_my_reports(lapor, citizen, citizen_client, make_report):
    report = make_report(reporter=citizen, status="resolved")
    page = citizen_client.get(reverse("portal:mine")).content.decode()
    assert report.tracking_number in page and reverse("reports:detail", args=[report.tracking_number]) in page
    assert "Perlu tindakan Anda" in page


def test_each_category_option_carries_its_usual_kind(lapor, client):
    doc = _doc(client.get(FORM))
    assert doc.xpath("//option[@value='ASPIRASI']")[0].get("data-kind") == "aspiration"
    assert doc.xpath("//option[@value='JALAN']")[0].get("data-kind") == "complaint"
