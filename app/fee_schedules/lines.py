"""The rules of a fee line that span its fields, and the JSON a schedule stores.

A stored schedule can always be billed: each line has a flat `amount` or `tiers` (never
both), tiers start at 0 employees and go strictly up, and the VAT category decides the
rate (S: above zero, 25.00 when left out; E and O: 0) and the exemption reason (required
for E, refused for S); O is not mixed with other categories (every line of a schedule goes
on one invoice, and Peppol refuses that mix). Each rule answers 422 with its own code, on
the line's field.
"""

import itertools
from collections.abc import Sequence
from typing import Any

from app.errors import InvalidField
from app.fee_schedules.schemas import FeeLineIn, FeeTier
from app.invoices.models import VatCategory
from app.invoices.vat_rules import checked_vat


def _check_tiers(field: str, tiers: Sequence[FeeTier]) -> None:
    if tiers[0].min_employees != 0:
        raise InvalidField(
            f"{field}.0.min_employees",
            "The first tier starts at 0 employees, so every organisation has a price.",
            code="fee_tiers_out_of_order",
        )
    for index, (before, after) in enumerate(itertools.pairwise(tiers), start=1):
        if after.min_employees <= before.min_employees:
            raise InvalidField(
                f"{field}.{index}.min_employees",
                "Tiers go strictly up in `min_employees`.",
                code="fee_tiers_out_of_order",
            )


def _check_outside_scope_alone(lines: Sequence[FeeLineIn]) -> None:
    # BR-O-11/12: an invoice outside the scope of VAT has no line in another category, and
    # each schedule line becomes a line of the same invoice.
    if len({line.vat_category for line in lines}) > 1:
        raise InvalidField(
            "lines",
            "Category O (outside the scope of VAT) cannot be mixed with other categories: "
            "every line of a schedule goes on the same invoice.",
            code="vat_categories_mixed",
        )


def stored_lines(lines: Sequence[FeeLineIn]) -> list[dict[str, Any]]:
    """Check every line and return the JSON kept in `fee_schedules.lines`: money and
    rates as exact strings with two decimals."""
    stored = []
    if any(line.vat_category is VatCategory.OUTSIDE_SCOPE for line in lines):
        _check_outside_scope_alone(lines)
    for index, line in enumerate(lines):
        field = f"lines.{index}"
        if (line.amount is None) == (line.tiers is None):
            raise InvalidField(
                f"{field}.amount",
                "Give either `amount` (a flat fee) or `tiers` (by employees), not both "
                "and not neither.",
                code="fee_line_amount_or_tiers",
            )
        if line.tiers is not None:
            _check_tiers(f"{field}.tiers", line.tiers)
        rate, reason = checked_vat(
            field, line.vat_category, line.vat_rate, line.vat_exemption_reason
        )
        stored.append(
            {
                "description": line.description,
                "amount": None if line.amount is None else f"{line.amount:.2f}",
                "tiers": None
                if line.tiers is None
                else [
                    {"min_employees": tier.min_employees, "amount": f"{tier.amount:.2f}"}
                    for tier in line.tiers
                ],
                "vat_category": line.vat_category.value,
                "vat_rate": f"{rate:.2f}",
                "vat_exemption_reason": reason,
            }
        )
    return stored
