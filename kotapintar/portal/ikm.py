"""The community satisfaction index (IKM) from SKM responses, per PermenPANRB 14/2017.

Each respondent scores nine service elements (unsur) from 1 to 4. Then:

    NRR per element      = total of that element's scores / number of respondents
    weighted NRR         = NRR x weight            (the same weight for every element)
    IKM                  = sum of the nine weighted NRRs          (scale 1-4)
    unit IKM             = IKM x 25                                (scale 25-100)

and the unit IKM is graded by the regulation's conversion table:

    88.31 - 100.00  A  Sangat Baik        65.00 - 76.60  C  Kurang Baik
    76.61 -  88.30  B  Baik               25.00 - 64.99  D  Tidak Baik

The weight. The regulation defines it as total weight / number of elements = 1/9 and its
tables write that as 0.111. We compute with exactly 1/9 by default (`WEIGHT_EXACT`): then
the index is the plain mean of the nine NRRs, and the scale really runs from 25.00 (all
scores 1) to 100.00 (all scores 4), as the regulation states. With 0.111 the scale would
end at 99.90 and start at 24.98, below the D band. `WEIGHT_TABLE` (0.111) reproduces
figures computed by hand from the regulation's tables; the two differ by at most 0.1 point.

Rounding. The regulation prescribes no intermediate rounding; its conversion table gives
the 1-4 value to 4 decimals and the 25-100 value to 2 decimals, with bands that only
close up at 2 decimals (88.30 | 88.31). So everything is computed exactly (fractions) and
each reported figure is rounded once, half up, from the exact value: NRR to 2 decimals
(as survey reports print it), weighted NRR to 3, IKM to 4, unit IKM to 2; the grade is
read from the reported (rounded) unit IKM. No rounded figure feeds another computation.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kotapintar.core.errors import DomainError

ELEMENT_COUNT = 9
MIN_SCORE, MAX_SCORE = 1, 4
CONVERSION_FACTOR = 25
WEIGHT_EXACT = Fraction(1, ELEMENT_COUNT)
WEIGHT_TABLE = Decimal("0.111")

# The nine elements (unsur) of Lampiran PermenPANRB 14/2017, in questionnaire order U1..U9.
ELEMENTS: tuple[tuple[str, Promise], ...] = (
    ("requirements", _("Requirements")),
    ("procedure", _("Systems, mechanisms and procedures")),
    ("service_time", _("Completion time")),
    ("fee", _("Cost/tariff")),
    ("product", _("Service product specifications")),
    ("staff_competence", _("Staff competence")),
    ("staff_behaviour", _("Staff behaviour")),
    ("complaints", _("Handling of complaints, suggestions and feedback")),
    ("facilities", _("Facilities and infrastructure")),
)

# (lowest reported unit IKM of the band, grade, label), best first.
GRADES: tuple[tuple[Decimal, str, Promise], ...] = (
    (Decimal("88.31"), "A", pgettext_lazy("service quality", "Very good")),
    (Decimal("76.61"), "B", pgettext_lazy("service quality", "Good")),
    (Decimal("65.00"), "C", pgettext_lazy("service quality", "Poor")),
    (Decimal("25.00"), "D", pgettext_lazy("service quality", "Very poor")),
)


class SurveyResponseError(DomainError):
    """A survey response cannot be counted (wrong number of scores, or a score outside 1-4)."""

    status_code = 400
    code = "invalid_survey_response"


def _round(value: Fraction, places: int) -> Decimal:
    """Round an exact value half up to `places` decimals (no binary or decimal precision loss)."""
    scale = 10**places
    scaled = value * scale
    rounded = (scaled.numerator * 2 + scaled.denominator) // (scaled.denominator * 2)  # half up, value >= 0
    return Decimal(rounded).scaleb(-places)


def grade_for(unit_ikm: Decimal) -> tuple[str, Promise]:
    """Grade letter and label of a reported unit IKM (2 decimals), per the conversion table."""
    if not isinstance(unit_ikm, Decimal):
        raise TypeError("unit_ikm is a Decimal")
    for lowest, letter, label in GRADES:
        if unit_ikm >= lowest:
            return letter, label
    # Only the 0.111 table weight can go below 25.00 (all scores 1 give 24.98): still the lowest band.
    return GRADES[-1][1], GRADES[-1][2]


@dataclass(frozen=True)
class IkmResult:
    respondents: int
    element_totals: tuple[int, ...]  # sum of scores per element U1..U9
    element_nrr: tuple[Decimal, ...]  # NRR per element, 2 decimals
    element_weighted: tuple[Decimal, ...]  # NRR x weight, 3 decimals
    element_grades: tuple[str, ...]  # each element's NRR x 25 graded on the same table
    ikm: Decimal  # 1-4 scale, 4 decimals
    unit_ikm: Decimal  # 25-100 scale, 2 decimals: the published figure
    grade: str  # A, B, C or D
    grade_label: Promise  # Sangat Baik, Baik, Kurang Baik, Tidak Baik
    weight: Fraction | Decimal

    @property
    def elements(self) -> list[dict]:
        """One row per element, for tables and charts."""
        return [
            {"code": f"U{i + 1}", "key": key, "name": name, "total": total, "nrr": nrr, "weighted": w, "grade": g}
            for i, ((key, name), total, nrr, w, g) in enumerate(
                zip(
                    ELEMENTS,
                    self.element_totals,
                    self.element_nrr,
                    self.element_weighted,
                    self.element_grades,
                    strict=True,
                )
            )
        ]


def _validate(index: int, response: Sequence[int]) -> Sequence[int]:
    if isinstance(response, str | bytes) or not isinstance(response, Sequence) or len(response) != ELEMENT_COUNT:
        count = len(response) if isinstance(response, Sequence) else 0
        raise SurveyResponseError(
            _("Response %(index)s has %(count)s scores; each response needs exactly 9, one for each service element.")
            % {"index": index, "count": count}
        )
    for position, score in enumerate(response):
        if isinstance(score, bool) or not isinstance(score, int) or not MIN_SCORE <= score <= MAX_SCORE:
            message = _(
                "Response %(index)s, element U%(number)s (%(element)s): scores are whole numbers 1 to 4, not %(value)s."
            )
            params = {"index": index, "number": position + 1, "element": ELEMENTS[position][1], "value": repr(score)}
            raise SurveyResponseError(message % params)
    return response


def compute_ikm(responses: Iterable[Sequence[int]], *, weight: Fraction | Decimal = WEIGHT_EXACT) -> IkmResult:
    """The IKM of a set of SKM responses (each: 9 scores 1-4 in the order of ELEMENTS).

    Streams the responses once; raises SurveyResponseError (a DomainError with a message
    saying which response and element to fix) for an invalid response or for none at all.
    """
    exact_weight = _exact_weight(weight)

    totals = [0] * ELEMENT_COUNT
    respondents = 0
    for response in responses:
        respondents += 1
        for position, score in enumerate(_validate(respondents, response)):
            totals[position] += score
    return _result(totals, respondents, exact_weight, weight)


def ikm_from_totals(totals: Sequence[int], respondents: int, *, weight: Fraction | Decimal = WEIGHT_EXACT) -> IkmResult:
    """The IKM from each element's total score and the number of respondents.

    The index depends on the responses only through these sums, so this gives exactly
    what compute_ikm gives for the same responses: the portal feeds it with SUM()s
    computed by the database (one query for every agency or service of a period). The
    sums are checked for what valid responses can add up to (each between respondents x 1
    and respondents x 4).
    """
    exact_weight = _exact_weight(weight)
    if isinstance(respondents, bool) or not isinstance(respondents, int) or respondents < 0:
        raise TypeError("respondents is a whole number, zero or more")
    if isinstance(totals, str | bytes) or len(totals) != ELEMENT_COUNT:
        raise ValueError("totals holds one sum per element (9)")
    for total in totals:
        if isinstance(total, bool) or not isinstance(total, int):
            raise TypeError("each total is a whole number")
        if respondents and not respondents * MIN_SCORE <= total <= respondents * MAX_SCORE:
            raise ValueError(f"a total of {total} cannot come from {respondents} valid responses")
    return _result(list(totals), respondents, exact_weight, weight)


def _exact_weight(weight: Fraction | Decimal) -> Fraction:
    if isinstance(weight, Decimal):
        exact_weight = Fraction(weight)
    elif isinstance(weight, Fraction):
        exact_weight = weight
    else:
        raise TypeError("weight is WEIGHT_EXACT (Fraction 1/9) or WEIGHT_TABLE (Decimal 0.111)")
    if not 0 < exact_weight <= Fraction(1, ELEMENT_COUNT):
        raise ValueError("the weight must be in (0, 1/9]")
    return exact_weight


def _result(totals: list[int], respondents: int, exact_weight: Fraction, weight: Fraction | Decimal) -> IkmResult:
    if respondents == 0:
        raise SurveyResponseError(
            str(_("There are no survey responses yet, so the satisfaction index cannot be computed."))
        )

    nrr = [Fraction(total, respondents) for total in totals]
    weighted = [value * exact_weight for value in nrr]
    ikm = sum(weighted, Fraction(0))
    unit_ikm = _round(ikm * CONVERSION_FACTOR, 2)
    grade, label = grade_for(unit_ikm)
    return IkmResult(
        respondents=respondents,
        element_totals=tuple(totals),
        element_nrr=tuple(_round(value, 2) for value in nrr),
        element_weighted=tuple(_round(value, 3) for value in weighted),
        element_grades=tuple(grade_for(_round(value * CONVERSION_FACTOR, 2))[0] for value in nrr),
        ikm=_round(ikm, 4),
        unit_ikm=unit_ikm,
        grade=grade,
        grade_label=label,
        weight=weight,
    )
