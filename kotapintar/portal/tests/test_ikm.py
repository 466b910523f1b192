"""IKM per PermenPANRB 14/2017, checked against examples worked out by hand below."""

from decimal import Decimal
from fractions import Fraction

import pytest
from django.utils import translation

from kotapintar.core.errors import DomainError
from kotapintar.portal.ikm import (
    ELEMENTS,
    WEIGHT_EXACT,
    WEIGHT_TABLE,
    SurveyResponseError,
    compute_ikm,
    grade_for,
)

# Ten respondents; columns are the elements U1..U9 (requirements ... facilities).
TEN_RESPONSES = [
    #  U1 U2 U3 U4 U5 U6 U7 U8 U9
    [4, 4, 3, 4, 4, 4, 4, 3, 4],
    [3, 3, 2, 4, 3, 4, 4, 3, 3],
    [4, 3, 3, 4, 3, 3, 4, 2, 3],
    [3, 4, 3, 4, 4, 4, 3, 3, 3],
    [4, 3, 3, 4, 3, 4, 4, 4, 3],
    [3, 3, 2, 3, 3, 3, 3, 3, 3],
    [4, 4, 4, 4, 4, 4, 4, 4, 4],
    [3, 3, 3, 4, 3, 3, 4, 3, 3],
    [2, 2, 3, 3, 3, 3, 3, 3, 2],
    [4, 3, 3, 4, 3, 3, 3, 2, 3],
]
# Column totals:  34 32 29 38 33 35 36 30 31
# NRR = total/10: 3.40 3.20 2.90 3.80 3.30 3.50 3.60 3.00 3.10   (sum 29.80)
#
# Exact weight 1/9:
#   weighted NRR = NRR/9: .3778 .3556 .3222 .4222 .3667 .3889 .4000 .3333 .3444
#     reported (3 decimals): 0.378 0.356 0.322 0.422 0.367 0.389 0.400 0.333 0.344
#   IKM = 29.80/9 = 3.31111...  -> 3.3111
#   unit IKM = 3.31111... x 25 = 745/9 = 82.7777...  -> 82.78  -> B (Baik: 76.61-88.30)
#
# Table weight 0.111:
#   weighted NRR = NRR x 0.111: .3774 .3552 .3219 .4218 .3663 .3885 .3996 .3330 .3441
#     reported (3 decimals, half up): 0.377 0.355 0.322 0.422 0.366 0.389 0.400 0.333 0.344
#   IKM = 29.80 x 0.111 = 3.3078
#   unit IKM = 3.3078 x 25 = 82.695 exactly -> 82.70 (half up)  -> B
#
# Each element on its own (NRR x 25): 85.0 80.0 72.5 95.0 82.5 87.5 90.0 75.0 77.5
#   -> grades                          B    B    C    A    B    B    A    C    B


def test_hand_worked_example_exact_weight():
    result = compute_ikm(TEN_RESPONSES)
    assert result.respondents == 10
    assert result.element_totals == (34, 32, 29, 38, 33, 35, 36, 30, 31)
    assert result.element_nrr == tuple(
        Decimal(v) for v in ("3.40", "3.20", "2.90", "3.80", "3.30", "3.50", "3.60", "3.00", "3.10")
    )
    assert result.element_weighted == tuple(
        Decimal(v) for v in ("0.378", "0.356", "0.322", "0.422", "0.367", "0.389", "0.400", "0.333", "0.344")
    )
    assert result.ikm == Decimal("3.3111")
    assert result.unit_ikm == Decimal("82.78")
    with translation.override("id"):
        assert (result.grade, str(result.grade_label)) == ("B", "Baik")
    assert result.element_grades == ("B", "B", "C", "A", "B", "B", "A", "C", "B")
    assert result.weight == WEIGHT_EXACT == Fraction(1, 9)


def test_hand_worked_example_table_weight_rounds_half_up():
    result = compute_ikm(TEN_RESPONSES, weight=WEIGHT_TABLE)
    assert result.element_weighted == tuple(
        Decimal(v) for v in ("0.377", "0.355", "0.322", "0.422", "0.366", "0.389", "0.400", "0.333", "0.344")
    )
    assert result.ikm == Decimal("3.3078")
    assert result.unit_ikm == Decimal("82.70")  # 82.695 exactly: half up, not to even
    assert result.grade == "B"


def test_responses_may_be_any_iterable_and_are_read_once():
    consumed = []

    def stream():
        for response in TEN_RESPONSES:
            consumed.append(response)
            yield tuple(response)

    assert compute_ikm(stream()).unit_ikm == Decimal("82.78")
    assert len(consumed) == 10


