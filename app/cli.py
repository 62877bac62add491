"""The `klynge` command: serve, migrate, demo data and housekeeping."""

import asyncio
from typing import Annotated

import typer
import uvicorn

from app import migrate
from app.config import get_settings

cli = typer.Typer(help="Klynge: administration of industry networks.", no_args_is_help=True)


@cli.command("migrate")
def migrate_command(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Apply database migrations (to the newest by default)."""
    migrate.upgrade(get_settings().database_url, revision)
    typer.echo(f"Database migrated to {revision}.")


@cli.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
    reload: Annotated[bool, typer.Option(help="Restart on code changes (development).")] = False,
    skip_migrations: Annotated[
        bool, typer.Option(help="Do not migrate first (when a deploy step already did).")
    ] = False,
) -> None:
    """Apply migrations, then serve the API with uvicorn."""
    settings = get_settings()
    if not skip_migrations:
        migrate.upgrade(settings.database_url)
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=None if reload else workers,
        reload=reload,
        proxy_headers=True,
        log_level=settings.log_level.lower(),
    )


@cli.command("demo-data")
def demo_data() -> None:
    """Migrate if needed, then load the demo networks from the seeds (a second run
    changes nothing)."""
    from app.demo.loader import load_demo_data  # the other commands need none of it

    settings = get_settings()
    if settings.environment == "production":
        typer.echo("Demo data has public passwords; it is never loaded in production.", err=True)
        raise typer.Exit(code=1)
    migrate.upgrade(settings.database_url)
    summary = asyncio.run(load_demo_data(settings.database_url, settings.environment))
    typer.echo(summary)


@cli.command("purge-idempotency-keys")
def purge_idempotency_keys() -> None:
    """Delete idempotency records past their retention period."""
    from app.idempotency.housekeeping import purge

    removed = asyncio.run(purge(get_settings().database_url))
    typer.echo(f"Removed {removed} expired idempotency records.")


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
