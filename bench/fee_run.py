"""Time the yearly fee run for BENCH_MEMBERSHIPS (10,000) memberships of one network.

On a fresh SQLite file and, when a server answers on 127.0.0.1:5432, a fresh PostgreSQL
database (dropped afterwards): migrate, insert the organisations, memberships, seller and
fee schedule with Core, then call the service as `klynge fee-run` does and time a dry
run, the real run (10,000 draft invoices and their lines) and a rerun (all already
invoiced). Memberships are mixed: most whole-year members, some joining mid-year (pro-rated),
some partners and pending applications (skipped), and a tiered line by employees.

    .venv/bin/python -m bench.fee_run
    BENCH_MEMBERSHIPS=50000 .venv/bin/python -m bench.fee_run
"""

import asyncio
import os
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from app import migrate
from app.api.caller import Caller
from app.companies.models import Country, Language, Organisation, OrganisationKind
from app.db import create_engine, create_sessionmaker, utcnow
from app.fee_runs.schemas import FeeRunSummary
from app.fee_runs.service import run_fee_run
from app.fee_schedules.models import FeeSchedule
from app.invoices.models import Currency
from app.memberships.models import Membership, MembershipKind, MembershipStatus
from app.networks.models import Network, NetworkStatus, Visibility
from app.sellers.models import SellerSettings
from bench.run import norwegian_numbers
from tests import databases

MEMBERSHIPS = int(os.environ.get("BENCH_MEMBERSHIPS", "10000"))
YEAR = 2026
LINES = [
    {
        "description": "Administrasjonsgebyr",
        "amount": None,
        "tiers": [
            {"min_employees": 0, "amount": "5000.00"},
            {"min_employees": 50, "amount": "12000.00"},
            {"min_employees": 250, "amount": "25000.00"},
        ],
        "vat_category": "S",
        "vat_rate": "25.00",
        "vat_exemption_reason": None,
    },
    {
        "description": "Kurs og seminarer",
        "amount": "1500.00",
        "tiers": None,
        "vat_category": "E",
        "vat_rate": "0.00",
        "vat_exemption_reason": "Unntatt etter merverdiavgiftsloven § 3-5",
    },
]


def _entity(now: Any) -> dict[str, Any]:
    return {"id": uuid.uuid4(), "created_at": now, "updated_at": now, "version": 1}


def _membership(i: int, organisation_id: uuid.UUID, network_id: uuid.UUID) -> dict[str, Any]:
    kind, status, starts_on = MembershipKind.MEMBER, MembershipStatus.ACTIVE, date(2020, 1, 1)
    if i % 10 == 1:  # joins during the year: pro-rated
        starts_on = date(YEAR, 1 + i % 12, 1 + i % 28)
    elif i % 33 == 2:
        kind = MembershipKind.PARTNER
    elif i % 50 == 3:
        status = MembershipStatus.APPLIED
    return {
        "organisation_id": organisation_id,
        "network_id": network_id,
        "kind": kind,
        "status": status,
        "starts_on": starts_on,
        "ends_on": None,
    }


async def seed(url: str) -> uuid.UUID:
    """The network to bill, with MEMBERSHIPS memberships; returns its id."""
    engine = create_engine(url)
    now = utcnow()
    numbers = norwegian_numbers(MEMBERSHIPS + 1)
    seller_number = numbers.pop()
    seller = {
        **_entity(now),
        "kind": OrganisationKind.ASSOCIATION,
        "legal_name": "Benchmark Forening",
        "display_name": "Benchmark Forening",
        "country": Country.NORWAY,
        "organisation_number": seller_number,
        # VAT-registered: the schedule charges VAT (S) and is exempt from it (E).
        "vat_number": f"NO{seller_number}MVA",
        "language": Language.NORWEGIAN_BOKMAL,
    }
    organisations = [
        {
            **_entity(now),
            "kind": OrganisationKind.COMPANY,
            "legal_name": f"Benchmark Company {i:06d} AS",
            "display_name": f"Benchmark Company {i:06d}",
            "country": Country.NORWAY,
            "organisation_number": number,
            "language": Language.NORWEGIAN_BOKMAL,
            "employees": None if i % 97 == 5 else i % 400,
        }
        for i, number in enumerate(numbers)
    ]
    network = {
        **_entity(now),
        "slug": "benchmark",
        "name": "Benchmark Network",
        "visibility": Visibility.OPEN,
        "status": NetworkStatus.ACTIVE,
        "administered_by_id": seller["id"],
    }
    memberships = [
        {**_entity(now), **_membership(i, organisation["id"], network["id"])}
        for i, organisation in enumerate(organisations)
    ]
    async with engine.begin() as connection:
        await connection.execute(insert(Organisation), [seller])
        await connection.execute(
            insert(SellerSettings),
            [{**_entity(now), "organisation_id": seller["id"], "bank_account": "12345678903"}],
        )
        await connection.execute(insert(Network), [network])
        await connection.execute(
            insert(FeeSchedule),
            [
                {
                    **_entity(now),
                    "network_id": network["id"],
                    "year": YEAR,
                    "currency": Currency.NOK,
                    "payment_terms_days": 30,
                    "invoice_text": "Kontingent 2026",
                    "billable_kinds": ["member"],
                    "lines": LINES,
                }
            ],
        )
        for start in range(0, MEMBERSHIPS, 2000):
            await connection.execute(insert(Organisation), organisations[start : start + 2000])
            await connection.execute(insert(Membership), memberships[start : start + 2000])
    await engine.dispose()
    return uuid.UUID(str(network["id"]))


async def _timed(url: str, network_id: uuid.UUID, *, dry_run: bool) -> tuple[float, FeeRunSummary]:
    engine = create_engine(url)
    try:
        started = time.perf_counter()
        async with create_sessionmaker(engine)() as session, session.begin():
            summary = await run_fee_run(session, Caller.system(), network_id, YEAR, dry_run=dry_run)
        return time.perf_counter() - started, summary
    finally:
        await engine.dispose()


async def measure(backend: str, url: str) -> None:
    await asyncio.to_thread(migrate.upgrade, url)
    network_id = await seed(url)
    runs: list[tuple[str, Callable[[], Awaitable[tuple[float, FeeRunSummary]]]]] = [
        ("dry run", lambda: _timed(url, network_id, dry_run=True)),
        ("real run", lambda: _timed(url, network_id, dry_run=False)),
        ("rerun (nothing to bill)", lambda: _timed(url, network_id, dry_run=False)),
    ]
    for label, run in runs:
        seconds, summary = await run()
        print(
            f"| {backend} | {label} | {MEMBERSHIPS} | {summary.created_count} | "
            f"{summary.skipped_count} | {seconds:.2f} | {MEMBERSHIPS / seconds:,.0f} |",
            flush=True,
        )


async def main() -> None:
    print(f"Fee run for {MEMBERSHIPS} memberships of one network, year {YEAR}")
    print("| backend | run | memberships | invoices | skipped | seconds | memberships/s |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory() as directory:
        await measure("SQLite", f"sqlite+aiosqlite:///{Path(directory) / 'fee-run.db'}")
    if databases.postgres_reachable():
        url = await databases.create_postgres_database()
        try:
            await measure("PostgreSQL", url)
        finally:
            await databases.drop_postgres_database(url)
    else:
        print("PostgreSQL: nothing answers on 127.0.0.1:5432; skipped.")


if __name__ == "__main__":
    asyncio.run(main())
