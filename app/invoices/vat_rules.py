"""The VAT rules of one line, shared by invoice lines and fee schedule lines.

They span fields (the category decides the rate and the reason), which JSON Schema cannot
say, so they are checked here rather than in the request schemas: a body the OpenAPI
document calls valid gets a rule's own code (422 `invalid_vat_rate`, …), never the
generic `validation_failed`.
"""

from decimal import Decimal

from app.errors import InvalidField
from app.invoices.models import VatCategory

STANDARD_RATE = Decimal("25.00")
ZERO_RATE = Decimal("0.00")
# EN 16931 wants a reason on every O group (BR-O-10); this one when none is given.
OUTSIDE_SCOPE_REASON = "Outside the scope of VAT"


def checked_vat(
    field: str, category: VatCategory, rate: Decimal | None, exemption_reason: str | None
) -> tuple[Decimal, str | None]:
    """The line's VAT rate and exemption reason after its category's rules.

    S: a rate above zero (25.00 when left out) and no reason. E: rate 0 and a reason
    (the invoice must say why). O: rate 0, and a reason by default (EN 16931 BR-O-10).
    `field` is the line's path in the body.
    """
    if category is VatCategory.STANDARD:
        rate = STANDARD_RATE if rate is None else rate
        if rate <= 0:
            raise InvalidField(
                f"{field}.vat_rate",
                "A standard-rated (S) line needs a VAT rate above zero.",
                code="invalid_vat_rate",
            )
        if exemption_reason is not None:
            raise InvalidField(
                f"{field}.vat_exemption_reason",
                "A standard-rated (S) line has no VAT exemption reason.",
                code="vat_exemption_reason_not_allowed",
            )
        return rate, None
    if rate is not None and rate != 0:
        raise InvalidField(
            f"{field}.vat_rate",
            f"A line in VAT category {category.value} has rate 0 (or none).",
            code="invalid_vat_rate",
        )
    if category is VatCategory.EXEMPT and exemption_reason is None:
        raise InvalidField(
            f"{field}.vat_exemption_reason",
            "An exempt (E) line needs `vat_exemption_reason`: the invoice must say why.",
            code="vat_exemption_reason_required",
        )
    if category is VatCategory.OUTSIDE_SCOPE and exemption_reason is None:
        exemption_reason = OUTSIDE_SCOPE_REASON
    return ZERO_RATE, exemption_reason
