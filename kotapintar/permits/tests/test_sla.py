"""Service time in working days on the real calendar (Lebaran 2026), the stopped clock, reminders, escalation."""

from __future__ import annotations

import datetime as dt

import pytest

from kotapintar.core import calendar
from kotapintar.core.models import Notification
from kotapintar.permits import services, sla
from kotapintar.permits.models import Stage, StepVisit
from kotapintar.testing.permits import apply_for, pdf_upload

WIB = calendar.WIB


def at(day: str, hour: int) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=WIB)


def end_of(day: str) -> dt.datetime:
    return calendar.end_of_day(dt.date.fromisoformat(day))


def _submitted_on(office, when):
    application = apply_for(office, "REKLAME", submit=False)
    services.application_submit(actor=office.applicant, application=application, now=when)
    return application


def test_the_calendar_is_the_real_one(db):
    # Nyepi and the Lebaran leave of March 2026 are days off: the test below relies on it.
    days_off = calendar.holidays_in(2026)
    for day in ("2026-03-18", "2026-03-19", "2026-03-20", "2026-03-23", "2026-03-24", "2026-04-03"):
        assert dt.date.fromisoformat(day) in days_off


def test_deadlines_skip_holidays_and_the_clock_stops_while_returned(permit_office):
    office = permit_office
    application = _submitted_on(office, at("2026-03-17", 9))
    visit = StepVisit.objects.get(application=application, completed_at__isnull=True)
    # Completeness: 1 working day → the first working day after the Lebaran leave.
    assert visit.due_at == end_of("2026-03-25")
    # The whole Izin Reklame: 5 working days → 25, 26, 27, 30, 31 March.
    assert application.due_at == end_of("2026-03-31")

    services.application_return(
        actor=office.front,
        application=application,
        note="NPWP buram.",
        missing_documents=["npwp"],
        now=at("2026-03-17", 15),
    )
    requirement = office.types["REKLAME"].documents.get(key="npwp")
    services.document_upload(
        actor=office.applicant, application=application, requirement=requirement, uploaded=pdf_upload()
    )
    services.application_resubmit(actor=office.applicant, application=application, now=at("2026-03-26", 10))

    # With the applicant 25 and 26 March: 2 working days; both deadlines move on by 2.
    visit.refresh_from_db()
    application.refresh_from_db()
    assert application.paused_working_days == 2 and visit.paused_working_days == 2
    assert visit.due_at == end_of("2026-03-27")
    assert application.due_at == end_of("2026-04-02")  # 1 and 2 April; 3 April is Good Friday
    pause = application.pauses.get()
    assert pause.working_days == 2 and pause.ended_at == at("2026-03-26", 10)

    services.completeness_confirm(actor=office.front, application=application, now=at("2026-03-26", 11))
    review = StepVisit.objects.get(application=application, completed_at__isnull=True)
    assert review.step.stage == Stage.TECHNICAL_REVIEW and review.due_at == end_of("2026-03-27")


def test_an_administrators_extra_day_off_counts(permit_office, calendar_day):
    calendar_day(dt.date(2026, 3, 25), "day_off", "Cuti bersama tambahan Pemkot")
    application = _submitted_on(permit_office, at("2026-03-17", 9))
    visit = StepVisit.objects.get(application=application, completed_at__isnull=True)
    assert visit.due_at == end_of("2026-03-26")