def test_scale_runs_from_25_to_100_with_the_exact_weight():
    assert compute_ikm([[4] * 9] * 3).unit_ikm == Decimal("100.00")
    assert compute_ikm([[1] * 9] * 3).unit_ikm == Decimal("25.00")
    # The 0.111 of the tables falls just short at both ends; the grade stays right.
    top = compute_ikm([[4] * 9], weight=WEIGHT_TABLE)
    bottom = compute_ikm([[1] * 9], weight=WEIGHT_TABLE)
    assert (top.unit_ikm, top.grade) == (Decimal("99.90"), "A")
    assert (bottom.unit_ikm, bottom.grade) == (Decimal("24.98"), "D")


@pytest.mark.parametrize(
    ("unit_ikm", "grade", "label"),
    [
        ("100.00", "A", "Sangat Baik"),
        ("88.31", "A", "Sangat Baik"),
        ("88.30", "B", "Baik"),
        ("76.61", "B", "Baik"),
        ("76.60", "C", "Kurang Baik"),
        ("65.00", "C", "Kurang Baik"),
        ("64.99", "D", "Tidak Baik"),
        ("25.00", "D", "Tidak Baik"),
    ],
)
def test_grade_boundaries(unit_ikm, grade, label):
    letter, name = grade_for(Decimal(unit_ikm))
    assert letter == grade
    with translation.override("id"):
        assert str(name) == label


def _responses_with_total(respondents: int, total: int) -> list[list[int]]:
    """`respondents` answers whose scores add up to `total`: every score starts at 1 and is raised in turn."""
    scores = [1] * (9 * respondents)
    extra = total - len(scores)
    assert 0 <= extra <= 3 * len(scores)
    for i in range(len(scores)):
        raise_by = min(3, extra)
        scores[i] += raise_by
        extra -= raise_by
    responses = [scores[i : i + 9] for i in range(0, len(scores), 9)]
    assert sum(map(sum, responses)) == total
    return responses


def test_rounding_to_two_decimals_decides_the_grade_at_the_a_b_boundary():
    # 43 respondents, all scores adding to 1367: unit IKM = 25 x 1367 / (9 x 43) = 34175/387
    # = 88.3075...; reported 88.31 -> A. Cutting (not rounding) to 88.30 would have said B.
    result = compute_ikm(_responses_with_total(43, 1367))
    assert result.unit_ikm == Decimal("88.31")
    assert result.grade == "A"
    # One point less: 25 x 1366 / 387 = 88.2429... -> 88.24 -> B.
    assert compute_ikm(_responses_with_total(43, 1366)).grade == "B"


def test_rounding_at_the_b_c_boundary():
    # 19 respondents, total 524: 25 x 524 / 171 = 76.608... -> 76.61 -> B (76.60 would be C).
    result = compute_ikm(_responses_with_total(19, 524))
    assert (result.unit_ikm, result.grade) == (Decimal("76.61"), "B")


def test_elements_table_for_reports():
    rows = compute_ikm(TEN_RESPONSES).elements
    assert [row["code"] for row in rows] == [f"U{i}" for i in range(1, 10)]
    assert rows[3]["nrr"] == Decimal("3.80") and rows[3]["grade"] == "A"
    with translation.override("id"):
        assert str(rows[0]["name"]) == "Persyaratan"
        assert str(rows[8]["name"]) == "Sarana dan prasarana"
    assert len(ELEMENTS) == 9


@pytest.mark.parametrize(
    ("responses", "message"),
    [
        ([[4] * 8], "Jawaban ke-1 berisi 8 nilai; setiap jawaban harus berisi tepat 9 nilai"),
        ([[4] * 9, [4] * 10], "Jawaban ke-2 berisi 10 nilai"),
        ([[4] * 9, [4, 4, 4, 4, 5, 4, 4, 4, 4]], "Jawaban ke-2, unsur U5 (Produk spesifikasi jenis pelayanan): nilai"),
        ([[0] + [4] * 8], "unsur U1 (Persyaratan): nilai harus bilangan bulat 1 sampai 4, bukan 0"),
        ([[4] * 8 + [3.5]], "bukan 3.5"),
        ([[4] * 8 + [True]], "bukan True"),
        (["444444444"], "Jawaban ke-1 berisi 9 nilai"),
        ([], "Belum ada jawaban survei"),
    ],
)
def test_invalid_responses_say_which_one_and_what_to_fix_in_indonesian(responses, message):
    with translation.override("id"), pytest.raises(SurveyResponseError) as caught:
        compute_ikm(responses)
    assert message in caught.value.message
    assert isinstance(caught.value, DomainError)


def test_only_sensible_weights_are_accepted():
    with pytest.raises(TypeError):
        compute_ikm(TEN_RESPONSES, weight=0.111)
    with pytest.raises(ValueError):
        compute_ikm(TEN_RESPONSES, weight=Decimal("0.2"))
