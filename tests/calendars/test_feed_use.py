"""Noting a feed's last use: inside the request's one transaction, and never at the cost
of the feed itself."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from app.calendars.repository import CalendarTokenRepository
from tests.calendars.helpers import (
    add_meeting,
    events,
    feed_path,
    make_token,
    open_network,
    parse,
    uid,
)

pytestmark = pytest.mark.usefixtures("backend")


@dataclass
class Transactions:
    begun: int = 0
    committed: int = 0


@contextmanager
def counting_transactions(engine: AsyncEngine) -> Iterator[Transactions]:
    """Every transaction begun and committed on the engine in the block (savepoints are
    not transactions)."""
    seen = Transactions()

    def on_begin(_connection: Any) -> None:
        seen.begun += 1

    def on_commit(_connection: Any) -> None:
        seen.committed += 1

    event.listen(engine.sync_engine, "begin", on_begin)
    event.listen(engine.sync_engine, "commit", on_commit)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "begin", on_begin)
        event.remove(engine.sync_engine, "commit", on_commit)


async def test_a_feed_read_notes_its_use_in_the_requests_one_transaction(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    network_id = await open_network(client)
    meeting = await add_meeting(engine, network_id)
    token = await make_token(client, kind="network", network_id=network_id)
    admin = {"Authorization": client.headers.pop("Authorization")}  # calendar apps send none

    with counting_transactions(engine) as transactions:
        response = await client.get(feed_path(token))
    assert uid(meeting) in events(parse(response))
    assert (transactions.begun, transactions.committed) == (1, 1)
    assert await _last_used_at(client, token, admin) is not None


async def test_a_use_that_cannot_be_noted_does_not_fail_the_feed(
    client: httpx.AsyncClient, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    network_id = await open_network(client)
    meeting = await add_meeting(engine, network_id)
    token = await make_token(client, kind="network", network_id=network_id)

    async def database_busy(*_args: Any) -> None:
        raise OperationalError("UPDATE calendar_tokens", {}, Exception("database is locked"))

    monkeypatch.setattr(CalendarTokenRepository, "note_use", database_busy)
    response = await client.get(feed_path(token))
    assert uid(meeting) in events(parse(response))
    assert await _last_used_at(client, token) is None


async def _last_used_at(
    client: httpx.AsyncClient, token: dict[str, Any], headers: dict[str, str] | None = None
) -> str | None:
    response = await client.get(f"/v1/calendar-tokens/{token['id']}", headers=headers)
    assert response.status_code == 200, response.text
    value: str | None = response.json()["last_used_at"]
    return value
