"""Listing invoices: filters, keyset paging, a fixed number of queries."""

import uuid
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from app.clock import today
from app.invoices.models import Invoice
from tests.helpers import next_link
from tests.invoice_factories import create_buyer, create_draft, create_issued, create_seller, line


async def _ids(client: httpx.AsyncClient, **params: Any) -> list[str]:
    response = await client.get("/v1/invoices", params=params)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


async def test_filters(client: httpx.AsyncClient, engine: AsyncEngine) -> None:
    seller, buyer, other = (
        await create_seller(client),
        await create_buyer(client),
        await create_buyer(client),
    )
    draft = await create_draft(client, seller, buyer)
    issued = await create_issued(client, seller, buyer)
    late = await create_issued(client, seller, other)
    async with engine.begin() as connection:
        await connection.execute(
            update(Invoice)
            .where(Invoice.id == uuid.UUID(late["id"]))
            .values(due_date=today().replace(year=2020))
        )
    assert await _ids(client, status="draft") == [draft["id"]]
    assert set(await _ids(client, status=["draft", "issued"])) == {
        draft["id"],
        issued["id"],
        late["id"],
    }
    assert set(await _ids(client, buyer_id=buyer["id"])) == {draft["id"], issued["id"]}
    assert await _ids(client, overdue="true") == [late["id"]]
    assert await _ids(client, kind="credit_note") == []
    assert await _ids(client, fee_year=2026) == []
    by_number = await _ids(client, sort="number")
    assert by_number == [issued["id"], late["id"], draft["id"]]  # drafts last
    assert (await client.get("/v1/invoices", params={"status": "nonsense"})).status_code == 422


async def test_keyset_pages_and_query_count(client: httpx.AsyncClient, count_queries: Any) -> None:
    seller, buyer = await create_seller(client), await create_buyer(client)
    created = [
        await create_draft(client, seller, buyer, lines=[line(), line(unit_price="0.99")])
        for _ in range(5)
    ]
    with count_queries() as one_row:
        first = await client.get("/v1/invoices", params={"limit": 1})
    seen = [item["id"] for item in first.json()["items"]]
    url = next_link(first)
    while url is not None:
        page = await client.get(url)
        seen += [item["id"] for item in page.json()["items"]]
        url = next_link(page)
    assert seen == [invoice["id"] for invoice in reversed(created)]
    with count_queries() as many_rows:
        every = await client.get("/v1/invoices", params={"limit": 50})
    assert len(every.json()["items"]) == 5
    assert all(len(item["lines"]) == 2 for item in every.json()["items"])
    assert many_rows.count == one_row.count


async def test_money_to_the_ore_over_many_lines(client: httpx.AsyncClient) -> None:
    """40 lines at three rates with awkward prices, against EN 16931 done here by hand:
    each line rounded half up to øre, VAT per rate group on the group's sum."""
    seller, buyer = await create_seller(client), await create_buyer(client)
    rates = ["25", "15", "12"]
    lines = [
        line(
            quantity=f"{1 + n % 7}.{(n * 37) % 10000:04d}",
            unit_price=f"{(n * 1234567) % 100000 / 100:.2f}",
            vat_rate=rates[n % 3],
        )
        for n in range(40)
    ]
    draft = await create_draft(client, seller, buyer, lines=lines)

    cent = Decimal("0.01")

    def half_up(value: Decimal) -> Decimal:
        return value.quantize(cent, rounding="ROUND_HALF_UP")

    amounts = [half_up(Decimal(x["quantity"]) * Decimal(x["unit_price"])) for x in lines]
    groups: dict[str, Decimal] = {}
    for x, amount in zip(lines, amounts, strict=True):
        groups[x["vat_rate"]] = groups.get(x["vat_rate"], Decimal(0)) + amount
    vat = {rate: half_up(total * Decimal(rate) / 100) for rate, total in groups.items()}
    net = sum(amounts, Decimal(0))
    tax = sum(vat.values(), Decimal(0))
    assert [Decimal(x["line_amount"]) for x in draft["lines"]] == amounts
    assert Decimal(draft["line_extension_amount"]) == net
    assert Decimal(draft["tax_amount"]) == tax
    assert Decimal(draft["payable_amount"]) == net + tax
    breakdown = {Decimal(g["rate"]): g for g in draft["vat_breakdown"]}
    for rate, total in groups.items():
        assert Decimal(breakdown[Decimal(rate)]["taxable_amount"]) == total
        assert Decimal(breakdown[Decimal(rate)]["tax_amount"]) == vat[rate]
    stored = (await client.get(f"/v1/invoices/{draft['id']}")).json()
    assert stored == draft


def test_the_overdue_index_covers_exactly_the_open_statuses() -> None:
    """The partial index serves `overdue=true` only while its WHERE names the statuses the
    filter asks for (PostgreSQL must prove the filter implies it)."""
    from app.invoices.balance import OPEN_STATUSES
    from app.invoices.models import _OPEN

    stated = ", ".join(f"'{status}'" for status in OPEN_STATUSES)
    assert f"status IN ({stated})" == _OPEN
