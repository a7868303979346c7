"""`rcm export 835`: the payer's remittance advice files. One interchange per payer per day of
adjudication, each with its own interchange control number, checked with pyx12 as written.
(`rcm export 837` and `rcm export fhir` are the biller's: biller.entrypoints.cli_exports.)"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from pathlib import Path

import typer
from rich.console import Console

from shared import db, x12
from shared.cli.audit import parse_time
from shared.schemas import RemittanceIssued

app = typer.Typer(help="write standard files (X12) from what the pipeline recorded", no_args_is_help=True)
console = Console()


async def _write(
    out: Path,
    suffix: str,
    batches: dict[tuple[str, date], list],
    check: bool,
    render: Callable[[tuple[str, date], list, int], str],
    next_number: Callable[[], Awaitable[int]],
) -> list[tuple[Path, list[str]]]:
    """One interchange file per (payer, day) batch, each with a fresh control number."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for key, items in sorted(batches.items()):
        number = await next_number()
        text = render(key, items, number)
        path = out / f"{key[0]}-{key[1]:%Y%m%d}-{number:09d}.{suffix}"
        path.write_text(text)
        written.append((path, x12.validate(text) if check else []))
    return written


def _report(written: list[tuple[Path, list[str]]], out: Path, check: bool) -> None:
    failed = 0
    for path, errors in written:
        console.print(f"{path}  {'[green]valid[/green]' if check and not errors else ''}")
        for error in errors:
            console.print(f"  [red]{error}[/red]")
        failed += bool(errors)
    console.print(f"{len(written)} file(s) written to {out}")
    if failed:
        raise typer.Exit(1)


@app.command("835")
def export_835(
    out: Path = typer.Option(..., "--out", help="folder to write the 835 files into"),
    since: str | None = typer.Option(None, "--since", help="only remittances since: ISO date or time, or an age (6h)"),
    payer: str | None = typer.Option(None, "--payer", help="only this payer"),
    check: bool = typer.Option(True, "--check/--no-check", help="validate each file with pyx12"),
) -> None:
    """X12 835 005010X221A1 remittance advice: one file per payer per batch (day of adjudication)."""
    from payer_sim.adapters.reference import load_reference
    from payer_sim.adapters.repository import next_interchange_number, remittances_for_export
    from payer_sim.domain.remittance_advice import remittance_advice

    async def run() -> list[tuple[Path, list[str]]]:
        reference = load_reference()
        conn = await db.connect()
        try:
            batches: dict[tuple[str, date], list[RemittanceIssued]] = defaultdict(list)
            for r in await remittances_for_export(conn, payer, parse_time(since) if since else None):
                if r.payer_id in reference.payers:
                    batches[(r.payer_id, r.adjudicated_on)].append(r)
                else:
                    console.print(f"[yellow]skipped a remittance of unknown payer {r.payer_id}[/yellow]")
            return await _write(out, "835", batches, check, lambda key, items, number: remittance_advice(
                reference.payers[key[0]], items, number, datetime.now(UTC)
            ), lambda: next_interchange_number(conn))  # fmt: skip
        finally:
            await conn.close()

    _report(asyncio.run(run()), out, check)
