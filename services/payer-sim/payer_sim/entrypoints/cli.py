"""The payer-sim's `rcm` verbs, over its own tables only: `rcm export 835|999|277ca`."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from datetime import UTC, date, datetime
from pathlib import Path

import typer

from payer_sim.entrypoints import cli_acks
from shared import db, x12
from shared.cli.output import console, report_files, subgroup
from shared.schemas import RemittanceIssued
from shared.security import session
from shared.topic_reader import parse_time

EXPORT_HELP = "write standard files (X12) from what the pipeline recorded"


def register(app: typer.Typer) -> None:
    export = subgroup(app, "export", EXPORT_HELP)
    export.command("835")(export_835)
    cli_acks.register(export)


def export_835(
    out: Path = typer.Option(..., "--out", help="folder to write the 835 files into"),
    since: str | None = typer.Option(None, "--since", help="only remittances since: ISO date or time, or an age (6h)"),
    payer: str | None = typer.Option(None, "--payer", help="only this payer"),
    check: bool = typer.Option(True, "--check/--no-check", help="validate each file with pyx12"),
    as_json: bool = typer.Option(False, "--json", help="machine-readable: each file written and its errors"),
) -> None:
    """X12 835 005010X221A1 remittance advice: one file per payer per batch (day of adjudication)."""
    person = session.require("claims.read")
    patients: list[str] = []  # whose remittances the files hold: the access log names them
    written = asyncio.run(_write_835(out, parse_time(since) if since else None, payer, check, patients, quiet=as_json))
    session.recorded(person, "payer-sim", "rcm export 835", patients, files=len(written), payer=payer or "")
    report_files(written, out, check, as_json)


async def _write_835(
    out: Path, since: datetime | None, payer: str | None, check: bool, patients: list[str], *, quiet: bool
) -> list[tuple[Path, list[str]]]:
    """One interchange per (payer, day of adjudication), each with a fresh control number;
    returns each file written with pyx12's errors (none when not checked). The patient id of
    every remittance written is appended to `patients`."""
    from payer_sim.adapters.reference import load_reference
    from payer_sim.adapters.repository import RemittanceRepository
    from payer_sim.domain.remittance_advice import remittance_advice

    reference = load_reference()
    conn = await db.connect()
    try:
        remittances = RemittanceRepository(conn)
        batches: dict[tuple[str, date], list[RemittanceIssued]] = defaultdict(list)
        for r in await remittances.for_export(payer, since):
            if r.payer_id in reference.payers:
                batches[(r.payer_id, r.adjudicated_on)].append(r)
            elif not quiet:
                console.print(f"[yellow]skipped a remittance of unknown payer {r.payer_id}[/yellow]")
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for (payer_id, day), items in sorted(batches.items()):
            number = await remittances.next_interchange_number()
            text = remittance_advice(reference.payers[payer_id], items, number, datetime.now(UTC))
            patients.extend(r.patient_id for r in items)
            path = out / f"{payer_id}-{day:%Y%m%d}-{number:09d}.835"
            path.write_text(text)
            written.append((path, x12.validate(text) if check else []))
        return written
    finally:
        await conn.close()
