"""What `klynge fee-run` does (app/cli.py only registers it): the same service as
`POST /v1/fee-runs`, as the system, in one transaction, with a progress bar."""

import asyncio
import uuid
from collections import Counter
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.recorder import act_as_system
from app.config import get_settings
from app.db import create_engine, create_sessionmaker
from app.errors import KlyngeError
from app.fee_runs.schemas import FeeRunSummary
from app.fee_runs.service import ProgressCallback, run_fee_run
from app.networks.models import Network


class NetworkNotFound(KlyngeError):
    pass


async def resolve_network(session: AsyncSession, network: str) -> uuid.UUID:
    """A network by id, or by slug when that slug names exactly one network (slugs are
    unique only among siblings)."""
    try:
        network_id = uuid.UUID(network)
    except ValueError:
        rows = (await session.execute(select(Network.id).where(Network.slug == network))).all()
        if len(rows) > 1:
            ids = ", ".join(str(row.id) for row in rows)
            raise NetworkNotFound(
                f"{len(rows)} networks have the slug {network!r}; give the id: {ids}."
            ) from None
        if not rows:
            raise NetworkNotFound(f"No network has the slug {network!r}.") from None
        return uuid.UUID(str(rows[0].id))
    return network_id


async def fee_run(
    database_url: str,
    network: str,
    year: int,
    *,
    dry_run: bool,
    on_progress: ProgressCallback | None = None,
) -> FeeRunSummary:
    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            caller = act_as_system(session)
            network_id = await resolve_network(session, network)
            return await run_fee_run(
                session, caller, network_id, year, dry_run=dry_run, on_progress=on_progress
            )
    finally:
        await engine.dispose()


def _print_summary(summary: FeeRunSummary) -> None:
    # Plain lines, never wrapped: scripts and tests read them.
    verb = "would be created" if summary.dry_run else "created"
    note = " (dry run, nothing written)" if summary.dry_run else ""
    typer.echo(f"Fee run {summary.year} for network {summary.network_id}{note}:")
    typer.echo(
        f"{summary.created_count} draft invoice(s) {verb}, total "
        f"{summary.currency.value} {summary.total_amount:.2f}."
    )
    typer.echo(f"{summary.skipped_count} membership(s) skipped.")
    reasons = Counter(row.reason.value for row in summary.skipped)
    for reason, count in sorted(reasons.items()):
        typer.echo(f"  {reason}: {count}")


def fee_run_command(
    network: Annotated[str, typer.Option(help="The network's id, or its slug.")],
    year: Annotated[int, typer.Option(min=2000, max=2100, help="The year to bill.")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Report what would be created; write nothing.")
    ] = False,
) -> None:
    """Bill a network's memberships for a year: one draft invoice per billable membership,
    from the network's fee schedule. Safe to run again: nothing is billed twice."""
    console = Console()
    columns = (
        TextColumn("Billing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("fee-run", total=None)

        def on_progress(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        try:
            summary = asyncio.run(
                fee_run(
                    get_settings().database_url,
                    network,
                    year,
                    dry_run=dry_run,
                    on_progress=on_progress,
                )
            )
        except KlyngeError as exc:
            progress.stop()
            typer.echo(f"No fee run: {exc.detail}", err=True)
            raise typer.Exit(code=1) from None
    _print_summary(summary)
