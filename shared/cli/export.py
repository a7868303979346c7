"""`rcm export`: standard files from the ledger. 835: one interchange per payer per day of
adjudication, each with its own interchange control number, checked with pyx12 as written."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from datetime import UTC, date, datetime
from pathlib import Path

import typer
from rich.console import Console

from rcmflow.shared import db, x12
from rcmflow.shared.schemas import RemittanceIssued

app = typer.Typer(help="write standard files (X12) from what the pipeline recorded", no_args_is_help=True)
console = Console()


@app.command("835")
def export_835(
    out: Path = typer.Option(..., "--out", help="folder to write the 835 files into"),
    since: str | None = typer.Option(None, "--since", help="only remittances adjudicated on or after this date"),
    payer: str | None = typer.Option(None, "--payer", help="only this payer"),
    check: bool = typer.Option(True, "--check/--no-check", help="validate each file with pyx12"),
) -> None:
    """X12 835 005010X221A1 remittance advice: one file per payer per batch (day of adjudication)."""
    from rcmflow.payer_sim.adapters.reference import load_reference
    from rcmflow.payer_sim.adapters.repository import next_interchange_number, remittances_for_export
    from rcmflow.payer_sim.domain.remittance_advice import remittance_advice

    async def run() -> list[tuple[Path, list[str]]]:
        reference = load_reference()
        conn = await db.connect()
        try:
            remittances = await remittances_for_export(conn, payer, date.fromisoformat(since) if since else None)
            batches: dict[tuple[str, date], list[RemittanceIssued]] = defaultdict(list)
            for r in remittances:
                batches[(r.payer_id, r.adjudicated_on)].append(r)
            out.mkdir(parents=True, exist_ok=True)
            written = []
            for (payer_id, day), batch in sorted(batches.items()):
                terms = reference.payers.get(payer_id)
                if terms is None:
                    console.print(f"[yellow]skipped {len(batch)} remittances of unknown payer {payer_id}[/yellow]")
                    continue
                number = await next_interchange_number(conn)
                text = remittance_advice(terms, batch, number, datetime.now(UTC))
                path = out / f"{payer_id}-{day:%Y%m%d}-{number:09d}.835"
                path.write_text(text)
                written.append((path, x12.validate(text) if check else []))
            return written
        finally:
            await conn.close()

    written = asyncio.run(run())
    failed = 0
    for path, errors in written:
        console.print(f"{path}  {'[green]valid[/green]' if check and not errors else ''}")
        for error in errors:
            console.print(f"  [red]{error}[/red]")
        failed += bool(errors)
    console.print(f"{len(written)} file(s) written to {out}")
    if failed:
        raise typer.Exit(1)