def test_waiting_for_payment_stops_the_clock_too(permit_office):
    office = permit_office
    application = _submitted_on(office, at("2026-04-06", 9))  # Monday
    services.completeness_confirm(actor=office.front, application=application, now=at("2026-04-06", 10))
    services.review_submit(
        actor=office.distaru, application=application, recommendation="approve", note="", now=at("2026-04-06", 11)
    )
    due_before = application.due_at
    assessment = services.fee_assess(actor=office.front, application=application, now=at("2026-04-06", 12))
    services._pay(
        actor=None,
        assessment=assessment,
        amount=assessment.amount,
        channel="gateway",
        reference="x",
        paid_at=at("2026-04-09", 8),
        now=at("2026-04-09", 8),
    )
    application.refresh_from_db()
    assert application.paused_working_days == 3  # 7, 8, 9 April
    assert application.due_at == calendar.add_working_days(due_before, 3)
    decision = StepVisit.objects.get(application=application, completed_at__isnull=True)
    assert decision.entered_at == at("2026-04-09", 8) and decision.due_at == end_of("2026-04-10")


@pytest.mark.parametrize(
    ("now", "state", "days"),
    [
        (at("2026-04-06", 9), "ok", 3),
        (at("2026-04-08", 9), "soon", 1),
        (at("2026-04-09", 9), "today", 0),
        (at("2026-04-10", 9), "overdue", 1),
        (at("2026-04-14", 9), "overdue", 3),
    ],
)
def test_deadline_badges(db, now, state, days):
    badge = sla.deadline(end_of("2026-04-09"), now=now)
    assert (badge.state, badge.days) == (state, days)


def test_paused_badge(db):
    assert sla.deadline(end_of("2026-04-09"), paused=True).state == "paused"


def test_reminder_then_escalation_to_the_head_then_to_the_issuing_agency_each_once(permit_office, make_user):
    from kotapintar.testing.agencies import make_member

    office = permit_office
    distaru_head = make_user(role="agency", full_name="Kepala DISTARU")
    make_member(distaru_head, office.agencies["DISTARU"], "head")
    application = _submitted_on(office, at("2026-04-06", 9))
    services.completeness_confirm(actor=office.front, application=application, now=at("2026-04-06", 10))
    visit = StepVisit.objects.get(application=application, completed_at__isnull=True)  # review, due 7 April
    assert visit.due_at == end_of("2026-04-07")

    def kinds(user):
        return list(
            Notification.objects.filter(
                recipient=user, channel="inbox", kind__in=["permits.due_soon", "permits.overdue"]
            ).values_list("kind", flat=True)
        )

    assert services.sla_sweep(now=at("2026-04-06", 12)).reminded == 1
    assert services.sla_sweep(now=at("2026-04-07", 8)).reminded == 0  # once only
    assert kinds(office.distaru) == ["permits.due_soon"]
    assert kinds(distaru_head) == []

    result = services.sla_sweep(now=at("2026-04-08", 9))
    assert (result.escalated, result.escalated_further) == (1, 0)
    assert sorted(kinds(distaru_head)) == ["permits.overdue"]
    assert kinds(office.head) == []
    assert services.sla_sweep(now=at("2026-04-08", 15)).escalated == 0

    result = services.sla_sweep(now=at("2026-04-10", 9))  # two working days late
    assert result.escalated_further == 1
    assert kinds(office.head) == ["permits.overdue"]
    assert services.sla_sweep(now=at("2026-04-13", 9)).escalated_further == 0
    visit.refresh_from_db()
    assert visit.escalation_level == 2
    assert application.events.filter(kind="escalated", internal=True).count() == 2
    # Escalation also goes by e-mail, once per level.
    assert Notification.objects.filter(recipient=office.head, kind="permits.overdue", channel="email").count() == 1


def test_nothing_is_escalated_while_the_file_is_with_the_applicant(permit_office):
    office = permit_office
    application = _submitted_on(office, at("2026-04-06", 9))
    services.application_return(actor=office.front, application=application, note="Lengkapi.", now=at("2026-04-06", 10))
    result = services.sla_sweep(now=at("2026-04-20", 9))
    assert (result.reminded, result.escalated) == (0, 0)


def test_the_periodic_task_runs_the_sweep(permit_office):
    from kotapintar.permits.tasks import sla_sweep

    assert sla_sweep.delay().get() == {"reminded": 0, "escalated": 0, "escalated_further": 0}
