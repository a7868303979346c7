"""`rcm eligibility-queue`: visits set aside because the payer said their member was not eligible
(271: inactive, or rejected with an AAA reason), and `rcm export 271`: the payers' answers as
received. The 271s are checked with the project's structural reader (shared.x12_structure): pyx12
maps 270/271 only for 4010, and no well-kept PyPI reader of the 5010 guide fits (docs/eligibility.md)."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path
from typing import Any

import typer

from biller.adapters.eligibility import EligibilityRepository
from shared import db
from shared.cli.output import print_json, print_table, report_files, subgroup
from shared.topic_reader import parse_time
from shared.x12_structure import check_271


async def _queue(limit: int) -> list[dict[str, Any]]:
    conn = await db.connect()
    try:
        return await EligibilityRepository(conn).open_queue(limit)
    finally:
        await conn.close()


def eligibility_queue(limit: int = typer.Option(50, "--limit"), as_json: bool = typer.Option(False, "--json")) -> None:
    """Visits not billed because the member was not eligible on the date of service, newest first."""
    found = asyncio.run(_queue(limit))
    if as_json:
        print_json(found)
        return
    print_table(
        "eligibility work queue",
        ("visit", "payer", "answer", "reason", "since"),
        [(r["visit_id"], r["payer_id"], r["status"], r["reason"], f"{r['created_at']:%Y-%m-%d %H:%M}") for r in found],
    )


def export_271(
    out: Path = typer.Option(..., "--out", help="folder to write the 271 files into"),
    since: str | None = typer.Option(None, "--since", help="only answers since: ISO date or time, or an age (6h)"),
    check: bool = typer.Option(True, "--check/--no-check", help="check each file's structure (005010X279A1)"),
) -> None:
    """X12 271 005010X279A1 eligibility answers, one file per answer received (a batch's visits share one)."""

    async def run() -> list[tuple[str, str]]:
        conn = await db.connect()
        try:
            return await EligibilityRepository(conn).answers_271(parse_time(since) if since else None)
        finally:
            await conn.close()

    out.mkdir(parents=True, exist_ok=True)
    written = []
    for payer_id, text in asyncio.run(run()):
        path = out / f"{payer_id}-{hashlib.sha256(text.encode()).hexdigest()[:12]}.271"
        path.write_text(text)
        written.append((path, check_271(text) if check else []))
    report_files(written, out, check)


def register(app: typer.Typer) -> None:
    app.command("eligibility-queue")(eligibility_queue)
    subgroup(app, "export", "write standard files (X12) from what the pipeline recorded").command("271")(export_271)
