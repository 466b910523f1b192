"""The desk, the agencies and the reporter: every service, its audit row, events and errors."""

from __future__ import annotations

import pytest

from kotapintar.core.errors import InvalidTransition, NotAllowed
from kotapintar.core.models import AuditLog, Notification
from kotapintar.reports import selectors, services
from kotapintar.reports.errors import ReportInvalid
from kotapintar.reports.models import (
    Disposition,
    EventKind,
    Follower,
    Privacy,
    Report,
    ReportEvent,
    SetAsideReason,
    Status,
    Visibility,
)
from kotapintar.testing.agencies import make_member, make_staff


def _events(report, kind=None):
    qs = ReportEvent.objects.filter(report=report)
    return list(qs.filter(kind=kind) if kind else qs)


def _audited(report, action):
    return AuditLog.objects.filter(action=f"report.{action}", object_id=str(report.pk)).exists()


# --- the desk ---------------------------------------------------------------------------------


def test_verify_makes_an_anonymous_report_public(make_report, verifier, citizen):
    report = make_report(reporter=citizen)
    report = services.report_verify(actor=verifier, report=report, note="Lengkap.")
    assert report.status == Status.VERIFIED and report.verified_at is not None
    assert report.is_public is True
    assert _audited(report, "verify")
    assert Notification.objects.filter(recipient=citizen, kind="reports.verified").exists()


def test_a_confidential_report_never_becomes_public(make_report, verifier):
    report = make_report(privacy=Privacy.CONFIDENTIAL)
    report = services.report_verify(actor=verifier, report=report)
    assert report.is_public is False


def test_only_the_desk_verifies(make_report, officer, citizen):
    report = make_report(reporter=citizen)
    for actor in (officer, citizen):
        with pytest.raises(NotAllowed):
            services.report_verify(actor=actor, report=report)
    assert Report.objects.get(pk=report.pk).status == Status.SUBMITTED


def test_set_aside_needs_a_listed_reason_and_tells_the_reporter(make_report, verifier, citizen):
    report = make_report(reporter=citizen)
    with pytest.raises(ReportInvalid) as caught:
        services.report_set_aside(actor=verifier, report=report, reason="bored")
    assert "alasan" in caught.value.message.lower()
    report = services.report_set_aside(
        actor=verifier, report=report, reason=SetAsideReason.OUT_OF_SCOPE, note="Silakan lapor ke kepolisian."
    )
    assert report.status == Status.SET_ASIDE and report.set_aside_reason == "out_of_scope"
    assert report.due_at is None and report.is_public is False
    event = _events(report, EventKind.SET_ASIDE)[0]
    assert event.visibility == Visibility.REPORTER and event.reason == "out_of_scope"
    message = Notification.objects.get(recipient=citizen, kind="reports.set_aside", channel="inbox")
    assert "Di luar lingkup" in message.body and "kepolisian" in message.body


def test_recategorise_moves_the_resolution_deadline(make_report, verifier, lapor):
    report = make_report(status="dispositioned")  # JALAN: 14 working days
    before = report.resolution_due
    report = services.report_recategorise(actor=verifier, report=report, category=lapor.category("PJU"))  # 5 days
    assert report.category.code == "PJU"
    assert report.resolution_due < before
    event = _events(report, EventKind.RECATEGORISED)[0]
    assert event.data == {"from": "JALAN", "to": "PJU"} and event.visibility == Visibility.PUBLIC
    assert _audited(report, "recategorise")


def test_disposition_defaults_to_the_category_agency_and_sets_deadlines(make_report, verifier, officer):
    report = make_report()  # still "submitted": verified in the same step
    report = services.report_disposition(actor=verifier, report=report)
    assert report.status == Status.DISPOSITIONED
    assert report.verified_at is not None
    assert report.responsible_agency.code == "DPU"
    assert report.response_due < report.resolution_due
    assert report.due_at == report.response_due
    assert [e.kind for e in _events(report)] == ["submitted", "verified", "dispositioned"]
    disposition = Disposition.objects.get(report=report)
    assert disposition.is_primary and disposition.state == Disposition.State.ACTIVE
    # The agency's staff are told in their inbox.
    assert Notification.objects.filter(recipient=officer, kind="reports.new_for_agency").exists()


