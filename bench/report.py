"""The benchmark's table: per case the three apps' medians, Klynge's ratios to the limit
and to the peer (the median of the per-round ratios), p50/p99, statements per read, and
the servers' resident memory after the load; printed and written to bench/last-run.md."""

import os
import statistics
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench.count import Counted
from bench.data import Dataset
from bench.load import CONNECTIONS, ROUNDS, SECONDS, Measured, Run

LAST_RUN = Path(__file__).with_name("last-run.md")


@dataclass(frozen=True, slots=True)
class Machine:
    """What the numbers depend on besides the code: recorded at the start and the end."""

    cores: int
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]
    postgres: str
    tool: str


def _median(runs: list[Run], field: str) -> float:
    return statistics.median(getattr(run, field) for run in runs)


def _ratio(ours: list[Run], theirs: list[Run]) -> float:
    return statistics.median(a.rate / b.rate for a, b in zip(ours, theirs, strict=True))


def _load(values: tuple[float, float, float]) -> str:
    return " / ".join(f"{value:.2f}" for value in values)


def table(
    dataset: Dataset,
    case_names: list[str],
    measured: Measured,
    counted: dict[tuple[str, str], Counted],
    machine: Machine,
) -> str:
    counts = dataset.counts
    lines = [
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, BENCH_SCALE={dataset.scale:g}: "
        f"{counts.organisations:,} organisations, {counts.people:,} people, "
        f"{counts.memberships:,} memberships, {counts.invoices:,} invoices. "
        f"{machine.postgres}; {machine.cores} cores shared by the servers, the load tool "
        f"and PostgreSQL; load average (1/5/15 min) {_load(machine.load_before)} before, "
        f"{_load(machine.load_after)} after. {machine.tool}, {CONNECTIONS} connections, "
        f"{ROUNDS} interleaved rounds of {SECONDS:g} s per app and case; one uvicorn "
        "worker each. Ratios: Klynge's req/s over the other's, median of the rounds "
        "(above 1 is Klynge faster).",
        "",
        "| case | req/s Klynge / limit / peer | Klynge / limit | Klynge / peer "
        "| p50 ms K / L / P | p99 ms K / L / P | statements per read K / L / P |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    apps = ("klynge", "limit", "peer")
    for name in case_names:
        runs = {app: measured.runs[name, app] for app in apps}
        rates = " / ".join(f"{_median(runs[app], 'rate'):,.0f}" for app in apps)
        p50 = " / ".join(f"{_median(runs[app], 'p50_ms'):.1f}" for app in apps)
        p99 = " / ".join(f"{_median(runs[app], 'p99_ms'):.1f}" for app in apps)
        statements = " / ".join(f"{counted[name, app].statements:g}" for app in apps)
        to_limit = _ratio(runs["klynge"], runs["limit"])
        to_peer = _ratio(runs["klynge"], runs["peer"])
        lines.append(
            f"| {name} | {rates} | {to_limit:.2f} | {to_peer:.2f} | {p50} | {p99} | {statements} |"
        )
    rss = ", ".join(f"{app} {measured.rss_mib[app]:.0f} MiB" for app in apps)
    lines += ["", f"RSS after load: {rss}.", "", "Statements per read, by kind:", ""]
    for name in case_names:
        for app in apps:
            lines.append(f"- {name}, {app}: {counted[name, app].kinds}")
    return "\n".join(lines) + "\n"


def write(text: str) -> None:
    print("\n" + text)
    LAST_RUN.write_text(text)
    print(f"Written to {os.path.relpath(LAST_RUN)}.")
