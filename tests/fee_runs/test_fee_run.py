"""`POST /v1/fee-runs`: amounts, pro-rating, the invoices made, and what is skipped."""

from decimal import Decimal
from typing import Any

import httpx
import pytest

from tests.factories import create_company
from tests.fee_runs.conftest import YEAR, Fees, flat_line
from tests.helpers import fetch

TIERS = [
    {"min_employees": 0, "amount": "5000.00"},
    {"min_employees": 50, "amount": "12000.00"},
    {"min_employees": 250, "amount": "25000.00"},
]


async def _invoices(client: httpx.AsyncClient, network_id: str) -> list[dict[str, Any]]:
    page = await fetch(client, f"/v1/invoices?network_id={network_id}&fee_year={YEAR}&limit=200")
    items: list[dict[str, Any]] = page["items"]
    return items


async def test_one_draft_per_member_with_the_schedules_content(fees: Fees) -> None:
    await fees.schedule(
        lines=[
            flat_line(),
            {
                "description": "Kurs",
                "amount": "1000.00",
                "vat_category": "E",
                "vat_exemption_reason": "Unntatt etter mval. § 3-5",
            },
        ]
    )
    buyer = await create_company(fees.client, language="en")
    membership = await fees.member(buyer)
    await fees.member()

    summary = await fees.summary()

    assert summary["dry_run"] is False
    assert summary["seller_id"] == fees.seller["id"]
    assert summary["currency"] == "NOK"
    assert (summary["created_count"], summary["skipped_count"]) == (2, 0)
    assert summary["total_amount"] == "32000.00"  # 2 x (12000 + 3000 VAT + 1000 exempt)
    mine = next(row for row in summary["created"] if row["membership_id"] == membership["id"])
    assert mine["organisation_id"] == buyer["id"]
    assert (mine["months"], mine["amount"], mine["payable_amount"]) == (12, "13000.00", "16000.00")

    invoice = await fetch(fees.client, f"/v1/invoices/{mine['invoice_id']}")
    assert {key: invoice[key] for key in _HEAD} == {
        "kind": "invoice",
        "status": "draft",
        "number": None,
        "seller_id": fees.seller["id"],
        "buyer_id": buyer["id"],
        "network_id": fees.network_id,
        "membership_id": membership["id"],
        "fee_year": YEAR,
        "currency": "NOK",
        "language": "en",
        "payment_terms_days": 20,
        "note": "Kontingent for 2026",
        "delivery_starts_on": "2026-01-01",
        "delivery_ends_on": "2026-12-31",
        "line_extension_amount": "13000.00",
        "tax_amount": "3000.00",
        "payable_amount": "16000.00",
        "amount_paid": "0.00",
        "amount_credited": "0.00",
        "reminder_level": 0,
    }
    assert [
        (
            line["position"],
            line["description"],
            Decimal(line["quantity"]),
            line["unit_price"],
            line["line_amount"],
            line["vat_category"],
            line["vat_rate"],
            line["vat_exemption_reason"],
        )
        for line in invoice["lines"]
    ] == [
        (1, "Administrasjonsgebyr", _ONE, "12000.00", "12000.00", "S", "25.00", None),
        (2, "Kurs", _ONE, "1000.00", "1000.00", "E", "0.00", "Unntatt etter mval. § 3-5"),
    ]
    assert len(await _invoices(fees.client, fees.network_id)) == 2


_HEAD = [
    "kind",
    "status",
    "number",
    "seller_id",
    "buyer_id",
    "network_id",
    "membership_id",
    "fee_year",
    "currency",
    "language",
    "payment_terms_days",
    "note",
    "delivery_starts_on",
    "delivery_ends_on",
    "line_extension_amount",
    "tax_amount",
    "payable_amount",
    "amount_paid",
    "amount_credited",
    "reminder_level",
]
_ONE = Decimal(1)


async def test_tiers_by_employees(fees: Fees) -> None:
    await fees.schedule(lines=[{"description": "Gebyr", "tiers": TIERS, "vat_category": "O"}])
    sizes = {0: "5000.00", 49: "5000.00", 50: "12000.00", 249: "12000.00", 250: "25000.00"}
    memberships = {}
    for employees in sizes:
        company = await create_company(fees.client, employees=employees)
        memberships[(await fees.member(company))["id"]] = employees
    unknown = await fees.member(await create_company(fees.client, employees=None))

    summary = await fees.summary()

    paid = {memberships[row["membership_id"]]: row["payable_amount"] for row in summary["created"]}
    assert paid == sizes  # outside the scope of VAT: no VAT added
    assert [(row["membership_id"], row["reason"]) for row in summary["skipped"]] == [
        (unknown["id"], "employees_unknown")
    ]


PRO_RATING = {
    "whole year, began earlier": ("2024-05-20", None, 12, "12000.00", "2026-01-01", "2026-12-31"),
    "joins 15 March": ("2026-03-15", None, 10, "10000.00", "2026-03-01", "2026-12-31"),
    "ends 10 June": ("2025-02-01", "2026-06-10", 6, "6000.00", "2026-01-01", "2026-06-30"),
    "both inside": ("2026-04-30", "2026-09-01", 6, "6000.00", "2026-04-01", "2026-09-30"),
    "two days in one month": ("2026-02-27", "2026-02-28", 1, "1000.00", "2026-02-01", "2026-02-28"),
    "into next year": ("2026-12-31", "2027-03-31", 1, "1000.00", "2026-12-01", "2026-12-31"),
}


