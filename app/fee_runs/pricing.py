"""What one membership pays under a fee schedule: the lines, pro-rated by whole months.

Pure arithmetic on Decimal; no database. A membership that starts or ends inside the year
pays for the months its period touches, a started month counting in full: joining on
15 March bills March to December (10 of 12 months), ending on 10 June bills January to
June (6 of 12). Each line's annual amount becomes `round_money(annual * months / 12)`.
"""

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from app.companies.models import Language
from app.invoices.models import VatCategory
from app.invoices.money import round_money

MONTHS_IN_YEAR = 12

# "10 of 12 months" in the buyer's language, appended to a pro-rated line's description.
_PART_OF_YEAR = {
    Language.NORWEGIAN_BOKMAL: "{months} av 12 måneder",
    Language.SWEDISH: "{months} av 12 månader",
    Language.ENGLISH: "{months} of 12 months",
}


@dataclass(frozen=True, slots=True)
class Tier:
    min_employees: int
    amount: Decimal


@dataclass(frozen=True, slots=True)
class FeeLine:
    """A schedule line as stored (app/fee_schedules/schemas.py), parsed back to Decimal."""

    description: str
    amount: Decimal | None
    tiers: tuple[Tier, ...] | None
    vat_category: VatCategory
    vat_rate: Decimal
    vat_exemption_reason: str | None

    @classmethod
    def of(cls, stored: dict[str, Any]) -> "FeeLine":
        tiers = stored.get("tiers")
        amount = stored.get("amount")
        return cls(
            description=stored["description"],
            amount=None if amount is None else Decimal(amount),
            tiers=None
            if tiers is None
            else tuple(Tier(int(t["min_employees"]), Decimal(t["amount"])) for t in tiers),
            vat_category=VatCategory(stored["vat_category"]),
            vat_rate=Decimal(stored["vat_rate"]),
            vat_exemption_reason=stored.get("vat_exemption_reason"),
        )

    def annual_amount(self, employees: int | None) -> Decimal | None:
        """The line's amount for a whole year; None when it is tiered and the number of
        employees is unknown."""
        if self.tiers is None:
            # The schema gives one or the other.
            return self.amount if self.amount is not None else Decimal(0)
        if employees is None:
            return None
        # Tiers ascend from 0: the last one reached applies.
        reached = [tier.amount for tier in self.tiers if tier.min_employees <= employees]
        return reached[-1]


def parse_lines(stored: Iterable[dict[str, Any]]) -> tuple[FeeLine, ...]:
    return tuple(FeeLine.of(line) for line in stored)


@dataclass(frozen=True, slots=True)
class BilledPeriod:
    """The whole months of `year` a membership is billed for."""

    starts_on: date  # the first day of the first billed month
    ends_on: date  # the last day of the last billed month
    months: int

    @property
    def whole_year(self) -> bool:
        return self.months == MONTHS_IN_YEAR


def billed_period(year: int, starts_on: date, ends_on: date | None) -> BilledPeriod | None:
    """The months of `year` that [starts_on, ends_on] touches; None when it misses the year."""
    if starts_on.year > year or (ends_on is not None and ends_on.year < year):
        return None
    first_month = starts_on.month if starts_on.year == year else 1
    last_month = ends_on.month if ends_on is not None and ends_on.year == year else 12
    last_day = calendar.monthrange(year, last_month)[1]
    return BilledPeriod(
        starts_on=date(year, first_month, 1),
        ends_on=date(year, last_month, last_day),
        months=last_month - first_month + 1,
    )


@dataclass(frozen=True, slots=True)
class PricedLine:
    """One invoice line of a fee invoice: quantity 1 at the (pro-rated) amount."""

    description: str
    line_amount: Decimal
    vat_category: VatCategory
    vat_rate: Decimal
    vat_exemption_reason: str | None


def pro_rated(annual: Decimal, months: int) -> Decimal:
    return round_money(annual * months / MONTHS_IN_YEAR)


def describe(line: FeeLine, period: BilledPeriod, language: Language) -> str:
    if period.whole_year:
        return line.description
    part = _PART_OF_YEAR[language].format(months=period.months)
    return f"{line.description} ({part})"


def price_lines(
    lines: Sequence[FeeLine], employees: int | None, period: BilledPeriod, language: Language
) -> list[PricedLine] | None:
    """The invoice lines for one membership; None when a tiered line cannot be priced
    (employees unknown)."""
    priced = []
    for line in lines:
        annual = line.annual_amount(employees)
        if annual is None:
            return None
        priced.append(
            PricedLine(
                description=describe(line, period, language),
                line_amount=pro_rated(annual, period.months),
                vat_category=line.vat_category,
                vat_rate=line.vat_rate,
                vat_exemption_reason=line.vat_exemption_reason,
            )
        )
    return priced
