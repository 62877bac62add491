"""Gap-free numbering under concurrent issuing (PostgreSQL: truly parallel transactions)."""

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack

import httpx
import pytest
from fastapi import FastAPI

from app.invoices.references import is_valid_kid
from tests.invoice_factories import create_buyer, create_draft, create_seller

DRAFTS = 200
WORKERS = 8


@pytest.fixture
async def worker_clients(
    application: FastAPI, client: httpx.AsyncClient
) -> AsyncIterator[list[httpx.AsyncClient]]:
    """Separate clients with the admin's key: each request has its own session and
    connection from the application's pool, so up to WORKERS transactions run at once."""
    async with AsyncExitStack() as stack:
        clients = []
        for _ in range(WORKERS):
            transport = httpx.ASGITransport(app=application, raise_app_exceptions=False)
            worker = await stack.enter_async_context(
                httpx.AsyncClient(
                    transport=transport, base_url="http://klynge.test", headers=client.headers
                )
            )
            clients.append(worker)
        yield clients


@pytest.mark.postgres_only
async def test_concurrent_issues_are_consecutive_without_gaps_or_repeats(
    client: httpx.AsyncClient, worker_clients: list[httpx.AsyncClient], backend: str
) -> None:
    if backend != "postgresql":
        pytest.skip("concurrency is PostgreSQL's; SQLite runs one writer at a time")
    started = time.monotonic()
    seller = await create_seller(client)
    other_seller = await create_seller(client)
    buyer, other_buyer = await create_buyer(client), await create_buyer(client)
    drafts = [await create_draft(client, seller, buyer) for _ in range(DRAFTS)]
    other_drafts = [await create_draft(client, other_seller, other_buyer) for _ in range(10)]
    queue: asyncio.Queue[str] = asyncio.Queue()
    for invoice in drafts + other_drafts:
        queue.put_nowait(invoice["id"])
    # A few invoices are issued twice at once: one wins, the other is told it is issued.
    for invoice in drafts[:5]:
        queue.put_nowait(invoice["id"])
    answers: list[httpx.Response] = []

    async def work(worker: httpx.AsyncClient) -> None:
        while not queue.empty():
            invoice_id = queue.get_nowait()
            answers.append(await worker.post(f"/v1/invoices/{invoice_id}/issue"))

    await asyncio.gather(*(work(worker) for worker in worker_clients))

    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [200] * (DRAFTS + 10) + [409] * 5, [
        answer.text for answer in answers if answer.status_code != 200
    ]
    assert {a.json()["code"] for a in answers if a.status_code == 409} == {"invoice_not_draft"}
    issued = [answer.json() for answer in answers if answer.status_code == 200]
    mine = [invoice for invoice in issued if invoice["seller_id"] == seller["id"]]
    sequences = sorted(invoice["sequence_number"] for invoice in mine)
    assert sequences == list(range(1, DRAFTS + 1))
    assert len({invoice["number"] for invoice in mine}) == DRAFTS
    assert all(is_valid_kid(invoice["payment_reference"]) for invoice in issued)
    others = sorted(i["sequence_number"] for i in issued if i["seller_id"] == other_seller["id"])
    assert others == list(range(1, 11))
    # What was answered is what was stored.
    stored = await client.get(
        "/v1/invoices",
        params={"limit": 200, "sort": "number", "status": "issued", "buyer_id": buyer["id"]},
    )
    page = stored.json()["items"]
    assert [(i["id"], i["number"]) for i in page] == sorted(
        ((i["id"], i["number"]) for i in mine), key=lambda pair: pair[1]
    )
    assert time.monotonic() - started < 60
