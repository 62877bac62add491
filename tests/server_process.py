"""A real `klynge serve` process on a free port, for tests that need the whole stack
(a browser, a separate process) rather than the in-process ASGI client."""

import asyncio
import os
import socket
import subprocess
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


@asynccontextmanager
async def running_server(environment: dict[str, str]) -> AsyncIterator[str]:
    """`klynge serve` with these KLYNGE_* settings; yields its base URL and stops it."""
    port = free_port()
    # A file, not a pipe: nobody reads the log while the test runs, and a full pipe
    # would block the server.
    with tempfile.TemporaryFile() as log:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "app.cli",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--skip-migrations",
            cwd=REPOSITORY,
            env={**os.environ, **environment},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base_url = f"http://127.0.0.1:{port}"
        try:
            await _wait_until_live(base_url, process, log)
            yield base_url
        finally:
            if process.returncode is None:
                process.terminate()
                try:
                    await asyncio.wait_for(process.wait(), timeout=15)
                except TimeoutError:
                    process.kill()
                    await process.wait()


async def _wait_until_live(
    base_url: str, process: asyncio.subprocess.Process, log: IO[bytes]
) -> None:
    deadline = time.monotonic() + 60
    async with httpx.AsyncClient(base_url=base_url, timeout=2) as client:
        while time.monotonic() < deadline:
            if process.returncode is not None:
                break
            try:
                if (await client.get("/health/live")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    log.seek(0)
    raise AssertionError(f"klynge serve did not come up:\n{log.read().decode(errors='replace')}")
