"""The working-day calendar on real Indonesian dates (SKB 3 Menteri as shipped by `holidays`)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from kotapintar.core import calendar, services
from kotapintar.core.errors import DomainError
from kotapintar.core.models import AuditLog, CalendarDay

D = dt.date
UTC = dt.UTC
WIB = ZoneInfo("Asia/Jakarta")

pytestmark = pytest.mark.django_db


def days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


# --- national holidays and cuti bersama ---------------------------------------------------


def test_lebaran_2025_closes_offices_from_28_march_to_7_april():
    assert calendar.is_working_day(D(2025, 3, 27))  # Thursday before
    closed = days(D(2025, 3, 28), D(2025, 4, 7))
    assert [d for d in closed if calendar.is_working_day(d)] == []
    assert calendar.is_working_day(D(2025, 4, 8))
    assert calendar.next_working_day(D(2025, 3, 27)) == D(2025, 4, 8)
    # A complaint filed on Wednesday 26 March with 3 working days: Thu 27, Tue 8, Wed 9.
    assert calendar.add_working_days(D(2025, 3, 26), 3) == D(2025, 4, 9)
    names = calendar.holidays_in(2025)
    assert "Idul Fitri" in names[D(2025, 3, 31)]
    assert "Idul Fitri" in names[D(2025, 4, 1)]
    assert "Cuti Bersama" in names[D(2025, 4, 2)]


def test_lebaran_2025_without_cuti_bersama(settings):
    settings.CALENDAR_INCLUDE_CUTI_BERSAMA = False
    assert calendar.is_working_day(D(2025, 3, 28))  # cuti bersama Nyepi no longer counted
    assert not calendar.is_working_day(D(2025, 3, 31))  # Idul Fitri is a national holiday
    assert not calendar.is_working_day(D(2025, 4, 1))
    assert calendar.is_working_day(D(2025, 4, 2))
    assert D(2025, 4, 2) not in calendar.holidays_in(2025)


def test_lebaran_2026_with_nyepi_closes_18_to_24_march():
    assert calendar.is_working_day(D(2026, 3, 17))
    assert [d for d in days(D(2026, 3, 18), D(2026, 3, 24)) if calendar.is_working_day(d)] == []
    assert calendar.next_working_day(D(2026, 3, 17)) == D(2026, 3, 25)
    assert calendar.working_days_between(D(2026, 3, 17), D(2026, 3, 25)) == 1
    names = calendar.holidays_in(2026)
    assert "Idul Fitri" in names[D(2026, 3, 21)]
    assert "Nyepi" in names[D(2026, 3, 19)]


def test_nyepi_on_a_weekday_is_a_day_off():
    assert D(2024, 3, 11).weekday() == 0  # Monday
    assert not calendar.is_working_day(D(2024, 3, 11))
    assert "Nyepi" in calendar.holidays_in(2024)[D(2024, 3, 11)]


def test_christmas_and_new_year_2025_2026():
    assert calendar.is_working_day(D(2025, 12, 24))
    assert not calendar.is_working_day(D(2025, 12, 25))  # Natal
    assert not calendar.is_working_day(D(2025, 12, 26))  # cuti bersama Natal
    assert [calendar.is_working_day(d) for d in days(D(2025, 12, 29), D(2025, 12, 31))] == [True, True, True]
    assert not calendar.is_working_day(D(2026, 1, 1))
    assert calendar.is_working_day(D(2026, 1, 2))
    # 29, 30, 31 December, then 2 January: across the turn of the year.
    assert calendar.add_working_days(D(2025, 12, 24), 4) == D(2026, 1, 2)
    assert calendar.working_days_between(D(2025, 12, 24), D(2026, 1, 5)) == 5
    assert calendar.working_days_between(D(2026, 1, 5), D(2025, 12, 24)) == -5


# --- counting rules ------------------------------------------------------------------------


def test_report_filed_friday_evening_with_three_working_days_is_due_end_of_wednesday():
    filed = dt.datetime(2025, 7, 4, 19, 0, tzinfo=WIB)  # Friday 19:00 WIB
    due = calendar.add_working_days(filed, 3)
    assert due == dt.datetime(2025, 7, 9, 23, 59, 59, 999999, tzinfo=WIB)
    assert due.date().weekday() == 2  # Wednesday
    # Filing on Friday morning or on Saturday gives the same deadline: the day of filing never counts.
    assert calendar.add_working_days(dt.datetime(2025, 7, 4, 8, 0, tzinfo=WIB), 3) == due
    assert calendar.add_working_days(D(2025, 7, 5), 3) == D(2025, 7, 9)


def test_utc_late_evening_is_already_the_next_day_in_wib():
    thursday_night_utc = dt.datetime(2025, 7, 3, 20, 0, tzinfo=UTC)  # Friday 03:00 WIB
    thursday_afternoon_utc = dt.datetime(2025, 7, 3, 10, 0, tzinfo=UTC)  # Thursday 17:00 WIB
    assert calendar.local_date(thursday_night_utc) == D(2025, 7, 4)
    assert calendar.add_working_days(thursday_night_utc, 3).date() == D(2025, 7, 9)
    assert calendar.add_working_days(thursday_afternoon_utc, 3).date() == D(2025, 7, 8)
    friday_night_utc = dt.datetime(2025, 7, 4, 18, 0, tzinfo=UTC)  # Saturday 01:00 WIB
    assert calendar.is_working_day(dt.datetime(2025, 7, 4, 16, 0, tzinfo=UTC))  # Friday 23:00 WIB
    assert not calendar.is_working_day(friday_night_utc)
    assert calendar.next_working_day(friday_night_utc) == D(2025, 7, 7)


def test_datetime_result_is_aware_wib_end_of_day():
    due = calendar.add_working_days(dt.datetime(2025, 7, 1, 2, 0, tzinfo=UTC), 2)
    assert due.utcoffset() == dt.timedelta(hours=7)
    assert (due.hour, due.minute, due.second) == (23, 59, 59)
    assert due.astimezone(UTC) == dt.datetime(2025, 7, 3, 16, 59, 59, 999999, tzinfo=UTC)


def test_zero_days_rolls_a_day_off_forward_and_keeps_a_working_day():
    assert calendar.add_working_days(D(2025, 7, 7), 0) == D(2025, 7, 7)  # Monday
    assert calendar.add_working_days(D(2025, 7, 5), 0) == D(2025, 7, 7)  # Saturday → Monday
    assert calendar.add_working_days(D(2025, 3, 31), 0) == D(2025, 4, 8)  # Idul Fitri
    assert calendar.add_working_days(dt.datetime(2025, 7, 5, 9, tzinfo=WIB), 0) == calendar.end_of_day(D(2025, 7, 7))


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        calendar.add_working_days(D(2025, 7, 7), -1)
    with pytest.raises(ValueError):
        calendar.is_working_day(dt.datetime(2025, 7, 7, 9, 0))  # naive


def test_between_inverts_add_over_a_whole_year():
    start = D(2025, 1, 1)
    for offset in range(0, 365, 3):
        s = start + dt.timedelta(days=offset)
        for n in (1, 2, 5, 10):
            due = calendar.add_working_days(s, n)
            assert calendar.is_working_day(due)
            assert calendar.working_days_between(s, due) == n
            assert calendar.working_days_between(s, due - dt.timedelta(days=1)) == n - 1
    assert calendar.working_days_between(D(2025, 7, 7), D(2025, 7, 7)) == 0


def test_week_without_holidays_has_five_working_days():
    assert calendar.working_days_between(D(2025, 7, 6), D(2025, 7, 13)) == 5
    assert calendar.working_days_between(dt.datetime(2025, 7, 6, 1, tzinfo=UTC), D(2025, 7, 13)) == 5


# --- the administrator's exceptions --------------------------------------------------------


def test_working_saturday_added_by_admin(calendar_day):
    saturday = D(2025, 7, 5)
    assert not calendar.is_working_day(saturday)
    calendar_day(saturday, "working_day", "Sabtu kerja pengganti")
    assert calendar.is_working_day(saturday)
    assert calendar.add_working_days(D(2025, 7, 4), 1) == saturday
    assert calendar.working_days_between(D(2025, 7, 4), D(2025, 7, 7)) == 2


def test_working_day_overrides_a_cuti_bersama(calendar_day):
    assert not calendar.is_working_day(D(2025, 8, 18))
    calendar_day(D(2025, 8, 18), "working_day", "Kantor tetap buka")
    assert calendar.is_working_day(D(2025, 8, 18))
    assert D(2025, 8, 18) not in calendar.holidays_in(2025)


def test_extra_day_off_added_by_admin(calendar_day, make_user):
    admin = make_user("admin")
    monday = D(2025, 7, 7)
    calendar_day(monday, "day_off", "Hari jadi Kota Semarang", actor=admin)
    assert not calendar.is_working_day(monday)
    assert calendar.next_working_day(D(2025, 7, 4)) == D(2025, 7, 8)
    assert calendar.holidays_in(2025)[monday] == "Hari jadi Kota Semarang"
    row = AuditLog.objects.get(action="calendar_day.create")
    assert row.actor == admin
    assert row.after["date"] == "2025-07-07"


def test_upcoming_days_off_crosses_the_year():
    upcoming = calendar.upcoming_days_off(D(2025, 12, 20), limit=3)
    assert [d for d, _ in upcoming] == [D(2025, 12, 25), D(2025, 12, 26), D(2026, 1, 1)]


def test_english_names_when_the_interface_is_english():
    from django.utils import translation

    with translation.override("en"):
        assert "Christmas" in calendar.holidays_in(2025)[D(2025, 12, 25)]
    with translation.override("id"):
        assert "Natal" in calendar.holidays_in(2025)[D(2025, 12, 25)]


# --- services and cache ----------------------------------------------------------------------


def test_cache_serves_repeat_lookups_without_queries(django_assert_num_queries):
    calendar.is_working_day(D(2025, 7, 7))
    with django_assert_num_queries(0):
        assert calendar.add_working_days(D(2025, 7, 1), 10) == D(2025, 7, 15)


def test_cache_is_cleared_when_a_service_changes_the_calendar(run_on_commit):
    monday = D(2025, 7, 7)
    assert calendar.is_working_day(monday)  # now cached
    # A row written behind the services' back is not seen: the answer comes from the cache.
    CalendarDay.objects.create(date=D(2025, 7, 8), kind="day_off", description="bypass")
    assert calendar.is_working_day(D(2025, 7, 8))

    with run_on_commit():
        day = services.calendar_day_create(actor=None, date=monday, kind="day_off", description="Banjir")
    assert not calendar.is_working_day(monday)
    assert not calendar.is_working_day(D(2025, 7, 8))  # the whole year was reloaded

    with run_on_commit():
        services.calendar_day_update(actor=None, day=day, date=D(2026, 7, 6))
    assert calendar.is_working_day(monday)
    assert not calendar.is_working_day(D(2026, 7, 6))

    with run_on_commit():
        services.calendar_day_delete(actor=None, day=day)
    assert calendar.is_working_day(D(2026, 7, 6))
    actions = list(AuditLog.objects.filter(action__startswith="calendar_day.").values_list("action", flat=True))
    assert sorted(actions) == ["calendar_day.create", "calendar_day.delete", "calendar_day.update"]


def test_rolled_back_change_leaves_calendar_and_cache_alone(run_on_commit):
    monday = D(2025, 7, 7)
    assert calendar.is_working_day(monday)
    with run_on_commit() as callbacks, pytest.raises(RuntimeError), transaction.atomic():
        services.calendar_day_create(actor=None, date=monday, kind="day_off", description="Batal")
        raise RuntimeError("the surrounding change failed")
    assert callbacks == []
    assert not CalendarDay.objects.filter(date=monday).exists()
    assert calendar.is_working_day(monday)
    assert not AuditLog.objects.filter(action="calendar_day.create").exists()


def test_duplicate_date_is_a_clear_domain_error(calendar_day):
    calendar_day(D(2025, 7, 7), "day_off", "Pertama")
    with pytest.raises(DomainError) as info:
        services.calendar_day_create(actor=None, date=D(2025, 7, 7), kind="working_day", description="Kedua")
    assert info.value.code == "duplicate"
    assert "2025" in str(info.value.message)
    with pytest.raises(DomainError):
        services.calendar_day_create(actor=None, date=D(2025, 7, 9), kind="day_off", description="  ")


def test_between_counts_like_walking_day_by_day_across_years(calendar_day):
    """The per-year running counts give the same answer as checking every day in between,
    over spans of a day to several years (reports overdue for years), in both directions,
    with an administrator's working Saturday and extra day off in the span."""
    calendar_day(D(2024, 12, 28), "working_day", "Sabtu kerja")
    calendar_day(D(2026, 2, 2), "day_off", "Libur kota")

    def walked(a: dt.date, b: dt.date) -> int:
        lo, hi, sign = (a, b, 1) if a <= b else (b, a, -1)
        return sign * sum(calendar.is_working_day(d) for d in days(lo + dt.timedelta(days=1), hi))

    starts = [D(2021, 1, 1), D(2023, 12, 31), D(2024, 2, 29), D(2024, 12, 27), D(2025, 3, 28), D(2026, 2, 1)]
    ends = [D(2021, 1, 1), D(2021, 1, 4), D(2024, 12, 31), D(2025, 1, 1), D(2026, 2, 2), D(2026, 12, 31)]
    for a in starts:
        for b in ends:
            assert calendar.working_days_between(a, b) == walked(a, b), (a, b)
    assert calendar.working_days_between(D(2024, 12, 27), D(2024, 12, 30)) == 2  # the working Saturday counts
