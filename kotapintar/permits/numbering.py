"""Numbers without gaps: registration numbers, permit numbers and SKRD numbers.

Each series (permit type × year × kind) is one counter row. Taking a number is an
`UPDATE … SET last = last + 1` inside the caller's transaction: on PostgreSQL the row stays
locked until that transaction ends, so concurrent issuers queue and each gets the next
number; if the transaction rolls back, so does the counter (no gap). On SQLite the whole
database is written by one transaction at a time (transaction_mode IMMEDIATE), which gives
the same guarantee.
"""

from __future__ import annotations

import datetime as dt
import string

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from kotapintar.core.errors import DomainError

from .models import NumberSeries, PermitType

ROMAN_MONTHS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
NUMBER_PLACEHOLDERS = frozenset({"seq", "year", "month", "roman_month", "code"})


def next_in_series(permit_type: PermitType, kind: str, year: int) -> int:
    """The next number of the series; call inside the transaction that uses it."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("numbers are taken inside the transaction that uses them")
    series = NumberSeries.objects.filter(permit_type=permit_type, year=year, kind=kind).first()
    if series is None:
        try:
            with transaction.atomic():
                series = NumberSeries.objects.create(permit_type=permit_type, year=year, kind=kind, last=0)
        except IntegrityError:  # another transaction created it first
            series = NumberSeries.objects.get(permit_type=permit_type, year=year, kind=kind)
    NumberSeries.objects.filter(pk=series.pk).update(last=F("last") + 1)
    return NumberSeries.objects.values_list("last", flat=True).get(pk=series.pk)


def check_number_format(fmt: str) -> None:
    """Refuse a permit number format that cannot produce numbers (admin validation)."""
    try:
        fields = {name for _, name, _, _ in string.Formatter().parse(fmt) if name is not None}
    except ValueError as exc:
        raise DomainError(
            _("The number format is not valid: %(error)s") % {"error": exc}, code="number_format"
        ) from exc
    unknown = fields - NUMBER_PLACEHOLDERS
    if unknown:
        raise DomainError(
            _(
                "The number format uses unknown placeholders: %(names)s. Use {seq}, "
                "{year}, {month}, {roman_month}, {code}."
            )
            % {"names": ", ".join(sorted(unknown))},
            code="number_format",
        )
    if "seq" not in fields:
        raise DomainError(_("The number format must contain {seq} (the running number)."), code="number_format")
    try:
        sample = format_permit_number(fmt, seq=1234, on=dt.date(2026, 12, 31), code="X")
    except (ValueError, KeyError, IndexError) as exc:
        raise DomainError(
            _("The number format is not valid: %(error)s") % {"error": exc}, code="number_format"
        ) from exc
    if len(sample) > 64:
        raise DomainError(
            _("Permit numbers made with this format would be longer than 64 characters."), code="number_format"
        )


def format_permit_number(fmt: str, *, seq: int, on: dt.date, code: str) -> str:
    return fmt.format(seq=seq, year=on.year, month=f"{on.month:02d}", roman_month=ROMAN_MONTHS[on.month - 1], code=code)


def registration_number(permit_type: PermitType, *, seq: int, year: int) -> str:
    return f"REG-{permit_type.code}-{year}-{seq:05d}"


def skrd_number(permit_type: PermitType, *, seq: int, year: int) -> str:
    return f"SKRD/{permit_type.code}/{year}/{seq:05d}"


def _luhn_digit(digits: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def payment_code(permit_type: PermitType, *, seq: int, year: int) -> str:
    """A numeric payment code (like a virtual account): year, type, number, check digit."""
    body = f"{year:04d}{permit_type.pk:04d}{seq:06d}"
    return body + _luhn_digit(body)


def payment_code_is_well_formed(code: str) -> bool:
    return code.isdigit() and len(code) >= 2 and _luhn_digit(code[:-1]) == code[-1]
