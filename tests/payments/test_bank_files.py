"""Bank files: every matching payment recorded in one transaction, the rest reported, a
file posted twice recorded once; concurrent payments of one invoice add up."""

import asyncio
from typing import Any

import httpx
import pytest

from tests.helpers import fetch
from tests.invoice_factories import create_buyer, create_draft, create_issued, create_seller

pytestmark = pytest.mark.usefixtures("backend")


def _entry(
    invoice: dict[str, Any], amount: str, tx: str | None, **overrides: Any
) -> dict[str, Any]:
    return {
        "amount": amount,
        "currency": invoice["currency"],
        "paid_on": "2026-03-02",
        "reference": invoice["payment_reference"],
        "bank_transaction_id": tx,
        **overrides,
    }


async def test_a_bank_file_records_matches_and_reports_the_rest(
    client: httpx.AsyncClient,
) -> None:
    seller, buyer = await create_seller(client), await create_buyer(client)
    first = await create_issued(client, seller, buyer)
    second = await create_issued(client, seller, buyer)
    draft = await create_draft(client, seller, buyer)
    bad_digit = first["payment_reference"][:-1] + str(
        (int(first["payment_reference"][-1]) + 1) % 10
    )
    payments = [
        _entry(first, "250.00", "TX-1"),
        _entry(second, "1250.00", "TX-2"),
        _entry(first, "100.00", "TX-3", reference="12345674"),  # no such invoice
        _entry(first, "100.00", "TX-4", reference=bad_digit),
        _entry(first, "100.00", "TX-5", currency="SEK"),
        _entry(first, "1000.00", "TX-6"),  # a second payment of the same invoice counts
        _entry(first, "5.00", "TX-1"),  # the same transaction again in the file
        _entry(draft, "5.00", "TX-7", reference=None, invoice_id=draft["id"]),
    ]
    response = await client.post("/v1/payments/batches", json={"payments": payments})
    assert response.status_code == 200, response.text
    result = response.json()
    recorded = [
        (r["index"], r["invoice_number"], r["amount"], r["invoice_status"])
        for r in result["recorded"]
    ]
    assert recorded == [
        (0, first["number"], "250.00", "partially_paid"),
        (1, second["number"], "1250.00", "paid"),
        (5, first["number"], "1000.00", "paid"),
    ]
    assert [(u["index"], u["reason"]) for u in result["unmatched"]] == [
        (2, "unmatched"),
        (3, "invalid_reference"),
        (4, "currency_mismatch"),
        (7, "invoice_not_issued"),
    ]
    assert result["duplicates"] == [{"index": 6, "bank_transaction_id": "TX-1"}]
    for line in result["recorded"]:
        payment = await fetch(client, f"/v1/payments/{line['payment_id']}")
        assert payment["invoice_id"] == line["invoice_id"]

    after = await fetch(client, f"/v1/invoices/{first['id']}")
    assert (after["status"], after["amount_paid"]) == ("paid", "1250.00")

    # The same file again records nothing twice.
    again = await client.post("/v1/payments/batches", json={"payments": payments})
    assert again.status_code == 200, again.text
    assert again.json()["recorded"] == []
    assert [d["index"] for d in again.json()["duplicates"]] == [0, 1, 5, 6]
    assert len((await fetch(client, "/v1/payments"))["items"]) == 3
    assert (await fetch(client, f"/v1/invoices/{first['id']}"))["amount_paid"] == "1250.00"


async def test_a_bank_file_looks_references_up_in_one_query(
    client: httpx.AsyncClient, count_queries: Any
) -> None:
    seller, buyer = await create_seller(client), await create_buyer(client)
    invoices = [await create_issued(client, seller, buyer) for _ in range(2)]

    async def post(file: list[dict[str, Any]]) -> int:
        with count_queries() as log:
            response = await client.post("/v1/payments/batches", json={"payments": file})
        assert response.status_code == 200, response.text
        return sum(1 for s in log.statements if "FROM invoices" in s)

    one = await post([_entry(invoices[0], "1", None)])
    many = await post([_entry(invoice, "1", None) for invoice in invoices * 3])
    assert one == many == 1


async def test_an_empty_or_oversized_bank_file_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/payments/batches", json={"payments": []})
    assert response.status_code == 422


@pytest.mark.postgres_only
async def test_concurrent_payments_of_one_invoice_add_up(
    client: httpx.AsyncClient, backend: str
) -> None:
    if backend != "postgresql":
        pytest.skip("concurrency is PostgreSQL's; SQLite runs one writer at a time")
    seller, buyer = await create_seller(client), await create_buyer(client)
    invoice = await create_issued(client, seller, buyer)
    responses = await asyncio.gather(
        *(
            client.post("/v1/payments", json=_entry(invoice, "125.00", f"TX-{n}"))
            for n in range(10)
        ),
        client.post(
            "/v1/payments/batches",
            json={"payments": [_entry(invoice, "1.00", "TX-B1"), _entry(invoice, "1.00", "TX-B2")]},
        ),
    )
    assert [r.status_code for r in responses] == [201] * 10 + [200], [r.text for r in responses]
    after = await fetch(client, f"/v1/invoices/{invoice['id']}")
    assert (after["amount_paid"], after["status"], after["overpaid_amount"]) == (
        "1252.00",
        "paid",
        "2.00",
    )
