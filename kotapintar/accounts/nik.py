"""NIK (Nomor Induk Kependudukan): the 16-digit national identity number.

Layout: PPKKCC DDMMYY SSSS — province, regency/city and district (kecamatan) codes, the date
of birth (women add 40 to the day), and a serial number that is never 0000. The district
must exist in the regions table (code "PP.KK.CC").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

NIK_LENGTH = 16


@dataclass(frozen=True)
class NikInfo:
    nik: str
    district_code: str  # "33.74.01"
    birth_date: dt.date
    sex: str  # "F" or "M"


def clean_input(value: str) -> str:
    """Digits as typed, without the spaces, dots or dashes people put in."""
    return "".join(ch for ch in (value or "") if ch not in " .-\t")


def district_code_of(nik: str) -> str:
    return f"{nik[0:2]}.{nik[2:4]}.{nik[4:6]}"


def _birth_date(part: str) -> tuple[dt.date, str] | None:
    day, month, year = int(part[0:2]), int(part[2:4]), int(part[4:6])
    sex = "M"
    if day > 40:
        day -= 40
        sex = "F"
    today = timezone.localdate()
    # A two-digit year is this century unless that would put the birth in the future.
    for century in (2000, 1900):
        try:
            born = dt.date(century + year, month, day)
        except ValueError:
            continue
        if born <= today:
            return born, sex
    return None


def parse_nik(value: str, *, check_region: bool = True) -> NikInfo:
    """Check a NIK and return what it says; raise ValidationError saying what is wrong."""
    nik = clean_input(value)
    if len(nik) != NIK_LENGTH or not nik.isascii() or not nik.isdigit():
        raise ValidationError(
            _("The NIK must be exactly 16 digits (you entered %(count)d characters)."),
            code="nik_length",
            params={"count": len(nik)},
        )
    district = district_code_of(nik)
    if check_region:
        from kotapintar.regions.models import Region

        if not Region.objects.filter(code=district, level=Region.Level.DISTRICT).exists():
            raise ValidationError(
                _(
                    "The first 6 digits of the NIK (%(code)s) are not a known district (kecamatan) code. "
                    "Check them against your KTP."
                ),
                code="nik_region",
                params={"code": nik[:6]},
            )
    born = _birth_date(nik[6:12])
    if born is None:
        raise ValidationError(
            _(
                "Digits 7–12 of the NIK (%(part)s) are not a valid date of birth (DDMMYY; "
                "for women the day is plus 40). Check them against your KTP."
            ),
            code="nik_birth_date",
            params={"part": nik[6:12]},
        )
    if nik[12:] == "0000":
        raise ValidationError(_("The last 4 digits of the NIK cannot be 0000."), code="nik_serial")
    return NikInfo(nik=nik, district_code=district, birth_date=born[0], sex=born[1])


def mask(nik: str) -> str:
    """3374********0001: enough to recognise one's own NIK, not enough to use it."""
    if len(nik) != NIK_LENGTH:
        return "*" * len(nik)
    return f"{nik[:4]}{'*' * 8}{nik[-4:]}"
