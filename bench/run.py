"""`make bench`: Klynge against a hand-written limit and a template-style peer, in one run.

1. bench.data   makes and fills the klynge_bench database (BENCH_SCALE, default 1).
2. bench.check  starts the three servers and holds them to the same answers.
3. bench.load   runs every case on every app, interleaved, with wrk.
4. bench.count  counts statements per read through a PostgreSQL protocol proxy.
5. bench.report prints the table and writes bench/last-run.md.

    make bench                                   # national scale, ~10 minutes
    BENCH_SCALE=0.1 BENCH_SECONDS=3 make bench   # a quick look
    BENCH_REUSE=1 make bench                     # keep the database of the last run
"""

import asyncio
import os
import time

import asyncpg

from bench import cases, check, count, data, load, report, servers


def _postgres_version(dataset: data.Dataset) -> str:
    async def version() -> str:
        connection = await asyncpg.connect(dataset.dsn)
        try:
            return str(await connection.fetchval("SHOW server_version")).split()[0]
        finally:
            await connection.close()

    return "PostgreSQL " + asyncio.run(version())


def main() -> None:
    started = time.monotonic()
    load_before = os.getloadavg()
    dataset = asyncio.run(data.prepare())
    measured_cases = asyncio.run(cases.cases(dataset))
    with servers.running(dataset) as running:
        print("Checking that the three apps answer the same rows:")
        check.check(running, measured_cases)
        print(f"Load with {load.tool()}:")
        measured = load.load(running, measured_cases)
    print("Counting statements per read:")
    counted = count.count(dataset, measured_cases)
    machine = report.Machine(
        cores=os.cpu_count() or 0,
        load_before=load_before,
        load_after=os.getloadavg(),
        postgres=_postgres_version(dataset),
        tool=load.tool(),
    )
    names = [case.name for case in measured_cases]
    report.write(report.table(dataset, names, measured, counted, machine))
    print(f"The whole run took {time.monotonic() - started:.0f} s.")


if __name__ == "__main__":
    main()
