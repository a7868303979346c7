"""`rcm chaos`: the fault matrix against the running local stack (make up; BROKERS=3 for the
broker rows). Each row: visits at a rate, a fault when a third are remitted, then the checks."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import typer

from bench.faults.faults import rows
from bench.faults.matrix import Result, run_row
from bench.faults.stack import ROOT
from shared.cli.output import console
from shared.outages import quiet_outage_logs

COLUMNS = (
    "row",
    "lost",
    "published twice",
    "duplicate claims",
    "duplicate postings",
    "DLQ",
    "rebuild",
    "recovery s",
    "manual steps",
)


def markdown(results: list[Result]) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + " --- |" * len(COLUMNS)]
    for r in results:
        if r.skipped:
            lines.append(f"| {r.what} | " + " | ".join(["—"] * (len(COLUMNS) - 2)) + f" | skipped: {r.skipped} |")
            continue
        recovery = "never" if r.recovery_seconds is None else f"{r.recovery_seconds:.1f}"
        cells = [r.what, r.lost, r.published_twice, r.duplicate_claims, r.duplicate_postings, r.dead_letters]
        cells += ["clean" if r.rebuild_clean else "DIFFERS", recovery, r.manual_steps]
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    return "\n".join(lines)


def provenance() -> str:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    return (
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {commit.stdout.strip() or '?'}, "
        f"{platform.node()} ({platform.machine()}, {len(os.sched_getaffinity(0))} cores)"
    )


def chaos(
    row_names: list[str] = typer.Option([], "--rows", help="rows to run (default all; see --list)"),
    visits: int = typer.Option(300, "--visits", "-n", help="visits per row"),
    rate: float = typer.Option(30, "--rate", help="visits per second"),
    settle: float = typer.Option(180, "--settle", help="seconds a row may take to finish after its fault"),
    list_rows: bool = typer.Option(False, "--list", help="list the rows and exit"),
    out: Path | None = typer.Option(None, "--out", help="append each row's result as a JSON line"),
) -> None:
    """Run the fault matrix; exit 1 if any row lost or duplicated anything, or did not recover
    within 30 s by itself."""
    available = {r.name: r for r in rows()}
    if list_rows:
        for r in available.values():
            console.print(f"{r.name:28} {r.what}")
        return
    unknown = [n for n in row_names if n not in available]
    if unknown:
        raise typer.BadParameter(f"unknown rows: {', '.join(unknown)} (see --list)")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    quiet_outage_logs()  # the harness's own Kafka clients: a few lines per outage, like the services
    chosen = [available[n] for n in row_names] if row_names else list(available.values())
    results: list[Result] = []
    for row in chosen:
        console.print(f"[bold]{row.name}[/bold]: {row.what} — {visits} visits at {rate:g}/s")
        result = asyncio.run(run_row(row, visits, rate, settle))
        console.print(json.dumps(result.as_dict()))
        if out:
            with out.open("a") as f:
                f.write(json.dumps(result.as_dict()) + "\n")
        results.append(result)
    console.print(f"\nrcm chaos --visits {visits} --rate {rate:g}; {provenance()}\n")
    print(markdown(results))
    if any(not r.passed for r in results if not r.skipped):
        raise typer.Exit(1)
