"""`klynge serve` as a real process on a free port, for tests that need real HTTP: kept-open
connections, several workers, a database that goes away under it."""

import asyncio
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx

REPOSITORY = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def klynge_command(environment: dict[str, str], *arguments: str) -> str:
    """Run one `klynge` command to completion (set-up steps: create-admin, api-key)."""
    result = subprocess.run(  # noqa: S603 - our own interpreter and CLI
        [sys.executable, "-m", "app.cli", *arguments],
        cwd=REPOSITORY,
        env={**os.environ, **environment},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@dataclass(frozen=True)
class ServedProcess:
    base_url: str
    output: IO[bytes]

    def log(self) -> str:
        """Everything the server wrote so far."""
        self.output.seek(0)
        return self.output.read().decode(errors="replace")


@asynccontextmanager
async def served(
    environment: dict[str, str], *, workers: int = 1, start_seconds: float = 60
) -> AsyncIterator[ServedProcess]:
    """Run `klynge serve --workers N` on a free port until the block ends (SIGTERM, then
    kill). The environment is the process's own plus `environment` (KLYNGE_DATABASE_URL
    at least; the schema must already be migrated)."""
    port = free_port()
    # A file, not a pipe: a pipe nobody reads fills up and stalls the server's logging.
    output = tempfile.TemporaryFile()  # noqa: SIM115 - closed in the finally below
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "app.cli",
        "serve",
        "--skip-migrations",
        "--workers",
        str(workers),
        "--port",
        str(port),
        cwd=REPOSITORY,
        env={**os.environ, "KLYNGE_RUN_WORKER_IN_API": "false", **environment},
        stdout=output,
        stderr=asyncio.subprocess.STDOUT,
    )
    server = ServedProcess(f"http://127.0.0.1:{port}", output)
    try:
        await _wait_until_ready(process, server, workers, start_seconds)
        yield server
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), timeout=30)
            except TimeoutError:
                process.kill()
                await process.wait()
        # Shown by pytest when the test fails: what the server said.
        print(server.log()[-20000:])
        output.close()


async def _wait_until_ready(
    process: asyncio.subprocess.Process, server: ServedProcess, workers: int, seconds: float
) -> None:
    """Until the server answers; with several workers, a moment more: they start one by
    one, and requests to a port with one worker up would all land on that one."""
    deadline = time.monotonic() + seconds
    async with httpx.AsyncClient(base_url=server.base_url, timeout=2) as client:
        while time.monotonic() < deadline:
            if process.returncode is not None:
                raise RuntimeError(f"klynge serve exited ({process.returncode}): {server.log()}")
            try:
                if (await client.get("/health/live")).status_code == 200:
                    if workers > 1:
                        await asyncio.sleep(0.5 * workers)
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise TimeoutError(f"klynge serve did not answer on {server.base_url} within {seconds} s")
