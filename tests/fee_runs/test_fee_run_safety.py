"""The fee run never bills twice, a dry run writes nothing, and only admins run it."""

import asyncio
import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from app.api.caller import Caller
from app.audit.models import AuditEvent
from app.auth.models import ApiKeyScope
from app.db import create_sessionmaker
from app.fee_runs.schemas import FeeRunSummary
from app.fee_runs.service import run_fee_run
from app.invoices.models import Invoice, InvoiceLine
from tests.callers import api_key_headers, user_headers
from tests.factories import create_company, create_network
from tests.fee_runs.conftest import YEAR, Fees, flat_line
from tests.helpers import UNKNOWN_ID, assert_problem, fetch
from tests.invoice_factories import create_seller


async def _written(engine: AsyncEngine) -> tuple[int, int, int]:
    """Invoices, invoice lines and fee-run audit events in the database."""
    async with engine.connect() as connection:
        invoices = await connection.scalar(select(func.count()).select_from(Invoice))
        lines = await connection.scalar(select(func.count()).select_from(InvoiceLine))
        events = await connection.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.resource_type == "fee_runs")
        )
    return int(invoices or 0), int(lines or 0), int(events or 0)


async def test_a_rerun_creates_nothing_and_says_why(fees: Fees, engine: AsyncEngine) -> None:
    await fees.schedule()
    for _ in range(3):
        await fees.member()
    first = await fees.summary()
    assert first["created_count"] == 3
    assert await _written(engine) == (3, 3, 1)

    again = await fees.summary()

    assert (again["created_count"], again["total_amount"]) == (0, "0.00")
    assert sorted((row["membership_id"], row["reason"]) for row in again["skipped"]) == sorted(
        (row["membership_id"], "already_invoiced") for row in first["created"]
    )
    assert await _written(engine) == (3, 3, 1)
    # A membership added since is billed by the next run, and only it.
    late = await fees.member(starts_on="2026-07-01")
    third = await fees.summary()
    assert [(row["membership_id"], row["months"]) for row in third["created"]] == [(late["id"], 6)]


async def test_a_dry_run_reports_the_same_and_writes_nothing(
    fees: Fees, engine: AsyncEngine
) -> None:
    await fees.schedule()
    await fees.member()
    await fees.member(starts_on="2026-10-10")
    await fees.member(kind="partner")

    dry = await fees.summary(dry_run=True)

    assert await _written(engine) == (0, 0, 0)
    assert dry["dry_run"] is True
    assert all(row["invoice_id"] is None for row in dry["created"])
    real = await fees.summary()
    assert real["dry_run"] is False

    def without_ids(summary: dict[str, Any]) -> dict[str, Any]:
        created = [{**row, "invoice_id": None} for row in summary["created"]]
        return {**summary, "created": created, "dry_run": None}

    assert without_ids(dry) == without_ids(real)
    assert real["total_amount"] == "18750.00"  # 15000 + 3 months of it
    assert await _written(engine) == (2, 2, 1)


async def test_what_the_run_needs(client: httpx.AsyncClient, engine: AsyncEngine) -> None:
    body = {"network_id": UNKNOWN_ID, "year": YEAR}
    assert_problem(await client.post("/v1/fee-runs", json=body), 422, "unknown_network")
    bad_year = await client.post("/v1/fee-runs", json={**body, "year": 1999})
    assert_problem(bad_year, 422, "validation_failed")

    fees = await Fees(client).set_up()
    await fees.member()
    assert_problem(await fees.run(), 409, "fee_schedule_missing")
    await fees.schedule(year=2025)
    assert_problem(await fees.run(), 409, "fee_schedule_missing")

    unadministered = await Fees(client).set_up(seller=False)
    await unadministered.schedule()
    assert_problem(await unadministered.run(), 409, "seller_not_set_up")

    # An association without invoice settings cannot sell.
    association = await create_company(client, kind="association")
    bare = Fees(client)
    bare.network_id = str(
        (await create_network(client, administered_by_id=association["id"]))["id"]
    )
    await bare.schedule()
    assert_problem(await bare.run(), 409, "seller_not_set_up")
    assert await _written(engine) == (0, 0, 0)


