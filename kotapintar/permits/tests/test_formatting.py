import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from kotapintar.permits.formatting import format_date_id, format_datetime_id, format_rupiah, terbilang


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2026, 11, 29), "29 November 2026"),
        (dt.date(2026, 1, 1), "1 Januari 2026"),
        (dt.date(2027, 2, 28), "28 Februari 2027"),
        (dt.date(2026, 5, 5), "5 Mei 2026"),
        (dt.date(2026, 8, 17), "17 Agustus 2026"),
        (dt.date(2026, 12, 31), "31 Desember 2026"),
    ],
)
def test_dates_are_written_the_indonesian_way(day, expected):
    assert format_date_id(day) == expected


def test_an_utc_datetime_is_dated_in_wib():
    # 18:30 UTC on 31 December is already 1 January in Jakarta (UTC+7).
    moment = dt.datetime(2026, 12, 31, 18, 30, tzinfo=dt.UTC)
    assert format_date_id(moment) == "1 Januari 2027"
    assert format_datetime_id(moment) == "1 Januari 2027 01.30 WIB"
    assert format_datetime_id(dt.datetime(2026, 11, 29, 14, 5, tzinfo=ZoneInfo("Asia/Jakarta"))) == (
        "29 November 2026 14.05 WIB"
    )
    with pytest.raises(ValueError):
        format_date_id(dt.datetime(2026, 1, 1, 12, 0))


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (Decimal("1250000"), "Rp 1.250.000"),
        (Decimal("1250000.00"), "Rp 1.250.000"),
        (Decimal("1250000.5"), "Rp 1.250.000,50"),
        (Decimal("999"), "Rp 999"),
        (Decimal("1000"), "Rp 1.000"),
        (0, "Rp 0"),
        (Decimal("-5000"), "-Rp 5.000"),
        (Decimal("12345678901"), "Rp 12.345.678.901"),
        (Decimal("0.005"), "Rp 0,01"),
    ],
)
def test_rupiah_uses_dots_for_thousands_and_comma_for_sen(amount, expected):
    assert format_rupiah(amount) == expected


def test_rupiah_refuses_floats():
    with pytest.raises(TypeError):
        format_rupiah(1250000.0)


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (0, "nol rupiah"),
        (1, "satu rupiah"),
        (10, "sepuluh rupiah"),
        (11, "sebelas rupiah"),
        (15, "lima belas rupiah"),
        (21, "dua puluh satu rupiah"),
        (100, "seratus rupiah"),
        (115, "seratus lima belas rupiah"),
        (1000, "seribu rupiah"),
        (1500, "seribu lima ratus rupiah"),
        (2000, "dua ribu rupiah"),
        (100000, "seratus ribu rupiah"),
        (1250000, "satu juta dua ratus lima puluh ribu rupiah"),
        (1001001, "satu juta seribu satu rupiah"),
        (3000000000, "tiga miliar rupiah"),
        (2_000_001_000_000, "dua triliun satu juta rupiah"),
        (Decimal("750000.00"), "tujuh ratus lima puluh ribu rupiah"),
    ],
)
def test_terbilang_spells_whole_rupiah(amount, words):
    assert terbilang(amount) == words


def test_terbilang_refuses_sen_and_floats():
    with pytest.raises(ValueError):
        terbilang(Decimal("10.50"))
    with pytest.raises(TypeError):
        terbilang(10.0)
