"""`rcm export`: standard files from the ledger. 835: one interchange per payer per day of
adjudication, each with its own interchange control number, checked with pyx12 as written."""

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
from shared.schemas import ClaimSubmitted

app = typer.Typer(help="write standard files (X12) from what the pipeline recorded", no_args_is_help=True)
console = Console()


@app.command("837")
def export_837(
    out: Path = typer.Option(..., "--out", help="folder to write the 837P files into"),
    since: str | None = typer.Option(
        None, "--since", help="only claims submitted since: ISO date or time, or an age (6h)"
    ),
    check: bool = typer.Option(True, "--check/--no-check", help="validate each file with pyx12"),
) -> None:
    """X12 837P 005010X222A1: one file per payer per batch (day of submission), every claim sent, replacements too."""
    from biller.adapters.reference import load_payers, load_submitter
    from biller.adapters.repository import next_interchange_number, submissions_for_export
    from biller.domain.x12_837 import claim_interchange

    async def run() -> list[tuple[Path, list[str]]]:
        payers, submitter = load_payers(), load_submitter()
        conn = await db.connect()
        try:
            batches: dict[tuple[str, date], list[ClaimSubmitted]] = defaultdict(list)
            for day, claim in await submissions_for_export(conn, parse_time(since) if since else None):
                batches[(claim.payer_id, day)].append(claim)
            return await _write(out, "837", batches, check, lambda key, claims, number: claim_interchange(
                claims, payers[key[0]], submitter, number, datetime.now(UTC), reference=f"B{number:09d}"
            ), lambda: next_interchange_number(conn))  # fmt: skip
        finally:
            await conn.close()

    _report(asyncio.run(run()), out, check)


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


@app.command("fhir")
def export_fhir(
    out: Path = typer.Option(..., "--out", help="folder to write the FHIR resources into"),
    since: str | None = typer.Option(
        None, "--since", help="only claims created since: ISO date or time, or an age (6h)"
    ),
) -> None:
    """FHIR R4 per claim: a Claim, and once adjudicated an ExplanationOfBenefit with the payer's
    adjudication per item (both checked against fhir.resources' R4B models as they are built)."""
    from biller.adapters.repository import claims_for_fhir
    from biller.domain.fhir_out import fhir_claim, fhir_explanation_of_benefit

    async def run() -> tuple[int, int]:
        conn = await db.connect()
        try:
            found = await claims_for_fhir(conn, parse_time(since) if since else None)
        finally:
            await conn.close()
        out.mkdir(parents=True, exist_ok=True)
        explained = 0
        for claim, remittance in found:
            (out / f"Claim-{claim.claim_id}.json").write_text(fhir_claim(claim).model_dump_json(indent=2))
            if remittance is not None:
                eob = fhir_explanation_of_benefit(claim, remittance)
                (out / f"ExplanationOfBenefit-{claim.claim_id}.json").write_text(eob.model_dump_json(indent=2))
                explained += 1
        return len(found), explained

    claims, explained = asyncio.run(run())
    console.print(f"{claims} Claim and {explained} ExplanationOfBenefit resource(s) written to {out}")
