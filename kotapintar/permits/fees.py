"""The fee (retribusi) of an application, computed from its permit type's rule.

Rules: free; a fixed amount; or a rate × units, where the units are number answers of the
form multiplied together (e.g. width m × height m × faces × months × Rp 25.000). Money is
Decimal rupiah throughout; the result is rounded half-up to whole rupiah (an SKRD levies
whole rupiah, and its amount is spelled out in words), and never below the type's minimum.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils import translation
from django.utils.translation import gettext as _

from kotapintar.core.errors import DomainError

from . import fields as answer_fields
from .formatting import format_rupiah
from .models import NUMERIC_KINDS, FeeKind, PermitType

WHOLE_RUPIAH = Decimal(1)


class FeeError(DomainError):
    """The fee cannot be computed from the answers (a unit answer is missing)."""

    code = "fee_not_computable"


@dataclass(frozen=True)
class FeeLine:
    description: str
    detail: str
    amount: Decimal

    def as_json(self) -> dict:
        return {"description": self.description, "detail": self.detail, "amount": str(self.amount)}


@dataclass(frozen=True)
class FeeComputation:
    amount: Decimal
    lines: tuple[FeeLine, ...]

    @property
    def is_free(self) -> bool:
        return self.amount == 0


def whole_rupiah(amount: Decimal) -> Decimal:
    return amount.quantize(WHOLE_RUPIAH, rounding=ROUND_HALF_UP)


def compute_fee(permit_type: PermitType, data: dict) -> FeeComputation:
    """The fee for these answers. Descriptions are in Indonesian: they are printed on the SKRD."""
    with translation.override("id"):
        return _compute(permit_type, data)


def _compute(permit_type: PermitType, data: dict) -> FeeComputation:
    description = permit_type.fee_description or _("Levy for %(permit)s") % {"permit": permit_type.name}
    if permit_type.fee_kind == FeeKind.FREE:
        return FeeComputation(amount=Decimal(0), lines=())
    rate = Decimal(permit_type.fee_amount)
    if permit_type.fee_kind == FeeKind.FIXED:
        amount = whole_rupiah(max(rate, Decimal(permit_type.fee_minimum)))
        return FeeComputation(amount=amount, lines=(FeeLine(description, "", amount),))
    by_key = {f.key: f for f in permit_type.fields.all()}
    product = Decimal(1)
    parts: list[str] = []
    for key in permit_type.unit_field_keys:
        field = by_key.get(key)
        if field is None or field.kind not in NUMERIC_KINDS:
            raise FeeError(
                _(
                    "The fee rule names “%(key)s”, which is not a number field of this permit "
                    "type. Ask an administrator to fix the rule."
                )
                % {"key": key}
            )
        value = answer_fields.typed_value(field, data.get(key))
        if value is None:
            raise FeeError(
                _(
                    "The fee cannot be computed: “%(field)s” has no answer. Return the "
                    "application to the applicant to complete it."
                )
                % {"field": field.label}
            )
        product *= Decimal(value)
        parts.append(f"{field.label} {answer_fields.display(field, data.get(key))}")
    raw = rate * product
    amount = whole_rupiah(max(raw, Decimal(permit_type.fee_minimum)))
    detail = " × ".join([*parts, format_rupiah(rate)])
    if raw < permit_type.fee_minimum:
        detail += " " + _("(minimum %(amount)s)") % {"amount": format_rupiah(Decimal(permit_type.fee_minimum))}
    return FeeComputation(amount=amount, lines=(FeeLine(description, detail, amount),))


def describe_rule(permit_type: PermitType) -> str:
    """The fee rule in one line for the catalogue ("Free", "Rp 150.000", "Rp 25.000 per m² per month")."""
    if permit_type.fee_kind == FeeKind.FREE:
        return _("No fee")
    if permit_type.fee_kind == FeeKind.FIXED:
        return format_rupiah(Decimal(permit_type.fee_amount))
    return permit_type.fee_rate_label or _("%(rate)s per unit") % {
        "rate": format_rupiah(Decimal(permit_type.fee_amount))
    }