def test_disposition_by_area_goes_to_the_kecamatan_office(make_report, verifier):
    report = make_report(category="LINGKUNGAN", village="Pleburan")
    report = services.report_disposition(actor=verifier, report=report)
    assert report.responsible_agency.kind == "kecamatan"
    assert report.responsible_agency.name == "Kecamatan Semarang Selatan"


def test_category_without_default_needs_a_choice(make_report, verifier, lapor):
    report = make_report(category="LAINNYA")
    with pytest.raises(ReportInvalid) as caught:
        services.report_disposition(actor=verifier, report=report)
    assert "agencies" in caught.value.fields
    assert Report.objects.get(pk=report.pk).status == Status.SUBMITTED
    report = services.report_disposition(
        actor=verifier, report=report, agencies=[lapor.agency("DLH"), lapor.agency("DPU")]
    )
    rows = list(Disposition.objects.filter(report=report).order_by("-is_primary"))
    assert [(d.agency.code, d.is_primary) for d in rows] == [("DLH", True), ("DPU", False)]
    assert report.responsible_agency.code == "DLH"


def test_supporting_agency_sees_the_report_in_its_inbox(make_report, verifier, officer, other_officer, lapor):
    report = make_report(status="dispositioned")  # DPU
    services.report_disposition(actor=verifier, report=report, agencies=[lapor.agency("DLH")])
    assert report in selectors.agency_inbox(other_officer)
    assert report in selectors.agency_inbox(officer)
    with pytest.raises(ReportInvalid):
        services.report_disposition(actor=verifier, report=report, agencies=[lapor.agency("DLH")])


def test_merge_moves_followers_and_tells_them(make_report, verifier, citizen, make_user):
    original = make_report(status="dispositioned")
    duplicate = make_report(reporter=citizen, status="verified", text="Aspal jalan rusak parah dekat SD.")
    fan = make_user(full_name="Penggemar")
    services.report_support(user=fan, report=duplicate)
    merged = services.report_merge(actor=verifier, report=duplicate, into=original, note="Lokasi sama.")
    assert merged.status == Status.MERGED and merged.duplicate_of_id == original.pk
    original.refresh_from_db()
    followers = set(Follower.objects.filter(report=original).values_list("user_id", flat=True))
    assert followers == {fan.pk, citizen.pk}  # the duplicate's reporter supports the original now
    assert original.support_count == 2
    assert Notification.objects.filter(recipient=fan, kind="reports.merged").exists()
    assert Notification.objects.filter(recipient=citizen, kind="reports.merged").exists()
    assert _audited(merged, "merge")
    with pytest.raises(InvalidTransition):
        services.report_merge(actor=verifier, report=original, into=merged)


def test_merge_into_itself_is_refused(make_report, verifier):
    report = make_report()
    with pytest.raises(ReportInvalid):
        services.report_merge(actor=verifier, report=report, into=report)


# --- the agency -------------------------------------------------------------------------------


def test_agency_handles_a_report_end_to_end(make_report, officer, agency_head, citizen, commit):
    report = make_report(reporter=citizen, status="dispositioned")
    report = services.report_assign(actor=agency_head, report=report, officer=officer)
    assert report.assigned_to == officer
    assert Notification.objects.filter(recipient=officer, kind="reports.assigned").exists()

    services.report_note(actor=officer, report=report, text="Perlu alat berat, koordinasi dengan UPTD.")
    event = services.report_follow_up(actor=officer, report=report, text="Tim meninjau lokasi besok pagi.")
    report.refresh_from_db()
    assert report.status == Status.IN_PROGRESS and report.first_response_at is not None
    assert report.due_at == report.resolution_due
    assert event.agency.code == "DPU" and event.visibility == Visibility.PUBLIC
    assert Notification.objects.filter(recipient=citizen, kind="reports.follow_up").exists()

    report = services.report_resolve(actor=officer, report=report, text="Lubang sudah ditambal aspal.")
    assert report.status == Status.RESOLVED
    assert report.resolved_on_time is True
    assert report.auto_close_due is not None and report.due_at is None
    assert not Disposition.objects.filter(report=report, state="active").exists()
    # The public sees agency names, never staff names; the internal note stays internal.
    public = selectors.timeline(report, None)
    assert "note" not in [e.kind for e in public] and "assigned" not in [e.kind for e in public]
    assert all(e.actor_name == "" for e in public)
    staff = selectors.timeline(report, agency_head)
    assert any(e.kind == "note" and e.actor_name == "Budi Petugas" for e in staff)


