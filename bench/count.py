"""Statements per request, counted on the wire by a small PostgreSQL protocol proxy.

pg_stat_statements needs a server restart to load (shared_preload_libraries), so each
app instead talks to PostgreSQL through its own proxy on loopback, which reads the
frontend messages it forwards: every Execute (extended protocol, one statement each,
named by the SQL its Parse carried) and every simple Query (its `;`-separated
statements) counts, and every Sync or simple Query is a round trip. The proxy answers an
SSL request with "no", so the stream stays readable; it changes nothing else.

After a warm-up (prepared statements, pool connections), BENCH_COUNT_REQUESTS (50)
requests per case are sent one at a time, and the counts are divided by them.
"""

import asyncio
import os
import struct
import threading
from collections import Counter
from dataclasses import dataclass, field

import httpx

from bench.cases import Case
from bench.data import SERVER, Dataset
from bench.servers import APPS, free_port, running

REQUESTS = int(os.environ.get("BENCH_COUNT_REQUESTS", "50"))
_NO_ENCRYPTION = {80877103, 80877104}  # SSLRequest, GSSENCRequest


@dataclass
class Tally:
    statements: Counter[str] = field(default_factory=Counter)
    round_trips: int = 0

    def reset(self) -> None:
        self.statements.clear()
        self.round_trips = 0


def _first_word(sql: str) -> str:
    words = sql.split(None, 1)
    if not words or words[0] == ";":
        return "; (empty: a ping)"
    return words[0].upper()


class _Reader:
    """Follows one connection's frontend messages and tallies what it executes."""

    def __init__(self, tally: Tally) -> None:
        self.tally = tally
        self.prepared: dict[bytes, str] = {}
        self.portals: dict[bytes, str] = {}

    def message(self, kind: bytes, body: bytes) -> None:
        if kind == b"Q":
            self.tally.round_trips += 1
            for part in body.rstrip(b"\0").decode().split(";"):
                if part.strip():
                    self.tally.statements[_first_word(part)] += 1
        elif kind == b"P":
            name, rest = body.split(b"\0", 1)
            self.prepared[name] = _first_word(rest.split(b"\0", 1)[0].decode())
        elif kind == b"B":
            portal, statement, _ = body.split(b"\0", 2)
            self.portals[portal] = self.prepared.get(statement, "?")
        elif kind == b"E":
            portal = body.split(b"\0", 1)[0]
            self.tally.statements[self.portals.get(portal, "?")] += 1
        elif kind == b"S":
            self.tally.round_trips += 1


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    finally:
        writer.close()


async def _frontend(
    client: asyncio.StreamReader,
    client_writer: asyncio.StreamWriter,
    server_writer: asyncio.StreamWriter,
    tally: Tally,
) -> None:
    try:
        while True:  # untyped start-up messages
            length, code = struct.unpack("!ii", await client.readexactly(8))
            rest = await client.readexactly(length - 8)
            if code in _NO_ENCRYPTION:
                client_writer.write(b"N")
                await client_writer.drain()
                continue
            server_writer.write(struct.pack("!ii", length, code) + rest)
            break
        reader = _Reader(tally)
        while True:
            head = await client.readexactly(5)
            body = await client.readexactly(struct.unpack("!i", head[1:])[0] - 4)
            reader.message(head[:1], body)
            server_writer.write(head + body)
            await server_writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        server_writer.close()


class Proxy:
    """One listening port forwarding to PostgreSQL, in a thread with its own loop."""

    def __init__(self) -> None:
        self.port = free_port()
        self.tally = Tally()
        host, _, port = SERVER.rpartition("@")[2].partition(":")
        self._target = (host, int(port or 5432))
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        threading.Thread(target=self._run, daemon=True).start()
        self._ready.wait(10)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(
            asyncio.start_server(self._connection, "127.0.0.1", self.port)
        )
        self._ready.set()
        self._loop.run_forever()

    async def _connection(
        self, client: asyncio.StreamReader, client_writer: asyncio.StreamWriter
    ) -> None:
        server, server_writer = await asyncio.open_connection(*self._target)
        await asyncio.gather(
            _frontend(client, client_writer, server_writer, self.tally),
            _pipe(server, client_writer),
            return_exceptions=True,
        )

    def dsn(self, dataset: Dataset) -> str:
        user = SERVER.rpartition("@")[0]
        name = dataset.dsn.rsplit("/", 1)[1]
        return f"postgresql://{user}@127.0.0.1:{self.port}/{name}"


@dataclass(frozen=True, slots=True)
class Counted:
    statements: float
    round_trips: float
    kinds: str  # e.g. "BEGIN, SELECT, COMMIT" per request


def _per_request(tally: Tally) -> Counted:
    total = sum(tally.statements.values())
    kinds = ", ".join(
        f"{count / REQUESTS:g} {kind}" for kind, count in tally.statements.most_common()
    )
    return Counted(total / REQUESTS, tally.round_trips / REQUESTS, kinds)


def count(dataset: Dataset, cases: list[Case]) -> dict[tuple[str, str], Counted]:
    """(case name, app) -> statements and round trips per request."""
    proxies = {name: Proxy() for name in APPS}
    dsns = {name: proxy.dsn(dataset) for name, proxy in proxies.items()}
    results: dict[tuple[str, str], Counted] = {}
    with running(dataset, dsns=dsns) as servers, httpx.Client() as client:
        for case in cases:
            for name, server in servers.items():
                url = server.base_url + case.paths[name]
                for _ in range(5):
                    client.get(url, headers=case.headers).raise_for_status()
                proxies[name].tally.reset()
                for _ in range(REQUESTS):
                    client.get(url, headers=case.headers).raise_for_status()
                results[case.name, name] = _per_request(proxies[name].tally)
    return results
