"""Deadlines on the real working-day calendar, escalation once per level, auto-close."""

from __future__ import annotations

import datetime as dt

import time_machine

from kotapintar.core.calendar import WIB, local_date
from kotapintar.core.models import Notification
from kotapintar.reports import selectors, services, sla
from kotapintar.reports.models import DeadlineState, EventKind, ReportEvent, Status
from kotapintar.testing.accounts import make_user


def wib(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=WIB)


def test_a_report_filed_the_friday_before_lebaran_2026_is_due_after_the_holidays(make_report):
    # Nyepi (18–19 March, with cuti bersama) and Idul Fitri (20–24 March) close the offices:
    # Mon 16, Tue 17, then Wed 25 March are the three working days.
    with time_machine.travel(wib(2026, 3, 13, 16, 30), tick=False):
        report = make_report()
    assert local_date(report.verify_due) == dt.date(2026, 3, 25)
    assert report.verify_due == wib(2026, 3, 25, 23, 59, 59, 999999)


def test_routing_sets_response_and_resolution_deadlines_in_working_days(make_report, verifier):
    with time_machine.travel(wib(2026, 3, 17, 9, 0), tick=False):  # Tuesday before the holidays
        report = make_report()
        report = services.report_disposition(actor=verifier, report=report)
    # 5 working days after Tue 17 March: Wed 25, Thu 26, Fri 27, Mon 30, Tue 31.
    assert local_date(report.response_due) == dt.date(2026, 3, 31)
    # JALAN: 14 working days (Good Friday 3 April is a holiday).
    assert local_date(report.resolution_due) == dt.date(2026, 4, 14)


def test_deadline_badges(make_report):
    with time_machine.travel(wib(2026, 5, 4, 10, 0), tick=False):  # Monday
        report = make_report()  # due end of Thursday 7 May
    assert local_date(report.due_at) == dt.date(2026, 5, 7)
    assert sla.deadline_state(report, wib(2026, 5, 5, 10, 0)) == DeadlineState.ON_TIME
    assert sla.deadline_state(report, wib(2026, 5, 6, 10, 0)) == DeadlineState.DUE_SOON
    assert sla.deadline_state(report, wib(2026, 5, 8, 0, 1)) == DeadlineState.OVERDUE
    badge = selectors.deadline_badge(report, wib(2026, 5, 8, 9, 0))
    assert badge["state"] == "overdue" and badge["days_left"] == -1 and badge["stage"] == "verify"


def test_escalation_ladder_officer_head_leadership_each_once(make_report, verifier, officer, agency_head):
    boss = make_user(role="leadership", full_name="Wali Kota")
    with time_machine.travel(wib(2026, 5, 4, 9, 0), tick=False):  # Monday
        report = make_report()
        report = services.report_disposition(actor=verifier, report=report)
    due = report.due_at  # first follow-up: end of Monday 11 May
    assert local_date(due) == dt.date(2026, 5, 11)

    def sweep(moment):
        return services.reports_sla_sweep(now=moment)

    def told(user):
        return Notification.objects.filter(recipient=user, kind="reports.escalation", channel="inbox").count()

    assert sweep(wib(2026, 5, 11, 20, 0)).escalated == 0  # not yet late
    assert sweep(wib(2026, 5, 12, 8, 0)).levels == 1  # level 1: the officer
    assert (told(officer), told(agency_head), told(boss)) == (1, 0, 0)
    assert sweep(wib(2026, 5, 12, 15, 0)).escalated == 0  # nothing new the same day
    assert sweep(wib(2026, 5, 13, 8, 0)).levels == 1  # one working day later: the head
    assert (told(officer), told(agency_head), told(boss)) == (1, 1, 0)
    # Thursday 14 May 2026 is Ascension Day (and 15 May cuti bersama): the ladder counts
    # working days, so leadership hears after Tue 12, Wed 13, Mon 18 → on Tuesday 19 May.
    assert sweep(wib(2026, 5, 18, 12, 0)).escalated == 0
    assert sweep(wib(2026, 5, 19, 8, 0)).levels == 1
    assert (told(officer), told(agency_head), told(boss)) == (1, 1, 1)
    assert sweep(wib(2026, 5, 25, 8, 0)).escalated == 0  # never twice
    report.refresh_from_db()
    assert report.escalation_level == 3
    levels = [e.data["level"] for e in ReportEvent.objects.filter(report=report, kind=EventKind.ESCALATED)]
    assert levels == [1, 2, 3]


def test_a_sweep_long_after_the_deadline_raises_all_levels_at_once_but_once(make_report, verifier):
    with time_machine.travel(wib(2026, 5, 4, 9, 0), tick=False):
        make_report()
    result = services.reports_sla_sweep(now=wib(2026, 6, 30, 9, 0))
    assert result.levels == 3
    assert services.reports_sla_sweep(now=wib(2026, 7, 1, 9, 0)).levels == 0
    # Overdue at the desk: verifiers hear first.
    assert Notification.objects.filter(recipient=verifier, kind="reports.escalation").exists()


def test_the_first_follow_up_resets_the_ladder_for_the_next_deadline(make_report, verifier, officer):
    with time_machine.travel(wib(2026, 5, 4, 9, 0), tick=False):
        report = make_report()
        report = services.report_disposition(actor=verifier, report=report)
    services.reports_sla_sweep(now=wib(2026, 5, 12, 8, 0))
    with time_machine.travel(wib(2026, 5, 12, 9, 0), tick=False):
        services.report_follow_up(actor=officer, report=report, text="Sedang dikerjakan.")
    report.refresh_from_db()
    assert report.escalation_level == 0 and report.due_at == report.resolution_due


def test_silent_resolved_reports_close_after_ten_working_days(make_report, officer, citizen):
    with time_machine.travel(wib(2026, 6, 1, 9, 0), tick=False):  # Monday (Pancasila day!)
        report = make_report(reporter=citizen, status="dispositioned")
        report = services.report_resolve(actor=officer, report=report, text="Sudah diperbaiki.")
    # 1 June is a holiday; counting starts the next working day: 2..5, 8..12, 15 → Mon 15 June.
    assert local_date(report.auto_close_due) == dt.date(2026, 6, 15)
    assert services.reports_sla_sweep(now=wib(2026, 6, 15, 20, 0)).auto_closed == 0
    assert services.reports_sla_sweep(now=wib(2026, 6, 16, 7, 0)).auto_closed == 1
    report.refresh_from_db()
    assert report.status == Status.CLOSED
    assert ReportEvent.objects.filter(report=report, kind=EventKind.AUTO_CLOSED).count() == 1
    assert services.reports_sla_sweep(now=wib(2026, 6, 17, 7, 0)).auto_closed == 0
    # Within its window the reporter may still reopen it…
    with time_machine.travel(wib(2026, 6, 20, 9, 0), tick=False):
        report = services.report_reopen(report=report, reason="Masih bocor.", actor=citizen)
    assert report.status == Status.IN_PROGRESS


def test_reopening_after_the_window_is_refused(make_report, citizen):
    with time_machine.travel(wib(2026, 6, 2, 9, 0), tick=False):
        report = make_report(reporter=citizen, status="closed")
    with time_machine.travel(wib(2026, 8, 3, 9, 0), tick=False):
        import pytest

        from kotapintar.core.errors import InvalidTransition

        with pytest.raises(InvalidTransition) as caught:
            services.report_reopen(report=report, reason="Masih rusak.", actor=citizen)
    assert report.tracking_number in caught.value.message
