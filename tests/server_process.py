"""`klynge serve` as a separate process, for tests that need real HTTP and real workers."""

import asyncio
import os
import signal
import socket
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import IO

import httpx

REPOSITORY = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@asynccontextmanager
async def klynge_serve(
    environment: dict[str, str], *, workers: int = 2, start_seconds: float = 60
) -> AsyncIterator[str]:
    """Run `klynge serve --workers N` on a free port until the block ends; yields its URL.

    The environment is the process's own plus `environment` (KLYNGE_DATABASE_URL at least;
    the schema must already be migrated)."""
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
    url = f"http://127.0.0.1:{port}"
    try:
        await _wait_until_ready(process, output, url, workers, start_seconds)
        yield url
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), timeout=30)
            except TimeoutError:
                process.kill()
                await process.wait()
        # Shown by pytest when the test fails: what the server said.
        output.seek(0)
        print(output.read().decode(errors="replace")[-20000:])
        output.close()


async def _wait_until_ready(
    process: asyncio.subprocess.Process,
    output: IO[bytes],
    url: str,
    workers: int,
    seconds: float,
) -> None:
    """Until every worker answers: uvicorn's workers start one by one, and a request to a
    port with one worker up would all land on that one."""
    deadline = time.monotonic() + seconds
    async with httpx.AsyncClient(base_url=url, timeout=2) as client:
        while time.monotonic() < deadline:
            if process.returncode is not None:
                output.seek(0)
                said = output.read().decode(errors="replace")
                raise RuntimeError(f"klynge serve exited ({process.returncode}): {said}")
            try:
                if (await client.get("/health/live")).status_code == 200:
                    # The workers share the socket; give the others a moment to start.
                    await asyncio.sleep(0.5 * workers)
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise TimeoutError(f"klynge serve did not answer on {url} within {seconds} s")
