"""A real `klynge serve` rides out its database going away: refused connections, a
server starting up, a frozen network. Writes go on throughout; each is answered 201 or
503 with `Retry-After`, never 500 and never after a hang, the service recovers by
itself, and every acknowledged write is stored exactly once."""

import asyncio
import time
from collections import Counter
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from app.auth.models import ApiKeyScope
from app.db import create_sessionmaker
from app.people.models import Person
from tests.callers import api_key_headers
from tests.outage.proxy import PostgresProxy
from tests.server_process import served

pytestmark = pytest.mark.postgres_only

# Short limits so the test is quick; production defaults are longer (README).
TIMEOUTS = {
    "KLYNGE_DATABASE_CONNECT_TIMEOUT_SECONDS": "1",
    "KLYNGE_DATABASE_STATEMENT_TIMEOUT_SECONDS": "2",
    "KLYNGE_DATABASE_COMMAND_TIMEOUT_SECONDS": "3",
    "KLYNGE_DATABASE_POOL_TIMEOUT_SECONDS": "2",
}
# The longest any answer may take while the database is frozen: a statement
# (command timeout), a new connection (connect timeout), the rollback, with slack.
LONGEST_ANSWER_SECONDS = 12
RECOVERY_SECONDS = 20


@dataclass(frozen=True)
class Answer:
    name: str
    phase: str
    status: int
    code: str | None
    retry_after: str | None
    seconds: float


class Writers:
    """Clients creating people one after another, each with a name of its own."""

    def __init__(self, client: httpx.AsyncClient, count: int) -> None:
        self.client = client
        self.phase = "up"
        self.answers: list[Answer] = []
        self._next = 0
        self._stop = asyncio.Event()
        self._tasks = [asyncio.create_task(self._write()) for _ in range(count)]

    def acknowledged_since(self, moment: int) -> int:
        return sum(1 for answer in self.answers[moment:] if answer.status == 201)

    async def stop(self) -> None:
        self._stop.set()
        await asyncio.gather(*self._tasks)

    async def _write(self) -> None:
        while not self._stop.is_set():
            self._next += 1
            name, phase = f"Outage Person {self._next:05d}", self.phase
            started = time.monotonic()
            try:
                response = await self.client.post("/v1/people", json={"full_name": name})
            except httpx.TransportError as error:
                # A reset or a hang the client gave up on: recorded as status 0.
                self.answers.append(Answer(name, phase, 0, repr(error), None, 0.0))
                continue
            body = response.json() if response.content else {}
            self.answers.append(
                Answer(
                    name,
                    phase,
                    response.status_code,
                    body.get("code") if response.status_code >= 400 else None,
                    response.headers.get("Retry-After"),
                    time.monotonic() - started,
                )
            )
            await asyncio.sleep(0.05)


async def _until_writes_succeed(writers: Writers) -> float:
    started, mark = time.monotonic(), len(writers.answers)
    while writers.acknowledged_since(mark) < 2:
        assert time.monotonic() - started < RECOVERY_SECONDS, "no recovery"
        await asyncio.sleep(0.1)
    return time.monotonic() - started


async def _ready(client: httpx.AsyncClient) -> tuple[int, str | None, float]:
    started = time.monotonic()
    response = await client.get("/health/ready")
    return response.status_code, response.headers.get("Retry-After"), time.monotonic() - started


async def test_writes_ride_out_refusal_restart_and_freeze(
    backend: str,
    database_url: str,
    engine: AsyncEngine,
    client: httpx.AsyncClient,  # empties the tables afterwards
) -> None:
    if backend != "postgresql":
        pytest.skip("the outage is PostgreSQL's: SQLite is a file in the process")
    url = make_url(database_url)
    proxy = PostgresProxy(url.host or "127.0.0.1", url.port or 5432)
    await proxy.start()
    through_proxy = url.set(host="127.0.0.1", port=proxy.port)
    environment = {
        "KLYNGE_DATABASE_URL": through_proxy.render_as_string(hide_password=False),
        "KLYNGE_LOG_JSON": "true",
        **TIMEOUTS,
    }
    headers = await api_key_headers(engine, ApiKeyScope.WRITE)
    ready_answers: dict[str, tuple[int, str | None, float]] = {}
    recoveries: dict[str, float] = {}
    try:
        async with (
            served(environment) as server,
            httpx.AsyncClient(base_url=server.base_url, headers=headers, timeout=60) as http,
        ):
            writers = Writers(http, count=3)
            await _until_writes_succeed(writers)
            for outage, breaking in (
                ("refused", proxy.refuse),
                ("starting", proxy.starting_up),
                ("frozen", proxy.freeze),
            ):
                writers.phase = outage
                result = breaking()
                if asyncio.iscoroutine(result):
                    await result
                # Longer than a write in flight when the outage began takes to be answered
                # 503 (a frozen statement: its command timeout, then the cancel request),
                # so that writes also start inside the outage.
                await asyncio.sleep(6)
                ready_answers[outage] = await _ready(http)
                await proxy.up()
                writers.phase = f"after {outage}"
                recoveries[outage] = await _until_writes_succeed(writers)
            await writers.stop()
            log = server.log()
    finally:
        await proxy.close()

    answers = writers.answers
    by_status = Counter(answer.status for answer in answers)
    assert set(by_status) <= {201, 503}, (by_status, [a for a in answers if a.status != 201][:5])
    for outage in ("refused", "starting", "frozen"):
        during = [answer for answer in answers if answer.phase == outage]
        assert any(answer.status == 503 for answer in during), (outage, during)
        status, retry_after, seconds = ready_answers[outage]
        assert (status, retry_after) == (503, "2"), outage
        assert seconds < 3, (outage, seconds)
    refusals = [answer for answer in answers if answer.status == 503]
    assert {(answer.code, answer.retry_after) for answer in refusals} == {
        ("database_unavailable", "2")
    }
    slowest = max(answer.seconds for answer in answers)
    assert slowest < LONGEST_ANSWER_SECONDS, slowest
    assert "unhandled_error" not in log
    assert "Traceback" not in log.replace('"exception"', "")

    # Every acknowledged write is stored, once; nothing is stored twice.
    async with create_sessionmaker(engine, writes=False)() as session:
        rows = (
            await session.execute(
                select(Person.full_name, func.count())
                .where(Person.full_name.like("Outage Person %"))
                .group_by(Person.full_name)
            )
        ).all()
    stored = dict(rows)
    acknowledged = {answer.name for answer in answers if answer.status == 201}
    assert acknowledged <= set(stored)
    assert set(stored.values()) == {1}
    print(f"answers {dict(by_status)}, slowest {slowest:.1f} s, recoveries {recoveries}")
