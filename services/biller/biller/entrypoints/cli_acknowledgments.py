"""`rcm rejections`: the rejected work queue — claims the payer's front end turned back (999 or
277CA) before adjudication, with the reason (codes, segments, elements; never a value)."""

from __future__ import annotations

import asyncio
from typing import Any

import typer

from biller.adapters.acknowledgments import AcknowledgmentRepository
from shared import db
from shared.cli.output import print_json, print_table


async def _open(limit: int, closed_too: bool) -> list[dict[str, Any]]:
    conn = await db.connect()
    try:
        return [dict(r) for r in await AcknowledgmentRepository(conn).open_rejections(limit, closed_too)]
    finally:
        await conn.close()


def rejections(
    limit: int = typer.Option(50, "--limit"),
    closed_too: bool = typer.Option(False, "--all", help="closed items too (resubmitted and accepted, written off)"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Open claims rejected at the payer's front end (999/277CA), newest first: fix and send again."""
    found = asyncio.run(_open(limit, closed_too))
    if as_json:
        print_json(found)
        return
    print_table(
        "rejected at the payer's front end",
        ("claim", "visit", "payer", "by", "reason", "when"),
        [(r["claim_id"], r["visit_id"], r["payer_id"], r["source"], r["reason"], f"{r['created_at']:%Y-%m-%d %H:%M}")
         for r in found],
    )  # fmt: skip


def register(app: typer.Typer) -> None:
    app.command("rejections")(rejections)
