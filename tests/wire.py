"""What really goes over the wire to PostgreSQL: a proxy that reads the client's messages.

SQLAlchemy's `before_cursor_execute` sees only the statements it runs through a cursor;
asyncpg sends BEGIN, COMMIT, ROLLBACK and the pool's ping itself. This proxy reads the
frontend protocol instead (`Q` simple queries; `P` parse, `B` bind, `E` execute of
prepared statements), so a test counts every statement the server is asked to run.
"""

import asyncio
import contextlib
import struct
from collections.abc import Iterator

from tests.server_process import free_port

_SSL_REQUEST = 80877103
_GSSENC_REQUEST = 80877104


def _cstring(body: bytes, start: int) -> tuple[str, int]:
    end = body.index(b"\0", start)
    return body[start:end].decode(), end + 1


class _Client:
    """One client connection's prepared statements and bound portals."""

    def __init__(self, statements: list[str]) -> None:
        self.statements = statements
        self.prepared: dict[str, str] = {}
        self.portals: dict[str, str] = {}

    def read(self, kind: bytes, body: bytes) -> None:
        if kind == b"Q":
            self.statements.append(_cstring(body, 0)[0])
        elif kind == b"P":
            name, after = _cstring(body, 0)
            self.prepared[name] = _cstring(body, after)[0]
        elif kind == b"B":
            portal, after = _cstring(body, 0)
            self.portals[portal] = self.prepared.get(_cstring(body, after)[0], "?")
        elif kind == b"E":
            self.statements.append(self.portals.get(_cstring(body, 0)[0], "?"))


class WireRecorder:
    """A TCP proxy to PostgreSQL that records every statement its clients send."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self.statements: list[str] = []
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()

    @contextlib.contextmanager
    def recording(self) -> Iterator[list[str]]:
        """`with recorder.recording() as sent:` the statements sent inside the block."""
        mark = len(self.statements)
        sent: list[str] = []
        try:
            yield sent
        finally:
            sent.extend(self.statements[mark:])

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        pumps = [
            asyncio.create_task(self._client_to_server(reader, upstream_writer)),
            asyncio.create_task(self._server_to_client(upstream_reader, writer)),
        ]
        self._tasks.update(pumps)
        await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
        for pump in pumps:
            pump.cancel()
            self._tasks.discard(pump)
        upstream_writer.transport.abort()
        writer.transport.abort()

    async def _client_to_server(
        self, source: asyncio.StreamReader, target: asyncio.StreamWriter
    ) -> None:
        client = _Client(self.statements)
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
            # The startup packet has no type byte; an SSL request comes first (declined).
            while True:
                head = await source.readexactly(8)
                target.write(head)
                length, code = struct.unpack("!II", head)
                if code not in (_SSL_REQUEST, _GSSENC_REQUEST):
                    target.write(await source.readexactly(length - 8))
                    break
            while True:
                head = await source.readexactly(5)
                kind, length = head[:1], struct.unpack("!I", head[1:])[0]
                body = await source.readexactly(length - 4)
                client.read(kind, body)
                target.write(head + body)
                await target.drain()

    async def _server_to_client(
        self, source: asyncio.StreamReader, target: asyncio.StreamWriter
    ) -> None:
        with contextlib.suppress(ConnectionError):
            while data := await source.read(65536):
                target.write(data)
                await target.drain()
