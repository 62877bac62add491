"""The three servers under test, each one uvicorn worker on its own loopback port.

Klynge runs as deployed (`klynge serve --skip-migrations`, its embedded mail sender off so
no background loop competes with the reads or adds statements); the limit and the peer
run under the same uvicorn (uvloop, httptools, no access log).
"""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
import psutil

from bench.data import Dataset

APPS = ("klynge", "limit", "peer")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen[bytes]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def rss_mib(self) -> float:
        """Resident memory of the worker process (and any children), in MiB."""
        process = psutil.Process(self.process.pid)
        total = process.memory_info().rss
        total += sum(child.memory_info().rss for child in process.children(recursive=True))
        return total / 2**20


def _command(name: str, port: int) -> list[str]:
    if name == "klynge":
        return [sys.executable, "-m", "app.cli", "serve", "--skip-migrations", "--port", str(port)]
    return [
        sys.executable,
        "-m",
        "uvicorn",
        f"bench.apps.{name}:app",
        "--port",
        str(port),
        "--workers",
        "1",
        "--no-access-log",
        "--log-level",
        "warning",
    ]


def _environment(dsn: str) -> dict[str, str]:
    return {
        **os.environ,
        "KLYNGE_DATABASE_URL": dsn.replace("postgresql://", "postgresql+asyncpg://", 1),
        "KLYNGE_JWT_SECRET": "bench-only-" + "x" * 40,
        "KLYNGE_LOG_LEVEL": "WARNING",
        "KLYNGE_RUN_WORKER_IN_API": "false",
        "BENCH_DSN": dsn,
        "BENCH_PEER_URL": dsn.replace("postgresql://", "postgresql+psycopg://", 1),
    }


def _wait_ready(server: Server, probe: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited with {server.process.returncode}")
        try:
            if httpx.get(server.base_url + probe, timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{server.name} did not answer within 60 s")


@contextmanager
def running(
    dataset: Dataset, names: tuple[str, ...] = APPS, dsns: dict[str, str] | None = None
) -> Iterator[dict[str, Server]]:
    """The named servers, each on its `dsns` entry (the benchmark database unless given,
    e.g. a counting proxy), ready to answer, stopped on exit."""
    servers: dict[str, Server] = {}
    try:
        for name in names:
            port = free_port()
            environment = _environment((dsns or {}).get(name, dataset.dsn))
            process = subprocess.Popen(_command(name, port), env=environment)
            servers[name] = Server(name, port, process)
        for server in servers.values():
            _wait_ready(server, "/v1/companies?limit=1")
        yield servers
    finally:
        for server in servers.values():
            server.process.terminate()
        for server in servers.values():
            try:
                server.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.process.kill()
