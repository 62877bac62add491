"""Pro-rating and tiers as pure arithmetic (the API tests cover the same through a run)."""

from datetime import date
from decimal import Decimal

import pytest

from app.companies.models import Language
from app.fee_runs.pricing import FeeLine, billed_period, price_lines, pro_rated


@pytest.mark.parametrize(
    ("starts_on", "ends_on", "expected"),
    [
        (date(2026, 1, 1), None, (date(2026, 1, 1), date(2026, 12, 31), 12)),
        (date(2026, 3, 15), None, (date(2026, 3, 1), date(2026, 12, 31), 10)),
        (date(2020, 1, 1), date(2026, 6, 10), (date(2026, 1, 1), date(2026, 6, 30), 6)),
        (date(2026, 2, 28), date(2026, 2, 28), (date(2026, 2, 1), date(2026, 2, 28), 1)),
        (date(2028, 2, 1), date(2028, 2, 1), None),  # another year: nothing
        (date(2027, 1, 1), None, None),
        (date(2024, 1, 1), date(2025, 12, 31), None),
    ],
)
def test_billed_period(
    starts_on: date, ends_on: date | None, expected: tuple[date, date, int] | None
) -> None:
    period = billed_period(2026, starts_on, ends_on)
    got = None if period is None else (period.starts_on, period.ends_on, period.months)
    assert got == expected


@pytest.mark.parametrize(
    ("annual", "months", "expected"),
    [("1000.00", 7, "583.33"), ("100.00", 5, "41.67"), ("0.10", 1, "0.01"), ("99.99", 12, "99.99")],
)
def test_pro_rated_amounts_round_half_up_to_the_ore(
    annual: str, months: int, expected: str
) -> None:
    assert pro_rated(Decimal(annual), months) == Decimal(expected)


def test_tiers_pick_the_highest_reached_and_need_employees() -> None:
    line = FeeLine.of(
        {
            "description": "Gebyr",
            "amount": None,
            "tiers": [
                {"min_employees": 0, "amount": "10.00"},
                {"min_employees": 5, "amount": "20.00"},
            ],
            "vat_category": "S",
            "vat_rate": "25.00",
            "vat_exemption_reason": None,
        }
    )
    period = billed_period(2026, date(2026, 1, 1), None)
    assert period is not None
    assert [line.annual_amount(n) for n in (0, 4, 5, 500)] == [
        Decimal(v) for v in ["10", "10", "20", "20"]
    ]
    assert price_lines([line], None, period, Language.ENGLISH) is None
    [priced] = price_lines([line], 7, period, Language.ENGLISH) or []
    assert (priced.description, priced.line_amount) == ("Gebyr", Decimal("20.00"))
