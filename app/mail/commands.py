"""What `klynge worker` and `klynge outbox` do (app/cli.py only parses and prints)."""

import asyncio
import signal

from app.config import Settings
from app.db import create_engine, create_sessionmaker, utcnow
from app.logging import configure_logging
from app.mail.models import OutboxMessage, OutboxStatus
from app.mail.outbox import list_messages, retry_failed
from app.mail.sender import run_sender


async def work(settings: Settings) -> None:
    """Run the sender until SIGINT (Ctrl-C) or SIGTERM; the message under way is finished
    and recorded first, and the rest of the pass given back to the queue."""
    configure_logging(settings.log_level, settings.log_json)
    engine = create_engine(settings.database_url, pool_size=2, echo=settings.database_echo)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signal_number, stop.set)
    try:
        await run_sender(create_sessionmaker(engine), settings, stop)
    finally:
        for signal_number in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signal_number)
        await engine.dispose()


async def queued_messages(
    database_url: str, statuses: list[OutboxStatus], limit: int
) -> list[OutboxMessage]:
    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine, writes=False)() as session, session.begin():
            return await list_messages(session, statuses, limit=limit)
    finally:
        await engine.dispose()


async def requeue_failed(database_url: str) -> int:
    """Failed messages back to pending, due now, attempts 0; returns how many."""
    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            return await retry_failed(session, now=utcnow())
    finally:
        await engine.dispose()
