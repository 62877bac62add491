"""Measure list and read paths of a real `klynge serve` over loopback.

Starts the API (1 uvicorn worker) on a fresh PostgreSQL database (or BENCH_DATABASE_URL),
fills it with BENCH_ROWS organisations, then drives each scenario with a bounded number
of concurrent clients for a bounded time, and prints requests/s and latency percentiles.
The load generator shares the machine's cores with the server: compare scenarios as
ratios within one run, not as absolute figures across machines.

    .venv/bin/python -m bench.klynge_alone
    BENCH_ROWS=50000 BENCH_SECONDS=10 .venv/bin/python -m bench.klynge_alone
"""

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass

import httpx
from sqlalchemy import insert

from app import migrate
from app.auth.models import ApiKeyScope
from app.companies.models import Country, Language, Organisation, OrganisationKind
from app.db import create_engine, utcnow
from tests import databases
from tests.callers import api_key_headers

ROWS = int(os.environ.get("BENCH_ROWS", "20000"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "8"))
MAX_REQUESTS = 200_000  # a hard stop whatever the timing


def norwegian_numbers(count: int) -> list[str]:
    """Distinct 9-digit numbers with valid mod-11 check digits."""
    weights = (3, 2, 7, 6, 5, 4, 3, 2)
    numbers: list[str] = []
    body = 80_000_000
    while len(numbers) < count:
        body += 1
        digits = str(body)
        check = (11 - sum(w * int(d) for w, d in zip(weights, digits, strict=True)) % 11) % 11
        if check != 10:
            numbers.append(digits + str(check))
    return numbers


async def fill(url: str) -> None:
    engine = create_engine(url)
    now = utcnow()
    rows = [
        {
            "id": uuid.uuid4(),
            "kind": OrganisationKind.COMPANY,
            "legal_name": f"Benchmark Company {i:06d} AS",
            "display_name": f"Benchmark Company {i:06d}",
            "country": Country.NORWAY,
            "organisation_number": number,
            "language": Language.NORWEGIAN_BOKMAL,
            "employees": i % 900,
            "apprentices": i % 13,
            "created_at": now,
            "updated_at": now,
            "version": 1,
        }
        for i, number in enumerate(norwegian_numbers(ROWS))
    ]
    async with engine.begin() as connection:
        for start in range(0, len(rows), 2000):
            await connection.execute(insert(Organisation), rows[start : start + 2000])
    await engine.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Result:
    name: str
    requests: int
    seconds: float
    latencies: list[float]

    def row(self) -> str:
        ordered = sorted(self.latencies)
        p50 = statistics.median(ordered) * 1000
        p95 = ordered[int(len(ordered) * 0.95) - 1] * 1000
        rate = self.requests / self.seconds
        return f"| {self.name} | {rate:,.0f} | {p50:.1f} | {p95:.1f} |"


async def drive(
    client: httpx.AsyncClient, name: str, url: str, headers: dict[str, str] | None = None
) -> Result:
    latencies: list[float] = []
    deadline = time.perf_counter() + SECONDS

    async def worker() -> None:
        while time.perf_counter() < deadline and len(latencies) < MAX_REQUESTS:
            started = time.perf_counter()
            response = await client.get(url, headers=headers)
            latencies.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise RuntimeError(f"{url} answered {response.status_code}: {response.text}")

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return Result(name, len(latencies), time.perf_counter() - started, latencies)


async def scenarios(base_url: str, key_headers: dict[str, str]) -> list[Result]:
    limits = httpx.Limits(max_connections=CONCURRENCY)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=30) as client:
        for _ in range(100):
            try:
                if (await client.get("/health/ready")).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
        first = (await client.get("/v1/companies", params={"limit": 50})).json()
        one_id = first["items"][0]["id"]
        # Walk to a page three quarters into the list: keyset pages cost the same anywhere.
        cursor = first["next_cursor"]
        for _ in range(int(ROWS * 0.75) // 200):
            page = await client.get("/v1/companies", params={"limit": 200, "cursor": cursor})
            cursor = page.json()["next_cursor"]
        return [
            await drive(client, "GET /health/live (framework floor)", "/health/live"),
            await drive(client, "GET /v1/companies/{id}", f"/v1/companies/{one_id}"),
            await drive(
                client, "GET /v1/companies?limit=50 (first page)", "/v1/companies?limit=50"
            ),
            await drive(
                client,
                "GET /v1/companies?limit=50 (first page, with an API key)",
                "/v1/companies?limit=50",
                key_headers,
            ),
            await drive(
                client,
                f"GET /v1/companies?limit=50 (page at row ~{int(ROWS * 0.75):,})",
                f"/v1/companies?limit=50&cursor={cursor}",
            ),
            await drive(
                client,
                "GET /v1/companies?q=company 01 (search, 1 in 2 match)",
                "/v1/companies?limit=50&q=company%2001",
            ),
            await drive(
                client,
                "GET /v1/companies?q=company 012345 (search, one match)",
                "/v1/companies?limit=50&q=company%20012345",
            ),
        ]


async def main() -> None:
    url = os.environ.get("BENCH_DATABASE_URL") or await databases.create_postgres_database()
    created = "BENCH_DATABASE_URL" not in os.environ
    try:
        await asyncio.to_thread(migrate.upgrade, url)
        await fill(url)
        setup_engine = create_engine(url)
        key_headers = await api_key_headers(setup_engine, ApiKeyScope.READ)
        await setup_engine.dispose()
        port = free_port()
        env = {**os.environ, "KLYNGE_DATABASE_URL": url, "KLYNGE_LOG_LEVEL": "WARNING"}
        server = subprocess.Popen(  # noqa: ASYNC220 - the server runs beside us until the end
            [sys.executable, "-m", "app.cli", "serve", "--skip-migrations", "--port", str(port)],
            env=env,
        )
        try:
            results = await scenarios(f"http://127.0.0.1:{port}", key_headers)
        finally:
            server.terminate()
            server.wait(timeout=10)
        print(
            f"\n{ROWS:,} organisations, {CONCURRENCY} concurrent clients, {SECONDS:.0f} s each, "
            f"database {url.split('://')[0]}\n"
        )
        print("| scenario | req/s | p50 ms | p95 ms |\n| --- | --- | --- | --- |")
        for result in results:
            print(result.row())
    finally:
        if created:
            await databases.drop_postgres_database(url)


if __name__ == "__main__":
    asyncio.run(main())