@pytest.mark.parametrize(
    ("starts_on", "ends_on", "months", "amount", "first_day", "last_day"),
    PRO_RATING.values(),
    ids=PRO_RATING.keys(),
)
async def test_pro_rating_by_whole_months(
    fees: Fees,
    starts_on: str,
    ends_on: str | None,
    months: int,
    amount: str,
    first_day: str,
    last_day: str,
) -> None:
    await fees.schedule()
    await fees.member(starts_on=starts_on, ends_on=ends_on)

    [created] = (await fees.summary())["created"]

    assert (created["months"], created["amount"]) == (months, amount)
    invoice = await fetch(fees.client, f"/v1/invoices/{created['invoice_id']}")
    assert (invoice["delivery_starts_on"], invoice["delivery_ends_on"]) == (first_day, last_day)
    [line] = invoice["lines"]
    suffix = "" if months == 12 else f" ({months} av 12 måneder)"
    assert line["description"] == f"Administrasjonsgebyr{suffix}"
    assert line["unit_price"] == line["line_amount"] == amount


@pytest.mark.parametrize(
    ("language", "text"),
    [("nb", "4 av 12 måneder"), ("sv", "4 av 12 månader"), ("en", "4 of 12 months")],
)
async def test_pro_rated_line_speaks_the_buyers_language(
    fees: Fees, language: str, text: str
) -> None:
    await fees.schedule(lines=[flat_line("1000.00")])
    company = await create_company(fees.client, language=language)
    await fees.member(company, starts_on="2026-09-02")
    [created] = (await fees.summary())["created"]
    assert created["amount"] == "333.33"  # 1000 x 4 / 12, rounded half up
    invoice = await fetch(fees.client, f"/v1/invoices/{created['invoice_id']}")
    assert invoice["lines"][0]["description"] == f"Administrasjonsgebyr ({text})"
    assert invoice["language"] == language


async def test_memberships_outside_the_year_are_not_considered(fees: Fees) -> None:
    await fees.schedule()
    await fees.member(starts_on="2024-01-01", ends_on="2025-12-31")
    await fees.member(starts_on="2027-01-01")
    summary = await fees.summary()
    assert (summary["created"], summary["skipped"]) == ([], [])
    assert summary["total_amount"] == "0.00"


async def test_partners_and_observers_pay_only_when_listed(fees: Fees) -> None:
    await fees.schedule()
    member = await fees.member()
    partner = await fees.member(kind="partner")
    observer = await fees.member(kind="observer")

    summary = await fees.summary()
    assert [row["membership_id"] for row in summary["created"]] == [member["id"]]
    assert {row["membership_id"]: row["reason"] for row in summary["skipped"]} == {
        partner["id"]: "kind_not_billable",
        observer["id"]: "kind_not_billable",
    }

    listing = await fees.set_up()  # a second network whose schedule bills partners too
    await listing.schedule(billable_kinds=["member", "partner"])
    partner = await listing.member(kind="partner")
    observer = await listing.member(kind="observer")
    summary = await listing.summary()
    assert [row["membership_id"] for row in summary["created"]] == [partner["id"]]
    assert [row["reason"] for row in summary["skipped"]] == ["kind_not_billable"]


async def test_skip_reasons(fees: Fees) -> None:
    await fees.schedule()
    applied = await fees.member(status="applied")
    suspended = await fees.member()
    response = await fees.client.patch(
        f"/v1/memberships/{suspended['id']}",
        json={"status": "suspended"},
        headers={"If-Match": '"1"'},
    )
    assert response.status_code == 200, response.text
    ended = await fees.member(starts_on="2025-01-01")
    response = await fees.client.post(
        f"/v1/memberships/{ended['id']}/end", json={"ends_on": "2026-02-14"}
    )
    assert response.status_code == 200, response.text
    archived_company = await create_company(fees.client)
    archived = await fees.member(archived_company)
    response = await fees.client.post(f"/v1/companies/{archived_company['id']}/archive")
    assert response.status_code == 200, response.text

    summary = await fees.summary()

    months = {row["membership_id"]: row["months"] for row in summary["created"]}
    assert months == {suspended["id"]: 12, ended["id"]: 2}
    reasons = {row["membership_id"]: row["reason"] for row in summary["skipped"]}
    assert reasons == {
        applied["id"]: "application_pending",
        archived["id"]: "organisation_archived",
    }
    assert all(row["detail"] for row in summary["skipped"])


async def test_a_zero_fee_makes_no_invoice(fees: Fees) -> None:
    await fees.schedule(lines=[flat_line("0.00")])
    membership = await fees.member()
    summary = await fees.summary()
    assert summary["created"] == []
    assert [(row["membership_id"], row["reason"]) for row in summary["skipped"]] == [
        (membership["id"], "zero_amount")
    ]
    assert await _invoices(fees.client, fees.network_id) == []
