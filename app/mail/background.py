"""Running the sender beside the API (`klynge serve`'s lifespan) or on its own (`klynge
worker`): the same loop, started and stopped the same way."""

import asyncio
import contextlib
from collections.abc import AsyncIterator

import structlog
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.config import Settings
from app.db import is_sqlite
from app.mail.sender import run_sender, stopping_seconds

log = structlog.get_logger(__name__)


def runs_in_api(settings: Settings) -> bool:
    """Whether the API process runs the sender: unless told not to, and never on an
    in-memory SQLite database, which each connection sees empty (there is no queue to
    share, and a test app must not start a loop it does not know about)."""
    return settings.run_worker_in_api and not _in_memory_sqlite(settings.database_url)


def _in_memory_sqlite(url: str) -> bool:
    if not is_sqlite(url):
        return False
    parsed = make_url(url)
    return parsed.database in (None, "", ":memory:") or parsed.query.get("mode") == "memory"


@contextlib.asynccontextmanager
async def sender_running(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings
) -> AsyncIterator[None]:
    """Run the sender as a task for the duration of the block. On leaving, the sender is
    told to stop: it finishes and records the message under way, gives back the claims
    on the rest of its pass, and ends. It is cancelled only if that takes longer than
    one message's deadline allows (`stopping_seconds`); then only that one message is
    cut off: it stays claimed and is tried again once the claim expires (a second copy
    if the server had accepted it), and the rest of the pass is still given back."""
    stop = asyncio.Event()
    task = asyncio.create_task(run_sender(sessionmaker, settings, stop), name="mail-sender")
    try:
        yield
    finally:
        stop.set()
        try:
            await asyncio.wait_for(task, timeout=stopping_seconds(settings))
        except TimeoutError:
            log.warning("mail_sender_cancelled", detail="the message under way did not finish")
