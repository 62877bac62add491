"""Invoice arithmetic as EN 16931 defines it, in Decimal.

- A line's net amount is quantity x unit price, rounded to two decimals (BR-DEC-23).
- The VAT breakdown groups lines by category and rate; a group's taxable amount is the
  sum of its line amounts (BR-S-08, BR-E-08, BR-O-08) and its VAT is that taxable
  amount x rate, rounded to two decimals once per group, not per line.
- Total VAT is the sum of the groups' VAT (BR-CO-14); the amount payable is the sum of
  line amounts plus total VAT (BR-CO-15), there being no allowances or prepayments.

Rounding is half up (away from zero at .5), as Norwegian and Swedish practice expects.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

from app.invoices.models import VatCategory

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)


def round_money(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def line_amount(quantity: Decimal, unit_price: Decimal) -> Decimal:
    return round_money(quantity * unit_price)


def vat_of(taxable_amount: Decimal, rate: Decimal) -> Decimal:
    return round_money(taxable_amount * rate / HUNDRED)


def format_money(amount: Decimal) -> str:
    """The JSON and XML form: a plain string with two decimals, `1250.00`."""
    return f"{round_money(amount):.2f}"


class PricedLine(Protocol):
    @property
    def line_amount(self) -> Decimal: ...
    @property
    def vat_category(self) -> VatCategory: ...
    @property
    def vat_rate(self) -> Decimal: ...
    @property
    def vat_exemption_reason(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class VatGroup:
    """One row of the VAT breakdown (EN 16931 BG-23)."""

    category: VatCategory
    rate: Decimal
    taxable_amount: Decimal
    tax_amount: Decimal
    exemption_reason: str | None


@dataclass(frozen=True, slots=True)
class Totals:
    line_extension_amount: Decimal  # BT-106, also BT-109 (no document allowances)
    tax_amount: Decimal  # BT-110
    payable_amount: Decimal  # BT-112 = BT-115
    vat_breakdown: tuple[VatGroup, ...]


def totals(lines: Iterable[PricedLine]) -> Totals:
    groups: dict[tuple[VatCategory, Decimal], list[PricedLine]] = {}
    for line in lines:
        rate = line.vat_rate.quantize(CENT)
        groups.setdefault((line.vat_category, rate), []).append(line)
    breakdown = []
    for (category, rate), members in sorted(groups.items(), key=lambda item: item[0]):
        taxable = sum((member.line_amount for member in members), ZERO)
        reasons = sorted({m.vat_exemption_reason for m in members if m.vat_exemption_reason})
        breakdown.append(
            VatGroup(
                category=category,
                rate=rate,
                taxable_amount=taxable,
                tax_amount=vat_of(taxable, rate) if category is VatCategory.STANDARD else ZERO,
                exemption_reason="; ".join(reasons) or None,
            )
        )
    net = sum((group.taxable_amount for group in breakdown), ZERO)
    tax = sum((group.tax_amount for group in breakdown), ZERO)
    return Totals(
        line_extension_amount=net,
        tax_amount=tax,
        payable_amount=net + tax,
        vat_breakdown=tuple(breakdown),
    )
