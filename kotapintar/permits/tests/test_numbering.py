"""Registration, permit and SKRD numbers: per type and year, without gaps, also under concurrency."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.db import close_old_connections, connection, transaction

from kotapintar.core.errors import DomainError
from kotapintar.permits import numbering
from kotapintar.permits.models import NumberSeries, Permit
from kotapintar.testing.permits import apply_for, make_permit_office, run_until


def test_permit_number_format():
    number = numbering.format_permit_number(
        "503/{seq:04d}/IR/DPMPTSP/{roman_month}/{year}", seq=42, on=dt.date(2026, 11, 29), code="REKLAME"
    )
    assert number == "503/0042/IR/DPMPTSP/XI/2026"


@pytest.mark.parametrize(
    "fmt", ["503/IR/{year}", "503/{seq:04d}/{nope}", "503/{seq:04d", "{seq:04d}" + "x" * 80, "{seq:d}/{code!z}"]
)
def test_bad_number_formats_are_refused(fmt):
    with pytest.raises(DomainError):
        numbering.check_number_format(fmt)


def test_payment_codes_carry_a_check_digit(permit_office):
    code = numbering.payment_code(permit_office.types["REKLAME"], seq=42, year=2026)
    assert numbering.payment_code_is_well_formed(code)
    wrong = code[:-1] + str((int(code[-1]) + 1) % 10)
    assert not numbering.payment_code_is_well_formed(wrong)


def test_series_are_per_type_and_year_and_start_at_one(permit_office):
    reklame, sip = permit_office.types["REKLAME"], permit_office.types["SIP"]
    with transaction.atomic():
        assert numbering.next_in_series(reklame, "permit", 2026) == 1
        assert numbering.next_in_series(reklame, "permit", 2026) == 2
        assert numbering.next_in_series(sip, "permit", 2026) == 1
        assert numbering.next_in_series(reklame, "permit", 2027) == 1
        assert numbering.next_in_series(reklame, "registration", 2026) == 1


def test_a_rolled_back_transaction_leaves_no_gap(permit_office):
    reklame = permit_office.types["REKLAME"]
    with transaction.atomic():
        numbering.next_in_series(reklame, "skrd", 2026)
    with pytest.raises(RuntimeError), transaction.atomic():
        numbering.next_in_series(reklame, "skrd", 2026)
        raise RuntimeError("the issue failed after taking the number")
    with transaction.atomic():
        assert numbering.next_in_series(reklame, "skrd", 2026) == 2


@pytest.mark.django_db(transaction=True)
def test_numbers_are_only_taken_inside_a_transaction(permit_office):
    with pytest.raises(RuntimeError):
        numbering.next_in_series(permit_office.types["REKLAME"], "permit", 2026)


def test_registration_numbers_follow_each_other(permit_office):
    first = apply_for(permit_office, "REKLAME")
    second = apply_for(permit_office, "REKLAME")
    year = first.submitted_at.year
    assert first.registration_number == f"REG-REKLAME-{year}-00001"
    assert second.registration_number == f"REG-REKLAME-{year}-00002"


@pytest.mark.django_db(transaction=True)
def test_concurrent_issuing_gives_consecutive_numbers_without_gaps(settings):
    settings.PERMIT_SIGNING_KEYS = []
    settings.PERMIT_VERIFY_KEYS = []
    settings.PAYMENT_SIMULATED_GATEWAY = True
    office = make_permit_office()
    applications = [apply_for(office, "SIP") for _ in range(6)]
    for application in applications:
        run_until(office, application, "signing")

    from kotapintar.permits import services

    errors: list[Exception] = []
    barrier = threading.Barrier(len(applications))

    def sign(application):
        try:
            barrier.wait(timeout=30)
            for attempt in range(50):
                try:
                    services.permit_sign(actor=office.head, application=application)
                    return
                except Exception as exc:  # SQLite's shared-cache test database answers "table is locked": retry
                    if "locked" not in str(exc) or attempt == 49:
                        raise
                    time.sleep(0.02 * (attempt + 1))
        except Exception as exc:
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=sign, args=(a,)) for a in applications]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    numbers = sorted(Permit.objects.values_list("number", flat=True))
    year = dt.date.today().year
    assert numbers == [f"446/{i:04d}/SIP/DPMPTSP/{year}" for i in range(1, 7)]
    assert NumberSeries.objects.get(permit_type=office.types["SIP"], kind="permit").last == 6
