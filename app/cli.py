"""The `klynge` command: serve, migrate, demo data and housekeeping."""

import asyncio
from pathlib import Path
from typing import Annotated, NoReturn

import typer
import uvicorn

from app import migrate
from app.audit import recorder
from app.auth import signing_secret
from app.auth.models import ApiKeyScope
from app.config import get_settings
from app.fee_runs.commands import fee_run_command
from app.logging import uvicorn_log_config
from app.mail.models import OutboxStatus

cli = typer.Typer(help="Klynge: administration of industry networks.", no_args_is_help=True)


@cli.callback()
def _every_command() -> None:
    # Changes made from the command line (demo data, admins, keys) are audited too.
    recorder.install()


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
    try:
        signing_secret.ensure_configured(settings)  # once here, not once per worker
    except signing_secret.SigningSecretMissing as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(code=1) from None
    if not skip_migrations:
        migrate.upgrade(settings.database_url)
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=None if reload else workers,
        reload=reload,
        # The client's address comes from X-Forwarded-For only when the peer is one of
        # these (the load balancer); anyone else could claim any address.
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        log_level=settings.log_level.lower(),
        # uvicorn's own setup, except that the access log never shows a feed's token.
        log_config=uvicorn_log_config(),
    )


@cli.command("ensure-secret")
def ensure_secret(
    env_file: Annotated[Path, typer.Option(help="The env file to keep it in.")] = Path(".env"),
) -> None:
    """Write a random KLYNGE_JWT_SECRET into .env unless it holds one (never replaced)."""
    if signing_secret.ensure_in_env_file(env_file):
        typer.echo(f"A new random KLYNGE_JWT_SECRET was written to {env_file}.")
    else:
        typer.echo(f"{env_file} already holds KLYNGE_JWT_SECRET; kept.")


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


@cli.command()
def worker() -> None:
    """Send the queued mail until stopped (Ctrl-C or SIGTERM). For deployments with
    several API workers, which then set KLYNGE_RUN_WORKER_IN_API=false; any number of
    workers may run."""
    from app.mail.commands import work

    settings = get_settings()
    if settings.smtp_host is None:
        typer.echo("KLYNGE_SMTP_HOST is not set: mail stays queued (see `klynge outbox`).")
    asyncio.run(work(settings))


@cli.command()
def outbox(
    status: Annotated[
        list[OutboxStatus] | None,
        typer.Option(
            help="Only messages with this status; repeat for several. Default: pending and failed."
        ),
    ] = None,
    limit: Annotated[int, typer.Option(min=1, help="Show at most this many.")] = 100,
    body: Annotated[bool, typer.Option(help="Print each message's text too.")] = False,
    retry_failed: Annotated[
        bool,
        typer.Option(
            "--retry-failed",
            help="Put every failed message back in the queue (due now, attempts 0) and "
            "print how many, instead of listing.",
        ),
    ] = False,
) -> None:
    """List queued mail: recipient, subject, attempts, last error and next attempt, the
    next due first. With no SMTP host configured, this is where the mail waits."""
    from app.mail.commands import queued_messages, requeue_failed

    settings = get_settings()
    if retry_failed:
        count = asyncio.run(requeue_failed(settings.database_url))
        typer.echo(f"{count} failed message(s) queued again.")
        return
    statuses = status or [OutboxStatus.PENDING, OutboxStatus.FAILED]
    messages = asyncio.run(queued_messages(settings.database_url, statuses, limit))
    for message in messages:
        typer.echo(
            f"{message.status.value:<8} next {message.next_attempt_at:%Y-%m-%d %H:%M} UTC  "
            f"attempts {message.attempts}  {message.recipient}  {message.subject}"
        )
        if message.last_error:
            typer.echo(f"         last error: {message.last_error}")
        if body:
            typer.echo("\n".join(f"         | {line}" for line in message.body_text.splitlines()))
    names = ", ".join(s.value for s in statuses)
    typer.echo(f"{len(messages)} message(s) {names}.")
    if settings.smtp_host is None:
        typer.echo("KLYNGE_SMTP_HOST is not set: nothing is sent until it is.")


cli.command("fee-run")(fee_run_command)


def _refuse(message: str) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(code=1)


@cli.command("create-admin")
def create_admin(
    email: Annotated[str, typer.Option(help="The admin's e-mail address (their login).")],
    password: Annotated[
        str,
        typer.Option(
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            help="Asked for, hidden, when left out (given here, it stays in the shell history).",
        ),
    ],
) -> None:
    """Create an admin user (the secretariat), e.g. the first one. Migrates first."""
    from pydantic import ValidationError

    from app.auth.provisioning import create_admin as create
    from app.errors import KlyngeError

    database_url = get_settings().database_url
    migrate.upgrade(database_url)
    try:
        user = asyncio.run(create(database_url, email, password))
    except ValidationError as exc:
        # Only the fields and what is wrong with them; never the input (the password).
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        _refuse(f"Not created: {problems}.")
    except KlyngeError as exc:
        _refuse(f"Not created: {exc.detail}")
    typer.echo(f"Admin {user.email} created (id {user.id}).")


api_key_cli = typer.Typer(help="API keys for scripts and the website.", no_args_is_help=True)
cli.add_typer(api_key_cli, name="api-key")


@api_key_cli.command("create")
def create_api_key(
    name: Annotated[str, typer.Option(help="What the key is for, e.g. `Website`.")],
    scope: Annotated[
        list[ApiKeyScope],
        typer.Option(
            help="`public` (the website's view), or `read` and optionally `write`; repeat "
            "for several."
        ),
    ],
    expires_in_days: Annotated[
        int | None,
        typer.Option(min=1, max=3650, help="Days until the key stops working; never if unset."),
    ] = None,
) -> None:
    """Create an API key and print it: this is the only time it is shown."""
    from app.auth.provisioning import create_api_key as create
    from app.errors import KlyngeError

    database_url = get_settings().database_url
    migrate.upgrade(database_url)
    try:
        api_key, key = asyncio.run(create(database_url, name, scope, expires_in_days))
    except KlyngeError as exc:
        _refuse(f"Not created: {exc.detail}")
    expiry = api_key.expires_at.isoformat() if api_key.expires_at else "never"
    typer.echo(
        f"API key {api_key.prefix} created (scopes: {', '.join(api_key.scopes)}; "
        f"expires: {expiry}). Store it now; it is not shown again:",
        err=True,
    )
    typer.echo(key)


# --- Reminders (issue 5) ---
@cli.command("send-reminders")
def send_reminders_command(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what is due; record and send nothing.")
    ] = False,
    as_of: Annotated[
        str | None, typer.Option(help="Count from this day (YYYY-MM-DD) instead of today.")
    ] = None,
) -> None:
    """Record and queue the invoice reminders that are due (run it daily, from cron)."""
    from datetime import date

    from app.reminders.commands import send_reminders, summary

    try:
        day = date.fromisoformat(as_of) if as_of else None
    except ValueError as exc:
        raise typer.BadParameter("expected a date as YYYY-MM-DD", param_hint="--as-of") from exc
    result = asyncio.run(send_reminders(get_settings().database_url, dry_run=dry_run, as_of=day))
    for line in summary(result):
        typer.echo(line)


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
