"""Fee rules in Decimal rupiah: free, fixed, rate × units, rounding and minimum."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kotapintar.permits.fees import FeeError, compute_fee, describe_rule, whole_rupiah
from kotapintar.permits.models import FeeKind, PermitType
from kotapintar.testing.permits import ANSWERS


def test_billboard_fee_is_area_times_faces_times_months_times_rate(permit_office):
    fee = compute_fee(permit_office.types["REKLAME"], ANSWERS["REKLAME"])
    assert fee.amount == Decimal("7200000")  # 4 × 6 × 1 × 12 × 25.000
    assert isinstance(fee.amount, Decimal)
    (line,) = fee.lines
    assert line.amount == Decimal("7200000")
    assert "Lebar bidang reklame 4 m × Tinggi bidang reklame 6 m × Jumlah sisi 1" in line.detail
    assert line.detail.endswith("Rp 25.000")


def test_decimal_sizes_are_exact_and_rounded_half_up_to_whole_rupiah(permit_office):
    answers = {**ANSWERS["REKLAME"], "width_m": "4.5", "height_m": "2.35", "faces": 2, "duration_months": 3}
    # 4.5 × 2.35 × 2 × 3 × 25.000 = 1.586.250 exactly: no float drift.
    assert compute_fee(permit_office.types["REKLAME"], answers).amount == Decimal("1586250")
    answers["height_m"] = "0.51"
    answers["width_m"] = "0.51"
    answers["faces"] = 1
    answers["duration_months"] = 1
    # 0.2601 m² × 25.000 = 6.502,5 → below the minimum of Rp 100.000.
    fee = compute_fee(permit_office.types["REKLAME"], answers)
    assert fee.amount == Decimal("100000")
    assert "minimal" in fee.lines[0].detail


def test_rounding_is_half_up():
    assert whole_rupiah(Decimal("6502.5")) == Decimal("6503")
    assert whole_rupiah(Decimal("6502.49")) == Decimal("6502")


def test_per_square_metre_rule_for_buildings(permit_office):
    fee = compute_fee(permit_office.types["PBG"], ANSWERS["PBG"])
    assert fee.amount == Decimal("1881250")  # 150,5 m² × 12.500 = 1.881.250


def test_free_permit_has_no_fee_lines(permit_office):
    fee = compute_fee(permit_office.types["SIP"], ANSWERS["SIP"])
    assert fee.amount == Decimal(0) and fee.is_free and fee.lines == ()
    assert describe_rule(permit_office.types["SIP"]) == "Tanpa biaya"


def test_fixed_fee(permit_office):
    permit_type: PermitType = permit_office.types["SIP"]
    permit_type.fee_kind = FeeKind.FIXED
    permit_type.fee_amount = Decimal("150000")
    fee = compute_fee(permit_type, {})
    assert fee.amount == Decimal("150000")
    assert describe_rule(permit_type) == "Rp 150.000"


def test_missing_unit_answer_says_which_field(permit_office):
    answers = {**ANSWERS["REKLAME"]}
    del answers["height_m"]
    with pytest.raises(FeeError) as caught:
        compute_fee(permit_office.types["REKLAME"], answers)
    assert "Tinggi bidang reklame" in caught.value.message


def test_rate_label_is_published(permit_office):
    assert describe_rule(permit_office.types["REKLAME"]).startswith("Rp 25.000 per m²")
