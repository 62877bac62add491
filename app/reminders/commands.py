"""What `klynge send-reminders` does (app/cli.py only parses and prints): one reminder
run in its own transaction, as `POST /v1/reminder-runs` runs one in a request. Meant to
run daily from cron; a second run the same day sends nothing."""

from datetime import date

from app.db import create_engine, create_sessionmaker
from app.reminders.schemas import ReminderRunResult
from app.reminders.service import run_reminders


async def send_reminders(
    database_url: str, *, dry_run: bool, as_of: date | None = None
) -> ReminderRunResult:
    engine = create_engine(database_url, pool_size=2)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            return await run_reminders(session, as_of=as_of, dry_run=dry_run)
    finally:
        await engine.dispose()


def summary(result: ReminderRunResult) -> list[str]:
    verb = "Would remind" if result.dry_run else "Reminded"
    lines = [
        f"{verb} invoice {item.number} (level {item.level}, {item.total_to_pay} "
        f"{item.currency.value}) at {item.email}"
        for item in result.reminded
    ]
    lines += [f"Skipped invoice {item.number}: {item.reason.value}" for item in result.skipped]
    lines.append(
        f"{len(result.reminded)} reminder(s) {'due' if result.dry_run else 'queued'}, "
        f"{len(result.skipped)} skipped, as of {result.as_of}."
    )
    return lines
