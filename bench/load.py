"""Load: every case on every app, interleaved (A B C A B C …), over real HTTP with wrk.

Each round runs every case on Klynge, the limit and the peer one after another, so slow
drift of the machine (other processes, CPU frequency) falls on all three alike; ratios
are taken within a round and the median of the rounds is reported. wrk runs one thread
with BENCH_CONNECTIONS (16) connections for BENCH_SECONDS (6) per run, after a 2-second
warm-up of each app and case in the first round. wrk shares the machine's cores with the
servers: compare ratios, not absolute figures across machines.

Without wrk on PATH (install it: `apt-get install wrk`), an httpx-based loop with the
same connections stands in, slower, and the report says so.
"""

import asyncio
import os
import re
import shutil
import statistics
import subprocess
import time
from dataclasses import dataclass

import httpx

from bench.cases import Case
from bench.servers import Server

SECONDS = float(os.environ.get("BENCH_SECONDS", "6"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
WARM_UP = 2.0
_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


@dataclass(frozen=True, slots=True)
class Run:
    rate: float  # requests per second
    p50_ms: float
    p99_ms: float


def tool() -> str:
    return "wrk" if shutil.which("wrk") else "httpx (wrk not installed)"


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(number) * _UNIT_MS[unit]


def _wrk(url: str, headers: dict[str, str], seconds: float) -> Run:
    command = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds:g}s", "--latency", url]
    for name, value in headers.items():
        command[1:1] = ["-H", f"{name}: {value}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in output:
        raise RuntimeError(f"{url} answered errors under load:\n{output}")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"\s50%\s+(\S+)", output).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"\s99%\s+(\S+)", output).group(1))  # type: ignore[union-attr]
    return Run(rate, p50, p99)


async def _httpx_loop(url: str, headers: dict[str, str], seconds: float) -> Run:
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=CONNECTIONS)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:

        async def worker() -> None:
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                response = await client.get(url, headers=headers)
                latencies.append(time.perf_counter() - started)
                response.raise_for_status()

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONNECTIONS)))
        elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    p99 = ordered[max(0, int(len(ordered) * 0.99) - 1)]
    return Run(len(ordered) / elapsed, statistics.median(ordered) * 1000, p99 * 1000)


def drive(url: str, headers: dict[str, str], seconds: float) -> Run:
    if shutil.which("wrk"):
        return _wrk(url, headers, seconds)
    return asyncio.run(_httpx_loop(url, headers, seconds))


@dataclass
class Measured:
    runs: dict[tuple[str, str], list[Run]]  # (case name, app) -> one Run per round
    rss_mib: dict[str, float]  # app -> resident memory after the load


def load(servers: dict[str, Server], cases: list[Case]) -> Measured:
    runs: dict[tuple[str, str], list[Run]] = {}
    for round_number in range(ROUNDS):
        for case in cases:
            for name, server in servers.items():
                url = server.base_url + case.paths[name]
                if round_number == 0:
                    drive(url, case.headers, WARM_UP)
                run = drive(url, case.headers, SECONDS)
                runs.setdefault((case.name, name), []).append(run)
                print(
                    f"  round {round_number + 1}/{ROUNDS} {name:6} {run.rate:8,.0f} req/s "
                    f"p50 {run.p50_ms:6.1f} ms p99 {run.p99_ms:6.1f} ms  {case.name}"
                )
    return Measured(runs, {name: server.rss_mib() for name, server in servers.items()})