def test_another_agency_cannot_act_and_cannot_even_see(make_report, other_officer):
    report = make_report(status="dispositioned")  # DPU
    assert not selectors.reports_visible(other_officer).filter(pk=report.pk).exists()
    with pytest.raises(NotAllowed):
        services.report_follow_up(actor=other_officer, report=report, text="Bukan urusan kami")
    assert not _events(report, EventKind.FOLLOW_UP)


def test_leadership_reads_but_does_not_act(make_report, leadership):
    report = make_report(status="dispositioned")
    assert selectors.reports_visible(leadership).filter(pk=report.pk).exists()
    with pytest.raises(NotAllowed):
        services.report_resolve(actor=leadership, report=report, text="Selesai")


def test_assign_only_to_members_of_the_agency(make_report, agency_head, other_officer):
    report = make_report(status="dispositioned")
    with pytest.raises(ReportInvalid) as caught:
        services.report_assign(actor=agency_head, report=report, officer=other_officer)
    assert "bukan anggota aktif" in caught.value.message
    assert Report.objects.get(pk=report.pk).assigned_to is None


def test_follow_up_and_resolve_need_text(make_report, officer):
    report = make_report(status="dispositioned")
    with pytest.raises(ReportInvalid):
        services.report_follow_up(actor=officer, report=report, text="  ")
    with pytest.raises(ReportInvalid) as caught:
        services.report_resolve(actor=officer, report=report, text="")
    assert "publik" in caught.value.message
    assert Report.objects.get(pk=report.pk).status == Status.DISPOSITIONED


def test_reroute_hands_over_with_a_reason(make_report, officer, other_officer, lapor):
    report = make_report(status="dispositioned")
    services.report_assign(actor=officer, report=report, officer=officer)
    with pytest.raises(ReportInvalid):
        services.report_reroute(actor=officer, report=report, to_agency=lapor.agency("DLH"), reason="")
    report = services.report_reroute(
        actor=officer, report=report, to_agency=lapor.agency("DLH"), reason="Ini tumpukan sampah, bukan jalan."
    )
    assert report.responsible_agency.code == "DLH" and report.assigned_to is None
    states = dict(Disposition.objects.filter(report=report).values_list("agency__code", "state"))
    assert states == {"DPU": "rerouted", "DLH": "active"}
    event = _events(report, EventKind.REROUTED)[0]
    assert event.visibility == Visibility.PUBLIC and event.data == {"from": "DPU", "to": "DLH"}
    assert _audited(report, "reroute")
    # DLH may act now; DPU keeps read access to what it handled, but may no longer act.
    services.report_follow_up(actor=other_officer, report=report, text="Diangkut besok.")
    assert selectors.reports_visible(officer).filter(pk=report.pk).exists()
    with pytest.raises(NotAllowed):
        services.report_follow_up(actor=officer, report=report, text="x")


def test_a_supporting_agency_cannot_resolve(make_report, verifier, other_officer, lapor):
    report = make_report(status="dispositioned")
    services.report_disposition(actor=verifier, report=report, agencies=[lapor.agency("DLH")])
    services.report_follow_up(actor=other_officer, report=report, text="Sampah di lokasi sudah diangkut.")
    with pytest.raises(NotAllowed):
        services.report_resolve(actor=other_officer, report=report, text="Selesai")


# --- the reporter -----------------------------------------------------------------------------


def test_request_info_and_reply_by_tracking_link(make_report, officer):
    report = make_report(status="dispositioned", reporter_phone="0812 3456 7890")
    services.report_request_info(actor=officer, report=report, text="Mohon kirim foto lokasi yang lebih jelas.")
    assert Report.objects.get(pk=report.pk).awaiting_reporter
    # Without an account the person is told on WhatsApp, with the link.
    whatsapp = Notification.objects.get(channel="whatsapp", kind="reports.info_requested")
    assert whatsapp.address == "+6281234567890"
    with pytest.raises(NotAllowed):
        services.report_reply(report=report, text="ini jawabannya", token="salah")
    event = services.report_reply(report=report, text="Lokasinya di depan warung Bu Sri.", token=report.tracking_token)
    assert event.visibility == Visibility.REPORTER
    assert not Report.objects.get(pk=report.pk).awaiting_reporter


