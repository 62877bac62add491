"""Reminder levels, fees, the e-mail they queue, and never twice for one level."""

import asyncio
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.reminders.commands import send_reminders
from tests.helpers import fetch
from tests.invoice_factories import create_buyer, create_seller
from tests.mail.helpers import outbox_rows
from tests.reminders.helpers import day, due_today, run

pytestmark = pytest.mark.usefixtures("backend")


async def test_two_levels_fourteen_days_apart_with_fees(
    client: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    invoice = await due_today(client)
    assert invoice["due_date"] == day(0).isoformat()
    assert (await run(client, 13))["reminded"] == []

    first = await run(client, 14)
    assert first["reminded"] == [
        {
            "invoice_id": invoice["id"],
            "number": invoice["number"],
            "level": 1,
            "currency": "NOK",
            "fee": "70.00",
            "amount_due": "1250.00",
            "total_to_pay": "1320.00",
            "pay_by": day(28).isoformat(),
            "email": "ap@buyer.test",
        }
    ]
    # The same day again, and before the next level is due: nothing.
    assert (await run(client, 14))["reminded"] == []
    assert (await run(client, 27))["reminded"] == []

    second = await run(client, 28)
    assert [(r["level"], r["total_to_pay"]) for r in second["reminded"]] == [(2, "1390.00")]
    # The seller's last level is 2.
    assert (await run(client, 90))["reminded"] == []

    # The fees are owed like the invoice: what is due is what the last reminder asked for.
    after = await fetch(client, f"/v1/invoices/{invoice['id']}")
    assert (after["reminder_level"], after["reminder_fees"], after["amount_due"]) == (
        2,
        "140.00",
        "1390.00",
    )
    reminders = (await fetch(client, f"/v1/invoices/{invoice['id']}/reminders"))["items"]
    assert [(r["level"], r["sent_on"], r["pay_by"], r["fee"]) for r in reminders] == [
        (1, day(14).isoformat(), day(28).isoformat(), "70.00"),
        (2, day(28).isoformat(), day(42).isoformat(), "70.00"),
    ]

    rows = await outbox_rows(sessions)
    assert [(row.recipient, row.dedupe_key) for row in rows] == [
        ("ap@buyer.test", f"invoice-reminder:{invoice['id']}:1"),
        ("ap@buyer.test", f"invoice-reminder:{invoice['id']}:2"),
    ]
    assert invoice["number"] in rows[0].subject
    body = rows[1].body_text
    for fact in (invoice["number"], invoice["payment_reference"], "1234.56.78903"):
        assert fact in body
    # In the invoice's language, amounts and dates as the PDF writes them.
    assert invoice["language"] == "nb"
    assert (
        rows[0].subject == f"Purring 1: faktura {invoice['number']} fra {invoice['seller']['name']}"
    )
    assert "Utestående beløp:" in body
    assert "1 250,00 NOK" in body
    assert "Tidligere purregebyr:" in body
    assert "Å betale:" in body
    assert "1 390,00 NOK" in body
    assert day(42).strftime("%d.%m.%Y") in body
    assert day(0).strftime("%d.%m.%Y") in body  # the original due date


async def test_a_swedish_reminder_is_in_swedish(client: httpx.AsyncClient) -> None:
    seller = await create_seller(client, country="SE")
    buyer = await create_buyer(client, country="SE", language="sv")
    invoice = await due_today(client, seller=seller, buyer=buyer)
    assert invoice["language"] == "sv"
    result = await run(client, 14)
    assert [(r["level"], r["fee"], r["currency"]) for r in result["reminded"]] == [
        (1, "0.00", "SEK")
    ]


async def test_paid_invoices_drafts_and_no_address(
    client: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    seller = await create_seller(client)
    paid = await due_today(client, seller=seller)
    body = {"amount": "1250.00", "currency": "NOK", "paid_on": day(0).isoformat()}
    response = await client.post("/v1/payments", json={**body, "invoice_id": paid["id"]})
    assert response.status_code == 201
    no_address = await due_today(
        client, seller=seller, buyer=await create_buyer(client, invoice_email=None)
    )
    open_one = await due_today(client, seller=seller)

    dry = await run(client, 14, dry_run=True)
    assert [r["invoice_id"] for r in dry["reminded"]] == [open_one["id"]]
    assert await outbox_rows(sessions) == []
    assert (await fetch(client, f"/v1/invoices/{open_one['id']}"))["reminder_level"] == 0

    result = await run(client, 14)
    assert [r["invoice_id"] for r in result["reminded"]] == [open_one["id"]]
    assert result["skipped"] == [
        {
            "invoice_id": no_address["id"],
            "number": no_address["number"],
            "reason": "no_invoice_email",
        }
    ]
    assert (await fetch(client, f"/v1/invoices/{no_address['id']}/reminders"))["items"] == []
    assert [row.recipient for row in await outbox_rows(sessions)] == ["ap@buyer.test"]


async def test_the_cli_runs_the_same_reminders(
    client: httpx.AsyncClient, database_url: str
) -> None:
    invoice = await due_today(client)
    dry = await send_reminders(database_url, dry_run=True, as_of=day(14))
    assert [r.invoice_id for r in dry.reminded] == [uuid.UUID(invoice["id"])]
    done = await send_reminders(database_url, dry_run=False, as_of=day(14))
    assert len(done.reminded) == 1
    assert (await send_reminders(database_url, dry_run=False, as_of=day(14))).reminded == []
    assert (await fetch(client, f"/v1/invoices/{invoice['id']}"))["reminder_level"] == 1


@pytest.mark.postgres_only
async def test_concurrent_runs_remind_once(
    client: httpx.AsyncClient, backend: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    if backend != "postgresql":
        pytest.skip("concurrency is PostgreSQL's; SQLite runs one writer at a time")
    seller = await create_seller(client, settings={"reminder_fee": "70.00"})
    invoices = [await due_today(client, seller=seller) for _ in range(3)]
    results: list[dict[str, Any]] = await asyncio.gather(*(run(client, 14) for _ in range(4)))
    reminded = sorted(r["invoice_id"] for result in results for r in result["reminded"])
    assert reminded == sorted(invoice["id"] for invoice in invoices)
    for invoice in invoices:
        after = await fetch(client, f"/v1/invoices/{invoice['id']}")
        assert (after["reminder_level"], after["reminder_fees"]) == (1, "70.00")
    assert len(await outbox_rows(sessions)) == 3


async def test_a_run_costs_the_same_for_one_invoice_and_many(
    client: httpx.AsyncClient, count_queries: Any
) -> None:
    seller = await create_seller(client, settings={"reminder_fee": "70.00"})
    await due_today(client, seller=seller)
    with count_queries() as one:
        assert len((await run(client, 14))["reminded"]) == 1
    for _ in range(3):
        await due_today(client, seller=seller)
    with count_queries() as many:
        assert len((await run(client, 14))["reminded"]) == 3
    assert one.count == many.count
