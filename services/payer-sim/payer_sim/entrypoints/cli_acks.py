"""`rcm export 999` and `rcm export 277ca`: the front end's answers as it sent them, one file per
claim submission (each 837P the biller sends is its own interchange), checked with pyx12."""

from __future__ import annotations

import asyncio
from pathlib import Path

import typer

from shared import db, x12
from shared.cli.output import report_files
from shared.topic_reader import parse_time

KINDS = {"999": "x12_999", "277ca": "x12_277ca"}


async def _write(kind: str, out: Path, since: str | None, check: bool) -> list[tuple[Path, list[str]]]:
    from payer_sim.adapters.acknowledgments import AcknowledgmentRepository

    conn = await db.connect()
    try:
        found = await AcknowledgmentRepository(conn).for_export(parse_time(since) if since else None)
    finally:
        await conn.close()
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for ack in found:
        text: str | None = getattr(ack, KINDS[kind])
        if text is None:  # no 277CA follows a 999 that rejected the claim
            continue
        path = out / f"{ack.payer_id}-{ack.claim_id}-{str(ack.claim_event_id)[:8]}.{kind}"
        path.write_text(text)
        written.append((path, x12.validate(text) if check else []))
    return written


def _export(kind: str, out: Path, since: str | None, check: bool, as_json: bool) -> None:
    report_files(asyncio.run(_write(kind, out, since, check)), out, check, as_json)


OUT = typer.Option(..., "--out", help="folder to write the files into")
SINCE = typer.Option(None, "--since", help="only answers since: ISO date or time, or an age (6h)")
CHECK = typer.Option(True, "--check/--no-check", help="validate each file with pyx12")
JSON = typer.Option(False, "--json", help="machine-readable: each file written and its errors")


def export_999(out: Path = OUT, since: str | None = SINCE, check: bool = CHECK, as_json: bool = JSON) -> None:
    """X12 999 005010X231A1 implementation acknowledgments: one file per claim submission."""
    _export("999", out, since, check, as_json)


def export_277ca(out: Path = OUT, since: str | None = SINCE, check: bool = CHECK, as_json: bool = JSON) -> None:
    """X12 277CA 005010X214 claim acknowledgments: one file per claim the 999 let through."""
    _export("277ca", out, since, check, as_json)


def register(export: typer.Typer) -> None:
    export.command("999")(export_999)
    export.command("277ca")(export_277ca)
