"""A TCP proxy in front of PostgreSQL that a test can break the way networks and servers
break: refuse connections, freeze (a partition: bytes stop, nothing is closed), or answer
as a server that is starting up.

It runs on the test's event loop; the server under test connects to it instead of to
PostgreSQL.
"""

import asyncio
import contextlib
import struct

from tests.server_process import free_port

_SSL_REQUEST = 80877103
_GSSENC_REQUEST = 80877104


def _starting_up_error() -> bytes:
    """PostgreSQL's own ErrorResponse while it starts (SQLSTATE 57P03)."""
    fields = (
        b"SFATAL\0VFATAL\0C57P03\0Mthe database system is starting up\0" + b"\0"  # terminator
    )
    return b"E" + struct.pack("!I", len(fields) + 4) + fields


class PostgresProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self.mode = "up"
        self._flowing = asyncio.Event()
        self._flowing.set()
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)

    async def up(self) -> None:
        """Forward again: a healed partition resumes its connections."""
        self.mode = "up"
        self._flowing.set()
        if self._server is None:
            await self.start()

    async def refuse(self) -> None:
        """A stopped server: the port refuses connections, open ones are reset."""
        self.mode = "refused"
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        self._cut_all()

    def freeze(self) -> None:
        """A partition: connections stay open, but no byte gets through either way."""
        self.mode = "frozen"
        self._flowing.clear()

    def starting_up(self) -> None:
        """A server restarting: open connections are cut, new ones are told it starts."""
        self.mode = "starting"
        self._cut_all()

    async def close(self) -> None:
        await self.refuse()
        for task in list(self._tasks):
            task.cancel()

    def _cut_all(self) -> None:
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            if self.mode == "starting":
                await self._answer_starting_up(reader, writer)
                return
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
            self._writers.add(upstream_writer)
            pumps = [
                asyncio.create_task(self._pump(reader, upstream_writer)),
                asyncio.create_task(self._pump(upstream_reader, writer)),
            ]
            self._tasks.update(pumps)
            await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
            for pump in pumps:
                pump.cancel()
                self._tasks.discard(pump)
            upstream_writer.transport.abort()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.transport.abort()
            self._writers.discard(writer)

    async def _pump(self, source: asyncio.StreamReader, target: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError):
            while data := await source.read(65536):
                # Frozen: hold the bytes, as a partition does, until it heals.
                await self._flowing.wait()
                target.write(data)
                await target.drain()

    async def _answer_starting_up(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        length, code = struct.unpack("!II", await reader.readexactly(8))
        while code in (_SSL_REQUEST, _GSSENC_REQUEST):
            writer.write(b"N")  # no encryption; the client goes on in the clear
            await writer.drain()
            length, code = struct.unpack("!II", await reader.readexactly(8))
        await reader.readexactly(length - 8)  # the rest of the startup packet
        writer.write(_starting_up_error())
        await writer.drain()
