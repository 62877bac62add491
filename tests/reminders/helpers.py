"""Invoices that fall due, and reminder runs on days ahead (rather than a faked clock)."""

from datetime import date, timedelta
from typing import Any

import httpx

from app.clock import today
from tests.invoice_factories import create_buyer, create_issued, create_seller


def day(offset: int) -> date:
    return today() + timedelta(days=offset)


async def due_today(
    client: httpx.AsyncClient,
    *,
    seller: dict[str, Any] | None = None,
    buyer: dict[str, Any] | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """An issued invoice of 1250.00 NOK due today (terms of 0 days)."""
    seller = seller or await create_seller(client, settings={"reminder_fee": "70.00"})
    buyer = buyer or await create_buyer(client)
    return await create_issued(client, seller, buyer, payment_terms_days=0, **overrides)


async def run(client: httpx.AsyncClient, offset: int, *, dry_run: bool = False) -> dict[str, Any]:
    response = await client.post(
        "/v1/reminder-runs", json={"as_of": day(offset).isoformat(), "dry_run": dry_run}
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result