def test_confirm_rate_once(make_report, citizen):
    report = make_report(reporter=citizen, status="resolved")
    with pytest.raises(NotAllowed):
        services.report_rate(report=report, rating=5, actor=None, token=None)
    with pytest.raises(ReportInvalid):
        services.report_rate(report=report, rating=9, actor=citizen)
    report = services.report_rate(report=report, rating=4, comment="Cepat, terima kasih.", actor=citizen)
    assert report.rating == 4
    with pytest.raises(InvalidTransition):
        services.report_rate(report=report, rating=5, actor=citizen)
    report = services.report_confirm(report=report, actor=citizen)
    assert report.status == Status.CLOSED and report.reopen_until is not None


def test_rating_before_resolution_is_refused(make_report, citizen):
    report = make_report(reporter=citizen, status="in_progress")
    with pytest.raises(InvalidTransition):
        services.report_rate(report=report, rating=3, actor=citizen)


def test_reopen_gives_the_agency_a_new_deadline(make_report, citizen, officer):
    report = make_report(reporter=citizen, status="resolved")
    with pytest.raises(ReportInvalid):
        services.report_reopen(report=report, reason="", actor=citizen)
    report = services.report_reopen(report=report, reason="Lubangnya muncul lagi setelah hujan.", actor=citizen)
    assert report.status == Status.IN_PROGRESS and report.reopen_count == 1
    assert report.resolved_at is None and report.due_at == report.resolution_due
    assert Disposition.objects.filter(report=report, agency__code="DPU", state="active").exists()
    assert Notification.objects.filter(recipient=officer, kind="reports.reopened").exists()
    public_kinds = [e.kind for e in selectors.timeline(report, None)]
    assert "reopened" in public_kinds and "reporter_reply" not in public_kinds


def test_someone_else_cannot_reopen(make_report, citizen, make_user):
    report = make_report(reporter=citizen, status="resolved")
    with pytest.raises(NotAllowed):
        services.report_reopen(report=report, reason="bukan punya saya", actor=make_user())


def test_follow_and_support(make_report, citizen, make_user):
    report = make_report(reporter=citizen, status="dispositioned")
    neighbour = make_user(full_name="Tetangga")
    with pytest.raises(InvalidTransition):
        services.report_follow(user=citizen, report=report)  # the reporter is told anyway
    services.report_follow(user=neighbour, report=report)
    report.refresh_from_db()
    assert (report.follower_count, report.support_count) == (1, 0)
    services.report_support(user=neighbour, report=report)
    services.report_support(user=neighbour, report=report)  # twice counts once
    report.refresh_from_db()
    assert (report.follower_count, report.support_count) == (1, 1)
    assert len(_events(report, EventKind.SUPPORTED)) == 1
    services.report_unfollow(user=neighbour, report=report)
    report.refresh_from_db()
    assert (report.follower_count, report.support_count) == (0, 0)


def test_a_confidential_report_cannot_be_followed(make_report, make_user):
    report = make_report(privacy=Privacy.CONFIDENTIAL, status="dispositioned")
    with pytest.raises(NotAllowed):
        services.report_follow(user=make_user(), report=report)


def test_privacy_change_by_the_reporter(make_report, citizen):
    report = make_report(reporter=citizen, status="verified", privacy=Privacy.PUBLIC, show_name=True)
    assert report.is_public and report.public_name
    report = services.report_set_privacy(report=report, privacy=Privacy.CONFIDENTIAL, actor=citizen)
    assert report.is_public is False and report.public_name == ""


# --- bulk ------------------------------------------------------------------------------------


def test_bulk_assign_goes_through_the_service_per_report(make_report, agency_head, officer, lapor):
    ours = [make_report(status="dispositioned") for _ in range(2)]
    theirs = make_report(category="SAMPAH", status="dispositioned")
    result = services.reports_bulk_assign(actor=agency_head, reports=[*ours, theirs], officer=officer)
    assert sorted(result.done) == sorted(r.tracking_number for r in ours)
    assert [n for n, _m in result.failed] == [theirs.tracking_number]
    assert Report.objects.filter(assigned_to=officer).count() == 2


def test_staff_may_be_member_of_a_kecamatan_office(make_report, verifier, lapor):
    report = make_report(category="LINGKUNGAN", status="dispositioned")
    office = report.responsible_agency
    camat_staff = make_staff(role="agency", full_name="Staf Kecamatan")
    make_member(camat_staff, office, "officer")
    assert report in selectors.agency_inbox(camat_staff)
    services.report_resolve(
        actor=camat_staff, report=report, text="Fasilitas RT sudah diperbaiki warga bersama kelurahan."
    )
