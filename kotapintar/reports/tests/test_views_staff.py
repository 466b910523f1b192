"""Staff pages of Lapor: verifier desk, agency inbox, a report's staff page, overview.

What a member of staff would check: the queue's order and badges, that every action does
what its button says (through the service: audit row, timeline), that domain errors read
as Indonesian messages, that hidden rows answer 404, that an anonymous reporter stays
hidden from agencies, that internal notes never leave the staff pages.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kotapintar.core import calendar
from kotapintar.core.models import AuditLog
from kotapintar.reports import desk_selectors, services
from kotapintar.reports.models import Follower, Privacy, Report, ReportEvent, ReportPhoto, Status, Visibility
from kotapintar.testing.reports import upload

pytestmark = pytest.mark.django_db

SECRET_NAME = "Rahasiawati Pelapor"
SECRET_EMAIL = "rahasia.pelapor@example.test"
SECRET_PHONE = "081234567890"


def url(name: str, report: Report | None = None, **query) -> str:
    path = reverse(f"reports:{name}", kwargs={"tracking_number": report.tracking_number} if report else {})
    if query:
        from urllib.parse import urlencode

        path += "?" + urlencode(query)
    return path


def html(response) -> str:
    return response.content.decode()


def rows(response) -> list[str]:
    return re.findall(r'data-testid="report-row" data-tracking="([^"]+)"', html(response))


def set_due(report: Report, due: dt.datetime) -> None:
    """Arrange a deadline (as if time had passed since the report was filed)."""
    Report.objects.filter(pk=report.pk).update(due_at=due, verify_due=due)


@pytest.fixture
def desk(staff_client, verifier):
    return staff_client(verifier)


@pytest.fixture
def dpu(staff_client, officer):
    return staff_client(officer)


# --- who may open the pages ------------------------------------------------------------------


def test_pages_answer_404_to_residents_and_send_visitors_to_sign_in(lapor, make_report, citizen_client):
    report = make_report()
    for name in ("staff_triage", "staff_inbox", "staff_overview"):
        assert citizen_client.get(url(name)).status_code == 404
        anonymous = Client().get(url(name))
        assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert citizen_client.get(url("staff_detail", report)).status_code == 404


def test_staff_without_the_second_factor_are_sent_to_it(lapor, verifier):
    client = Client()
    client.force_login(verifier, backend="kotapintar.accounts.backends.EmailOrPhoneBackend")
    response = client.get(url("staff_triage"))
    assert response.status_code == 302 and "/accounts/2fa/" in response["Location"]


def test_a_report_of_another_agency_is_404_not_403(lapor, make_report, staff_client, other_officer):
    report = make_report(status="dispositioned")  # DPU's
    dlh = staff_client(other_officer)
    assert dlh.get(url("staff_detail", report)).status_code == 404
    assert dlh.post(url("staff_note", report), {"note-text": "x"}).status_code == 404
    assert dlh.post(url("staff_resolve", report), {"resolve-text": "x"}).status_code == 404
    assert not ReportEvent.objects.filter(report=report, kind="note").exists()
    assert report.tracking_number not in html(dlh.get(url("staff_inbox")))


def test_a_visible_report_the_user_may_not_change_answers_403_with_a_message(lapor, make_report, dpu):
    report = make_report(status="dispositioned")
    response = dpu.post(url("staff_verify", report), {})
    assert response.status_code == 403
    assert "Hanya petugas verifikasi yang dapat melakukan ini." in html(response)


# --- the verifier desk --------------------------------------------------------------------------


def test_triage_queue_puts_overdue_first_then_the_nearest_deadline(lapor, make_report, desk):
    now = timezone.now()
    later = make_report(text="Lampu jalan mati di Jalan Pahlawan sejak seminggu.", category="PJU")
    soon = make_report(text="Got mampet di depan pasar, air meluap ke jalan.", category="DRAINASE")
    late = make_report(text="Sampah menumpuk di TPS liar dekat sungai.", category="SAMPAH")
    routed = make_report(status="dispositioned")
    set_due(later, calendar.add_working_days(now, 3))
    set_due(soon, calendar.end_of_day(timezone.localdate()))
    set_due(late, now - dt.timedelta(days=2))

    response = desk.get(url("staff_triage"))
    assert response.status_code == 200
    assert rows(response) == [late.tracking_number, soon.tracking_number, later.tracking_number]
    assert routed.tracking_number not in rows(response)
    page = html(response)
    states = re.findall(r'data-testid="deadline" data-state="(\w+)"', page)
    assert states[:3] == ["overdue", "due_soon", "on_time"]
    assert "terlambat" in page.lower()


def test_triage_filters_by_category_and_overdue(lapor, make_report, desk):
    road = make_report()
    waste = make_report(text="Sampah menumpuk di TPS liar dekat sungai.", category="SAMPAH")
    set_due(waste, timezone.now() - dt.timedelta(hours=1))
    assert rows(desk.get(url("staff_triage", category="SAMPAH"))) == [waste.tracking_number]
    assert rows(desk.get(url("staff_triage", overdue="on"))) == [waste.tracking_number]
    assert rows(desk.get(url("staff_triage", q=road.tracking_number))) == [road.tracking_number]


def test_lists_page_by_keyset_without_repeating_or_losing_rows(lapor, make_report, desk, monkeypatch):
    made = [make_report(text=f"Jalan berlubang nomor {i} di depan sekolah dasar.") for i in range(5)]
    monkeypatch.setattr(desk_selectors, "PAGE_SIZE", 2)
    seen: list[str] = []
    response = desk.get(url("staff_triage"))
    pages = 0
    while True:
        seen += rows(response)
        pages += 1
        assert ("Kembali ke awal" in html(response)) == (pages > 1)
        more = re.search(r'<a [^\n]*?href="([^"]+)"[^\n]*data-testid="more"', html(response))
        if not more:
            break
        response = desk.get(more.group(1).replace("&amp;", "&"))
    assert sorted(seen) == sorted(r.tracking_number for r in made)
    assert len(seen) == len(set(seen)) == 5


@pytest.mark.parametrize("sort", sorted(desk_selectors.SORTS))
def test_keyset_pages_follow_the_full_ordering_with_empty_deadlines(lapor, make_report, verifier, sort):
    made = [make_report(text=f"Jalan berlubang nomor {i} di depan sekolah.") for i in range(6)]
    same = timezone.now() + dt.timedelta(days=2)
    Report.objects.filter(pk__in=[made[0].pk, made[1].pk, made[2].pk]).update(due_at=same)
    Report.objects.filter(pk__in=[made[3].pk, made[4].pk]).update(due_at=None)
    qs = Report.objects.filter(pk__in=[r.pk for r in made])
    expected = list(qs.order_by(*desk_selectors._order_by(desk_selectors.SORTS[sort])).values_list("pk", flat=True))
    got, cursor = [], None
    for _round in range(10):
        page = desk_selectors.keyset_page(qs, sort, cursor, size=4 if sort == "due" else 2)
        got += [r.pk for r in page.rows]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert got == expected
    nulls_at = [expected.index(made[3].pk), expected.index(made[4].pk)]
    if sort == "due":
        assert sorted(nulls_at) == [4, 5]  # no deadline: last
    # A tampered cursor restarts the list instead of failing.
    assert [r.pk for r in desk_selectors.keyset_page(qs, sort, "bm90IGpzb24", size=2).rows] == expected[:2]


def test_desk_sees_text_place_suggestions_and_ranked_duplicates(lapor, make_report, desk):
    original = make_report(text="Jalan berlubang besar di depan SD Pleburan, motor sering jatuh.")
    report = make_report(text="Ada lubang besar di jalan depan SD Pleburan, bahaya untuk motor.")
    response = desk.get(url("staff_detail", report))
    assert response.status_code == 200
    page = html(response)
    assert "bahaya untuk motor" in page
    assert 'data-testid="village">Pleburan' in page
    assert 'data-testid="district">Semarang Selatan' in page
    assert re.search(r'data-testid="suggestions".*?data-code="JALAN"', page, re.S)
    duplicates = page[page.index('data-testid="duplicates"') :]
    assert original.tracking_number in duplicates
    assert "kategori sama" in duplicates and " m" in duplicates
    assert 'id="report-map"' in page


def test_verify_with_a_category_correction(lapor, make_report, desk, verifier):
    report = make_report(text="Lampu jalan mati di gang tiga, gelap sekali malam hari.")
    response = desk.post(url("staff_verify", report), {"verify-category": "PJU", "verify-note": "Terima kasih."})
    assert response.status_code == 302 and response["Location"] == url("staff_detail", report)
    report.refresh_from_db()
    assert report.status == Status.VERIFIED and report.category.code == "PJU"
    assert AuditLog.objects.filter(action="report.verify", object_id=str(report.pk), actor=verifier).exists()
    page = html(desk.get(url("staff_detail", report)))
    assert "Laporan sudah diverifikasi." in page


def test_a_wrong_step_is_shown_as_a_clear_indonesian_message(lapor, make_report, desk):
    report = make_report(status="verified")
    response = desk.post(url("staff_verify", report), {})
    assert response.status_code == 409
    assert "tidak dapat diubah menjadi" in html(response)


def test_set_aside_needs_a_reason_from_the_list(lapor, make_report, desk):
    report = make_report()
    response = desk.post(url("staff_set_aside", report), {"aside-note": "Bukan kewenangan kota."})
    assert response.status_code == 400
    page = html(response)
    assert 'aria-invalid="true"' in page and 'id="id_aside-reason_error"' in page
    assert "<details" in page and 'data-testid="action-set_aside"' in page
    assert Report.objects.get(pk=report.pk).status == Status.SUBMITTED

    response = desk.post(
        url("staff_set_aside", report), {"aside-reason": "not_city_authority", "aside-note": "Jalan nasional."}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Status.SET_ASIDE and report.set_aside_reason == "not_city_authority"
    timeline = html(desk.get(url("staff_detail", report)))
    assert "Bukan kewenangan Pemerintah Kota" in timeline or "kewenangan" in timeline


def test_recategorise_from_a_suggestion(lapor, make_report, desk):
    report = make_report(text="Sampah menumpuk di pinggir jalan, truk sampah tidak datang seminggu.")
    response = desk.post(url("staff_recategorise", report), {"category-category": "SAMPAH"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.category.code == "SAMPAH"


def test_disposition_preselects_the_default_agency_and_routes_to_several(lapor, make_report, desk):
    report = make_report(text="Got mampet di depan pasar, air meluap ke jalan.", category="DRAINASE")
    page = html(desk.get(url("staff_detail", report)))
    selected = re.search(r'<select name="route-agency"[^>]*>.*?</select>', page, re.S).group(0)
    assert re.search(r'<option value="DPU" selected>', selected)

    response = desk.post(
        url("staff_disposition", report), {"route-agency": "DPU", "route-others": ["DLH"], "route-note": "Segera."}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Status.DISPOSITIONED and report.responsible_agency.code == "DPU"
    assert sorted(report.dispositions.values_list("agency__code", flat=True)) == ["DLH", "DPU"]
    assert report.due_at is not None


def test_disposition_without_an_agency_is_refused_next_to_the_field(lapor, make_report, desk):
    report = make_report()
    response = desk.post(url("staff_disposition", report), {"route-agency": ""})
    assert response.status_code == 400
    assert 'id="id_route-agency_error"' in html(response)


def test_merge_moves_followers_to_the_original_and_tells_them(lapor, make_report, desk, citizen, make_user):
    original = make_report(status="verified")
    duplicate = make_report(status="verified", text="Lubang di jalan depan SD, sudah lama belum ditambal.")
    neighbour = make_user(full_name="Tetangga")
    services.report_follow(user=neighbour, report=duplicate, supports=True)
    response = desk.post(
        url("staff_merge", duplicate),
        {"merge-duplicate": duplicate.tracking_number, "merge-original": original.tracking_number},
    )
    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.status == Status.MERGED and duplicate.duplicate_of_id == original.pk
    assert Follower.objects.filter(report=original, user=neighbour).exists()
    assert neighbour.notifications.filter(kind="reports.merged").exists()


def test_merge_into_an_unknown_report_is_refused_on_the_field(lapor, make_report, desk):
    report = make_report()
    response = desk.post(
        url("staff_merge", report), {"merge-duplicate": report.tracking_number, "merge-original": "LPR-00-ZZZZZZ"}
    )
    assert response.status_code == 400
    assert 'id="id_merge-original_error"' in html(response)
    assert Report.objects.get(pk=report.pk).status == Status.SUBMITTED


def test_the_desk_makes_a_report_confidential(lapor, make_report, desk, api):
    report = make_report(status="verified", privacy=Privacy.PUBLIC)
    assert api.get(f"/api/v1/public/reports/{report.tracking_number}/").status_code == 200
    response = desk.post(url("staff_privacy", report), {"privacy-privacy": "confidential"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.privacy == Privacy.CONFIDENTIAL and not report.is_public
    assert api.get(f"/api/v1/public/reports/{report.tracking_number}/").status_code == 404
    assert AuditLog.objects.filter(action="report.privacy", object_id=str(report.pk)).exists()


# --- reporters' identities --------------------------------------------------------------------


@pytest.fixture
def anonymous_report(make_report):
    return make_report(
        status="dispositioned",
        privacy=Privacy.ANONYMOUS,
        reporter_name=SECRET_NAME,
        reporter_email=SECRET_EMAIL,
        reporter_phone=SECRET_PHONE,
    )


def _identity_absent(text: str) -> None:
    for secret in (SECRET_NAME, SECRET_EMAIL, "81234567890", "0812 3456 7890"):
        assert secret not in text


def test_anonymous_reporter_is_not_shown_to_agency_staff(lapor, anonymous_report, dpu, staff_client, agency_head):
    for client in (dpu, staff_client(agency_head)):
        page = html(client.get(url("staff_detail", anonymous_report)))
        assert 'data-testid="reporter-hidden"' in page
        _identity_absent(page)
        _identity_absent(html(client.get(url("staff_inbox"))))
        export = b"".join(client.get(url("staff_inbox", export="csv")).streaming_content).decode()
        assert anonymous_report.tracking_number in export
        _identity_absent(export)
        # Agency staff cannot ask to see the reporter either.
        response = client.post(url("staff_reveal_reporter", anonymous_report), {"reveal-reason": "ingin tahu"})
        assert response.status_code == 403
        _identity_absent(html(response))


def test_anonymous_reporter_who_has_an_account_is_not_named_in_the_agency_timeline(lapor, make_report, citizen, dpu):
    report = make_report(status="dispositioned", reporter=citizen, privacy=Privacy.ANONYMOUS)
    page = html(dpu.get(url("staff_detail", report)))
    assert citizen.full_name not in page and citizen.email not in page


def test_the_desk_sees_an_anonymous_reporter_only_on_an_audited_request(lapor, anonymous_report, desk, verifier):
    page = html(desk.get(url("staff_detail", anonymous_report)))
    _identity_absent(page)
    assert 'data-testid="action-reveal"' in page

    refused = desk.post(url("staff_reveal_reporter", anonymous_report), {"reveal-reason": "  "})
    assert refused.status_code == 400
    _identity_absent(html(refused))
    assert not AuditLog.objects.filter(action="report.reveal_reporter").exists()

    response = desk.post(
        url("staff_reveal_reporter", anonymous_report), {"reveal-reason": "Perlu konfirmasi lokasi tepat."}
    )
    assert response.status_code == 200
    page = html(response)
    assert SECRET_NAME in page and SECRET_EMAIL in page
    row = AuditLog.objects.get(action="report.reveal_reporter", object_id=str(anonymous_report.pk))
    assert row.actor == verifier and row.after["reason"] == "Perlu konfirmasi lokasi tepat."
    # Shown for that answer only: the page hides it again.
    _identity_absent(html(desk.get(url("staff_detail", anonymous_report))))


def test_a_public_reporter_is_shown_to_the_agency(lapor, make_report, dpu, citizen):
    report = make_report(status="dispositioned", reporter=citizen, privacy=Privacy.PUBLIC)
    page = html(dpu.get(url("staff_detail", report)))
    assert 'data-testid="reporter-identity"' in page and citizen.full_name in page


# --- the agency -----------------------------------------------------------------------------------


def test_internal_note_is_marked_on_staff_pages_and_never_public(lapor, make_report, dpu, api_as, api):
    report = make_report(status="in_progress", privacy=Privacy.PUBLIC)
    secret = "Kontraktor lama bermasalah, jangan dipakai lagi."
    response = dpu.post(url("staff_note", report), {"note-text": secret})
    assert response.status_code == 302
    page = html(dpu.get(url("staff_detail", report)))
    entry = re.search(r'<li[^>]*data-kind="note" data-visibility="internal">.*?</li>', page, re.S).group(0)
    assert secret in entry and 'data-testid="internal-mark"' in entry
    assert ReportEvent.objects.get(report=report, kind="note").visibility == Visibility.INTERNAL

    public = api.get(f"/api/v1/public/reports/{report.tracking_number}/")
    assert public.status_code == 200 and report.tracking_number in public.content.decode()
    assert secret not in public.content.decode()
    assert secret not in api.get("/api/v1/public/reports/").content.decode()
    reporter_view = api.get(f"/api/v1/reports/{report.tracking_number}/", {"token": report.tracking_token})
    assert reporter_view.status_code == 200 and secret not in reporter_view.content.decode()
    # The web pages: the public report page and the reporter's tracking page.
    public_page = Client().get(reverse("reports:public_detail", kwargs={"tracking_number": report.tracking_number}))
    assert public_page.status_code == 200 and "Petugas sudah meninjau lokasi." in html(public_page)
    assert secret not in html(public_page)
    tracking = Client().get(
        reverse("reports:track", kwargs={"tracking_number": report.tracking_number}), {"token": report.tracking_token}
    )
    assert tracking.status_code == 200 and report.tracking_number in html(tracking)
    assert secret not in html(tracking)


def test_follow_up_with_before_and_after_photos(lapor, make_report, dpu, jpeg_bytes):
    report = make_report(status="dispositioned")
    response = dpu.post(
        url("staff_follow_up", report),
        {
            "followup-text": "Tim sudah meninjau dan akan menambal besok.",
            "followup-photos_before": [upload(jpeg_bytes(), "sebelum.jpg")],
            "followup-photos_after": [upload(jpeg_bytes(), "sesudah1.jpg"), upload(jpeg_bytes(), "sesudah2.jpg")],
        },
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Status.IN_PROGRESS and report.first_response_at is not None
    event = ReportEvent.objects.get(report=report, kind="follow_up")
    assert event.visibility == Visibility.PUBLIC
    assert sorted(ReportPhoto.objects.filter(event=event).values_list("kind", flat=True)) == [
        "after",
        "after",
        "before",
    ]
    page = html(dpu.get(url("staff_detail", report)))
    assert "akan menambal besok" in page and 'alt="Foto sebelum 1"' in page


def test_a_file_that_is_not_a_photo_is_refused_next_to_the_field(lapor, make_report, dpu):
    report = make_report(status="dispositioned")
    response = dpu.post(
        url("staff_follow_up", report),
        {"followup-text": "Sudah dicek.", "followup-photos_after": [upload(b"%PDF-1.4 bukan foto", "foto.jpg")]},
    )
    assert response.status_code == 400
    assert 'id="id_followup-photos_after_error"' in html(response)
    assert not ReportEvent.objects.filter(report=report, kind="follow_up").exists()


def test_resolve_requires_a_public_note(lapor, make_report, dpu):
    report = make_report(status="in_progress")
    response = dpu.post(url("staff_resolve", report), {"resolve-text": "   "})
    assert response.status_code == 400
    assert 'id="id_resolve-text_error"' in html(response)
    assert Report.objects.get(pk=report.pk).status == Status.IN_PROGRESS

    response = dpu.post(url("staff_resolve", report), {"resolve-text": "Lubang sudah ditambal aspal baru."})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Status.RESOLVED
    assert ReportEvent.objects.get(report=report, kind="resolved").text == "Lubang sudah ditambal aspal baru."


def test_assign_request_information_and_reroute(lapor, make_report, staff_client, agency_head, officer):
    head = staff_client(agency_head)
    report = make_report(status="dispositioned")
    page = html(head.get(url("staff_detail", report)))
    assert f'<option value="{officer.pk}">{officer.full_name}</option>' in page

    assert head.post(url("staff_assign", report), {"assign-officer": officer.pk}).status_code == 302
    report.refresh_from_db()
    assert report.assigned_to == officer
    assert f"Kepada {officer.full_name}" in html(head.get(url("staff_detail", report)))

    assert head.post(url("staff_request_info", report), {"ask-text": "Di RT berapa tepatnya?"}).status_code == 302
    report.refresh_from_db()
    assert report.awaiting_reporter

    response = head.post(url("staff_reroute", report), {"reroute-to_agency": "DLH", "reroute-reason": ""})
    assert response.status_code == 400 and 'id="id_reroute-reason_error"' in html(response)
    response = head.post(
        url("staff_reroute", report), {"reroute-to_agency": "DLH", "reroute-reason": "Ini urusan saluran limbah."}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.responsible_agency.code == "DLH"
    row = AuditLog.objects.get(action="report.reroute", object_id=str(report.pk))
    assert row.actor == agency_head and row.after["reason"] == "Ini urusan saluran limbah."
    # DPU still reads the report it once had, but may no longer act on it.
    page = html(head.get(url("staff_detail", report)))
    assert 'data-testid="action-resolve"' not in page
    assert head.post(url("staff_resolve", report), {"resolve-text": "Selesai."}).status_code == 403


def test_inbox_lists_my_agencys_reports_with_filters(lapor, make_report, dpu, officer):
    mine = make_report(status="dispositioned")
    drain = make_report(status="in_progress", category="DRAINASE", text="Got mampet di depan pasar, air meluap.")
    done = make_report(status="resolved")
    waste = make_report(status="dispositioned", category="SAMPAH", text="Sampah menumpuk di TPS liar.")
    waiting = make_report()

    listed = rows(dpu.get(url("staff_inbox")))
    assert set(listed) == {mine.tracking_number, drain.tracking_number}
    assert waste.tracking_number not in listed and waiting.tracking_number not in listed
    assert rows(dpu.get(url("staff_inbox", category="DRAINASE"))) == [drain.tracking_number]
    assert rows(dpu.get(url("staff_inbox", status="resolved"))) == [done.tracking_number]
    assert done.tracking_number in rows(dpu.get(url("staff_inbox", status="all")))
    district = Report.objects.get(pk=mine.pk).district_id
    assert set(rows(dpu.get(url("staff_inbox", district=district)))) == {mine.tracking_number, drain.tracking_number}
    elsewhere = next(d.code for d in lapor.city.districts if d.code != district)
    assert rows(dpu.get(url("staff_inbox", district=elsewhere))) == []
    today = timezone.localdate().isoformat()
    assert len(rows(dpu.get(url("staff_inbox", created_from=today, created_to=today)))) == 2
    assert rows(dpu.get(url("staff_inbox", created_to="2000-01-01"))) == []
    # A date that is not one is pointed out; the other filters still apply.
    response = dpu.get(url("staff_inbox", created_from="kemarin", category="DRAINASE"))
    assert rows(response) == [drain.tracking_number]
    assert 'id="id_created_from_error"' in html(response)
    services.report_assign(actor=officer, report=mine, officer=officer)
    assert rows(dpu.get(url("staff_inbox", assigned="me"))) == [mine.tracking_number]
    assert rows(dpu.get(url("staff_inbox", assigned="none"))) == [drain.tracking_number]
    newest = rows(dpu.get(url("staff_inbox", sort="newest")))
    assert newest == [drain.tracking_number, mine.tracking_number]


def test_agency_head_sees_escalations(lapor, make_report, staff_client, agency_head, dpu):
    late = make_report(status="dispositioned")
    make_report(status="dispositioned", text="Jalan retak di ujung gang, belum parah.")
    far = calendar.add_working_days(late.due_at, 2) + dt.timedelta(hours=1)
    assert services.report_escalate(report=late, now=far) == 2
    head = staff_client(agency_head)
    page = html(head.get(url("staff_inbox")))
    assert 'data-testid="escalated-count"' in page
    assert rows(head.get(url("staff_inbox", escalated="on"))) == [late.tracking_number]
    detail = html(head.get(url("staff_detail", late)))
    assert "Dinaikkan ke kepala OPD" in detail or 'data-testid="escalation"' in detail
    card = html(head.get(reverse("core:staff_home")))
    assert 'data-testid="inbox-card"' in card


def test_bulk_assign_in_the_inbox(lapor, make_report, dpu, officer, other_officer):
    first = make_report(status="dispositioned")
    second = make_report(status="in_progress", text="Jalan retak di ujung gang, belum parah.")
    foreign = make_report(status="dispositioned", category="SAMPAH", text="Sampah menumpuk di TPS liar.")
    response = dpu.post(
        url("staff_inbox_bulk"),
        {
            "bulk-action": "assign",
            "bulk-officer": officer.pk,
            "bulk-reports": [first.tracking_number, second.tracking_number, foreign.tracking_number],
            "next": url("staff_inbox"),
        },
    )
    assert response.status_code == 302 and response["Location"] == url("staff_inbox")
    assert set(Report.objects.filter(assigned_to=officer).values_list("pk", flat=True)) == {first.pk, second.pk}
    assert Report.objects.get(pk=foreign.pk).assigned_to is None
    page = html(dpu.get(url("staff_inbox")))
    assert "Selesai untuk 2 laporan" in page and f"{foreign.tracking_number}: laporan tidak ditemukan" in page


def test_bulk_resolve_needs_the_text(lapor, make_report, dpu):
    report = make_report(status="in_progress")
    dpu.post(url("staff_inbox_bulk"), {"bulk-action": "resolve", "bulk-reports": [report.tracking_number]})
    assert Report.objects.get(pk=report.pk).status == Status.IN_PROGRESS
    dpu.post(
        url("staff_inbox_bulk"),
        {"bulk-action": "resolve", "bulk-text": "Semua sudah ditambal.", "bulk-reports": [report.tracking_number]},
    )
    assert Report.objects.get(pk=report.pk).status == Status.RESOLVED


def test_bulk_verify_and_route_at_the_desk(lapor, make_report, desk):
    first, second = make_report(), make_report(text="Jalan retak di ujung gang, belum parah.")
    desk.post(
        url("staff_triage_bulk"),
        {"bulk-action": "disposition", "bulk-reports": [first.tracking_number, second.tracking_number]},
    )
    assert (
        list(Report.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True))
        == [Status.DISPOSITIONED] * 2
    )


def test_inbox_export_csv_and_xlsx_hold_only_my_agencys_rows(lapor, make_report, dpu):
    from openpyxl import load_workbook

    mine = make_report(status="dispositioned")
    foreign = make_report(status="dispositioned", category="SAMPAH", text="Sampah menumpuk di TPS liar.")
    response = dpu.get(url("staff_inbox", export="csv"))
    assert response["Content-Type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert table[0][0] == "Nomor pelacakan"
    assert [r[0] for r in table[1:]] == [mine.tracking_number]
    assert foreign.tracking_number not in str(table)

    response = dpu.get(url("staff_inbox", export="xlsx"))
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    values = [row[0] for row in book.active.iter_rows(values_only=True)]
    assert values[1:] == [mine.tracking_number]


# --- timeline, audit, overview, home ----------------------------------------------------------------


def test_timeline_names_staff_to_staff_and_shows_the_audit_history(lapor, make_report, desk, dpu, officer):
    report = make_report(status="dispositioned")
    services.report_follow_up(actor=officer, report=report, text="Sudah kami cek ke lokasi.")
    page = html(desk.get(url("staff_detail", report)))
    entry = re.search(r'<li[^>]*data-kind="follow_up".*?</li>', page, re.S).group(0)
    assert officer.full_name in entry and "Dinas Pekerjaan Umum" in entry
    assert 'data-testid="audit-history"' in html(dpu.get(url("staff_detail", report)))


def test_leadership_overview_counts_and_reads_only(lapor, make_report, staff_client, leadership):
    make_report()
    make_report(status="dispositioned")
    resolved = make_report(status="resolved")
    client = staff_client(leadership)
    response = client.get(url("staff_overview"))
    assert response.status_code == 200
    page = html(response)
    by_status = dict(re.findall(r'<tr data-status="(\w+)"><td>[^<]*</td><td class="text-end">(\d+)</td>', page))
    assert by_status["submitted"] == "1" and by_status["dispositioned"] == "1" and by_status["resolved"] == "1"
    assert "Dinas Pekerjaan Umum" in page
    assert len(rows(response)) == 3
    assert rows(client.get(url("staff_overview", status="resolved"))) == [resolved.tracking_number]
    assert client.get(url("staff_detail", resolved)).status_code == 200
    assert 'data-testid="actions"' not in html(client.get(url("staff_detail", resolved)))
    assert client.post(url("staff_note", resolved), {"note-text": "x"}).status_code == 403
    assert 'data-testid="overview-card"' in html(client.get(reverse("core:staff_home")))


def test_staff_home_card_and_navigation_of_the_desk(lapor, make_report, desk):
    late = make_report()
    set_due(late, timezone.now() - dt.timedelta(hours=3))
    make_report(text="Jalan retak di ujung gang, belum parah.")
    page = html(desk.get(reverse("core:staff_home")))
    card = page[page.index('data-testid="triage-card"') :]
    assert "2 laporan menunggu" in card and 'data-testid="triage-overdue"' in card
    assert late.tracking_number in card
    assert f'href="{url("staff_triage")}"' in page
