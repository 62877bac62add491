"""`klynge fee-run`: the same run from the command line, as the system."""

import asyncio

import pytest
from click.testing import Result
from typer.testing import CliRunner

from app.cli import cli
from tests.factories import create_network
from tests.fee_runs.conftest import YEAR, Fees
from tests.helpers import fetch

runner = CliRunner()


async def _invoke(*args: str) -> Result:
    # The command runs its own event loop: give it a thread of its own.
    return await asyncio.to_thread(lambda: runner.invoke(cli, ["fee-run", *args]))


@pytest.mark.usefixtures("command_database")
async def test_dry_run_then_run_then_rerun_by_slug(fees: Fees) -> None:
    await fees.schedule()
    await fees.member()
    await fees.member(starts_on="2026-07-01")
    await fees.member(kind="observer")
    slug = (await fetch(fees.client, f"/v1/networks/{fees.network_id}"))["slug"]

    dry = await _invoke("--network", slug, "--year", str(YEAR), "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "2 draft invoice(s) would be created, total NOK 22500.00" in dry.output
    assert "kind_not_billable: 1" in dry.output
    assert (await fetch(fees.client, "/v1/invoices"))["items"] == []

    real = await _invoke("--network", fees.network_id, "--year", str(YEAR))
    assert real.exit_code == 0, real.output
    assert "2 draft invoice(s) created, total NOK 22500.00" in real.output
    invoices = (await fetch(fees.client, "/v1/invoices"))["items"]
    assert sorted(invoice["payable_amount"] for invoice in invoices) == ["15000.00", "7500.00"]

    again = await _invoke("--network", slug, "--year", str(YEAR))
    assert again.exit_code == 0, again.output
    assert "0 draft invoice(s) created" in again.output
    assert "already_invoiced: 2" in again.output


@pytest.mark.usefixtures("command_database")
async def test_refusals_exit_1_and_write_nothing(fees: Fees) -> None:
    missing = await _invoke("--network", fees.network_id, "--year", str(YEAR))
    assert missing.exit_code == 1
    assert "no fee schedule for 2026" in missing.output

    unknown = await _invoke("--network", "no-such-network", "--year", str(YEAR))
    assert unknown.exit_code == 1
    assert "No network has the slug 'no-such-network'" in unknown.output

    # Slugs are unique among siblings only: a shared one must be told apart by id.
    slug = (await fetch(fees.client, f"/v1/networks/{fees.network_id}"))["slug"]
    parent = await create_network(fees.client)
    await create_network(fees.client, slug=slug, parent_id=parent["id"])
    ambiguous = await _invoke("--network", slug, "--year", str(YEAR))
    assert ambiguous.exit_code == 1
    assert "2 networks have the slug" in ambiguous.output
    assert (await fetch(fees.client, "/v1/invoices"))["items"] == []
