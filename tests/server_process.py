"""`klynge serve` as a real process on a free port, for tests that need real HTTP:
kept-open connections, several workers, a database that goes away under it."""

import asyncio
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

REPOSITORY = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True)
class ServedProcess:
    base_url: str
    log_file: Path

    def log(self) -> str:
        return self.log_file.read_text(errors="replace")


@asynccontextmanager
async def served(
    environment: dict[str, str], log_file: Path, *, workers: int = 1, ready_seconds: float = 60
) -> AsyncIterator[ServedProcess]:
    """Serve with `environment` added to ours until the block ends (SIGTERM, then kill).
    The output goes to `log_file`: a pipe nobody reads would fill and stall the server."""
    port = free_port()
    with log_file.open("wb") as output:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "app.cli",
            "serve",
            "--skip-migrations",
            "--port",
            str(port),
            "--workers",
            str(workers),
            cwd=REPOSITORY,
            env={**os.environ, **environment},
            stdout=output,
            stderr=asyncio.subprocess.STDOUT,
        )
    served_process = ServedProcess(f"http://127.0.0.1:{port}", log_file)
    try:
        await _wait_until_live(served_process, process, ready_seconds)
        yield served_process
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), timeout=15)
            except TimeoutError:
                process.kill()
                await process.wait()


async def _wait_until_live(
    served_process: ServedProcess, process: asyncio.subprocess.Process, seconds: float
) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    async with httpx.AsyncClient(base_url=served_process.base_url) as client:
        while asyncio.get_running_loop().time() < deadline:
            if process.returncode is not None:
                raise AssertionError(f"klynge serve exited:\n{served_process.log()}")
            try:
                if (await client.get("/health/live")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise AssertionError(f"klynge serve did not start in {seconds} s:\n{served_process.log()}")
