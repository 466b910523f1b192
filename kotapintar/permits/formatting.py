"""Indonesian formatting for official documents: dates, rupiah amounts, amounts in words.

Permits and SKRD letters are legal documents written in Bahasa Indonesia whatever language
the reader's browser asks for, so these helpers do not follow the active locale: they always
produce the forms an Indonesian civil servant writes ("29 November 2026", "Rp 1.250.000",
"satu juta dua ratus lima puluh ribu rupiah").
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

WIB = ZoneInfo("Asia/Jakarta")

MONTHS_ID = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)


def _to_local_date(value: dt.date | dt.datetime) -> dt.date:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware datetime (stored in UTC) or a date")
        return value.astimezone(WIB).date()
    return value


def format_date_id(value: dt.date | dt.datetime) -> str:
    """`29 November 2026`; an aware datetime is first converted to WIB (Asia/Jakarta)."""
    day = _to_local_date(value)
    return f"{day.day} {MONTHS_ID[day.month - 1]} {day.year}"


def format_datetime_id(value: dt.datetime) -> str:
    """`29 November 2026 14.05 WIB` (Indonesian style uses a dot between hours and minutes)."""
    if value.tzinfo is None:
        raise ValueError("naive datetime: pass an aware datetime")
    local = value.astimezone(WIB)
    return f"{format_date_id(local.date())} {local:%H.%M} WIB"


def _group_thousands(digits: str) -> str:
    groups = []
    while len(digits) > 3:
        groups.append(digits[-3:])
        digits = digits[:-3]
    groups.append(digits)
    return ".".join(reversed(groups))


def format_rupiah(amount: Decimal | int) -> str:
    """`Rp 1.250.000`; sen are shown only when present (`Rp 1.250.000,50`); `-Rp 5.000` below zero.

    Floats are refused: money is Decimal in this project, and a float has already lost cents.
    """
    if isinstance(amount, float) or not isinstance(amount, Decimal | int):
        raise TypeError("format_rupiah takes a Decimal or an int, never a float")
    value = Decimal(amount)
    if not value.is_finite():
        raise ValueError("amount must be a finite number")
    value = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "-" if value < 0 else ""
    whole, _, cents = f"{abs(value):f}".partition(".")
    text = f"{sign}Rp {_group_thousands(whole)}"
    if cents.strip("0"):
        text += f",{cents}"
    return text


_UNITS = ("", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan")
_SCALES = ((10**12, "triliun"), (10**9, "miliar"), (10**6, "juta"), (10**3, "ribu"))


def _below_thousand(n: int) -> list[str]:
    words: list[str] = []
    hundreds, rest = divmod(n, 100)
    if hundreds == 1:
        words.append("seratus")
    elif hundreds:
        words += [_UNITS[hundreds], "ratus"]
    if rest == 10:
        words.append("sepuluh")
    elif rest == 11:
        words.append("sebelas")
    elif 12 <= rest <= 19:
        words += [_UNITS[rest - 10], "belas"]
    elif rest >= 20:
        tens, unit = divmod(rest, 10)
        words += [_UNITS[tens], "puluh"]
        if unit:
            words.append(_UNITS[unit])
    elif rest:
        words.append(_UNITS[rest])
    return words


def _words(n: int) -> list[str]:
    if n == 0:
        return ["nol"]
    words: list[str] = []
    for scale, name in _SCALES:
        count, n = divmod(n, scale)
        if not count:
            continue
        if count == 1 and scale == 1000:
            words.append("seribu")  # "seribu", never "satu ribu"
        else:
            words += [*_words(count), name] if count >= 1000 else [*_below_thousand(count), name]
    if n:
        words += _below_thousand(n)
    return words


def terbilang(amount: Decimal | int) -> str:
    """Whole rupiah in Indonesian words, as an SKRD prints them: `satu juta dua ratus lima puluh ribu rupiah`.

    Sen are not spelled out (retribusi is levied in whole rupiah); an amount with sen is refused
    rather than silently rounded.
    """
    if isinstance(amount, float) or not isinstance(amount, Decimal | int):
        raise TypeError("terbilang takes a Decimal or an int, never a float")
    value = Decimal(amount)
    if not value.is_finite() or value != value.to_integral_value():
        raise ValueError("terbilang spells whole rupiah only")
    number = int(value)
    prefix = ["minus"] if number < 0 else []
    return " ".join([*prefix, *_words(abs(number)), "rupiah"])