async def test_only_the_secretariat_runs_it(
    fees: Fees, application: FastAPI, engine: AsyncEngine
) -> None:
    await fees.schedule()
    await fees.member()
    callers = [
        (401, {}),
        (403, await api_key_headers(engine, ApiKeyScope.PUBLIC)),
        (403, await user_headers(application)),
        (403, await api_key_headers(engine, ApiKeyScope.READ)),
    ]
    transport = httpx.ASGITransport(app=application, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://klynge.test") as other:
        for status, headers in callers:
            for network_id in (fees.network_id, UNKNOWN_ID):
                for dry_run in (False, True):
                    body = {"network_id": network_id, "year": YEAR, "dry_run": dry_run}
                    response = await other.post(
                        "/v1/fee-runs", json=body, headers={**headers, "Idempotency-Key": "k"}
                    )
                    assert response.status_code == status, response.text
                    # The refusal names nothing the caller may not see.
                    assert network_id not in response.text
    assert await _written(engine) == (0, 0, 0)


async def test_an_idempotency_key_replays_the_first_summary(fees: Fees) -> None:
    await fees.schedule()
    await fees.member()
    body = {"network_id": fees.network_id, "year": YEAR}
    headers = {"Idempotency-Key": "fee-run-2026"}
    first = await fees.client.post("/v1/fee-runs", json=body, headers=headers)
    again = await fees.client.post("/v1/fee-runs", json=body, headers=headers)
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert again.json()["created_count"] == 1


@pytest.mark.parametrize("dry_run", [False, True], ids=["real", "dry run"])
async def test_statements_do_not_grow_with_the_members(
    client: httpx.AsyncClient, count_queries: Any, dry_run: bool
) -> None:
    counts = []
    for members in (5, 50):
        fees = await Fees(client).set_up()
        await fees.schedule()
        for _ in range(members):
            await fees.member()
        with count_queries() as log:
            summary = await fees.summary(dry_run=dry_run)
        assert summary["created_count"] == members
        counts.append(log.count)
    assert counts[0] == counts[1]


async def _run(engine: AsyncEngine, network_id: str) -> FeeRunSummary:
    async with create_sessionmaker(engine)() as session, session.begin():
        return await run_fee_run(
            session, Caller.system(), uuid.UUID(network_id), YEAR, dry_run=False
        )


async def test_runs_at_once_never_bill_twice(fees: Fees, engine: AsyncEngine) -> None:
    await fees.schedule()
    members = 40
    for _ in range(members):
        await fees.member()

    summaries = await asyncio.gather(*(_run(engine, fees.network_id) for _ in range(4)))

    assert sum(summary.created_count for summary in summaries) == members
    for summary in summaries:
        assert summary.created_count + summary.skipped_count == members
        assert {row.reason for row in summary.skipped} <= {"already_invoiced"}
    invoices, lines, _ = await _written(engine)
    assert (invoices, lines) == (members, members)


async def test_the_unique_key_turns_away_a_run_that_read_too_early(
    fees: Fees, engine: AsyncEngine, backend: str
) -> None:
    """Run B reads while run A's invoices are uncommitted, so it sees none; its INSERT
    then waits for A and inserts nothing. (SQLite: B waits at BEGIN and reads them.)"""
    if backend != "postgresql":
        pytest.skip("SQLite serialises writers at BEGIN: B never reads too early")
    await fees.schedule()
    for _ in range(3):
        await fees.member()
    network_id = uuid.UUID(fees.network_id)
    sessionmaker = create_sessionmaker(engine)
    async with sessionmaker() as first, first.begin():
        a = await run_fee_run(first, Caller.system(), network_id, YEAR, dry_run=False)
        late = asyncio.create_task(_run(engine, fees.network_id))
        await asyncio.sleep(0.5)
        assert not late.done()  # waiting on A's rows
    b = await late
    assert a.created_count == 3
    assert b.created_count == 0
    assert [row.reason for row in b.skipped] == ["already_invoiced"] * 3
    assert all("finished first" in row.detail for row in b.skipped)
    assert (await _written(engine))[:2] == (3, 3)


async def test_drafts_the_seller_could_not_issue_are_not_made(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    # Not VAT-registered: no VAT and no exemption from it (BR-S-02, BR-E-02).
    unregistered = Fees(client)
    unregistered.seller = await create_seller(client, vat_registered=False)
    network = await create_network(client, administered_by_id=unregistered.seller["id"])
    unregistered.network_id = str(network["id"])
    await unregistered.schedule()
    await unregistered.member()
    assert_problem(await unregistered.run(dry_run=True), 409, "seller_not_vat_registered")
    assert_problem(await unregistered.run(), 409, "seller_not_vat_registered")
    # Outside the scope of VAT it may bill.
    schedule = await fetch(client, f"/v1/fee-schedules?network_id={unregistered.network_id}")
    [row] = schedule["items"]
    outside = [{"description": "Gebyr", "amount": "900.00", "vat_category": "O"}]
    response = await client.patch(
        f"/v1/fee-schedules/{row['id']}", json={"lines": outside}, headers={"If-Match": '"1"'}
    )
    assert response.status_code == 200, response.text
    assert (await unregistered.summary())["total_amount"] == "900.00"

    # A Swedish seller charges Swedish rates only.
    swedish = Fees(client)
    swedish.seller = await create_seller(client, country="SE")
    network = await create_network(client, administered_by_id=swedish.seller["id"])
    swedish.network_id = str(network["id"])
    await swedish.schedule(currency="SEK", lines=[flat_line(vat_rate="15.00")])
    await swedish.member()
    assert_problem(await swedish.run(), 409, "vat_rate_not_allowed")
    assert (await _written(engine))[:2] == (1, 1)


async def test_outside_scope_lines_stand_alone(fees: Fees) -> None:
    lines = [flat_line(), {"description": "Annet", "amount": "10.00", "vat_category": "O"}]
    body = {"network_id": fees.network_id, "year": YEAR, "currency": "NOK", "lines": lines}
    response = await fees.client.post("/v1/fee-schedules", json=body)
    assert_problem(response, 422, "vat_categories_mixed")
    assert (await fetch(fees.client, "/v1/fee-schedules"))["items"] == []


@pytest.mark.parametrize("dry_run", [True, False])
async def test_progress_is_told_chunk_by_chunk_up_to_the_whole(
    fees: Fees, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch, dry_run: bool
) -> None:
    """What `klynge fee-run`'s progress bar is fed: after each chunk of invoices, the
    number done and the total, rising to (total, total)."""
    monkeypatch.setattr("app.fee_runs.service.CHUNK_SIZE", 2)
    await fees.schedule()
    for _ in range(5):
        await fees.member()
    told: list[tuple[int, int]] = []
    async with create_sessionmaker(engine)() as session, session.begin():
        summary = await run_fee_run(
            session,
            Caller.system(),
            uuid.UUID(fees.network_id),
            YEAR,
            dry_run=dry_run,
            on_progress=lambda done, total: told.append((done, total)),
        )
    assert summary.created_count == 5
    assert told == ([(5, 5)] if dry_run else [(2, 5), (4, 5), (5, 5)])
