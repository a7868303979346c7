"""`rcm export 837` and `rcm export fhir`: standard files from the billing ledger. 837P: one
interchange per payer per day of submission, each with its own interchange control number,
checked with pyx12 as written."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from datetime import UTC, date, datetime
from pathlib import Path

import typer

from biller.adapters.exports import claims_for_fhir, next_interchange_number, submissions_for_export
from biller.adapters.reference import load_payers, load_submitter
from biller.domain.x12_837 import claim_interchange
from shared import db, x12
from shared.cli.output import console, report_files, subgroup
from shared.schemas import ClaimSubmitted
from shared.security import session
from shared.topic_reader import parse_time


def export_837(
    out: Path = typer.Option(..., "--out", help="folder to write the 837P files into"),
    since: str | None = typer.Option(
        None, "--since", help="only claims submitted since: ISO date or time, or an age (6h)"
    ),
    check: bool = typer.Option(True, "--check/--no-check", help="validate each file with pyx12"),
) -> None:
    """X12 837P 005010X222A1: one file per payer per batch (day of submission), every claim sent, replacements too."""
    person = session.require("claims.read")
    exported: list[str] = []

    async def run() -> list[tuple[Path, list[str]]]:
        payers, submitter = load_payers(), load_submitter()
        conn = await db.connect()
        try:
            batches: dict[tuple[str, date], list[ClaimSubmitted]] = defaultdict(list)
            for day, claim in await submissions_for_export(conn, parse_time(since) if since else None):
                batches[(claim.payer_id, day)].append(claim)
                exported.append(claim.patient_id)
            out.mkdir(parents=True, exist_ok=True)
            written = []
            for (payer_id, day), claims in sorted(batches.items()):
                number = await next_interchange_number(conn)
                text = claim_interchange(
                    claims, payers[payer_id], submitter, number, datetime.now(UTC), reference=f"B{number:09d}"
                )
                path = out / f"{payer_id}-{day:%Y%m%d}-{number:09d}.837"
                path.write_text(text)
                written.append((path, x12.validate(text) if check else []))
            return written
        finally:
            await conn.close()

    written = asyncio.run(run())
    session.recorded(person, "biller", "rcm export 837", exported, files=len(written))
    report_files(written, out, check)


def export_fhir(
    out: Path = typer.Option(..., "--out", help="folder to write the FHIR resources into"),
    since: str | None = typer.Option(
        None, "--since", help="only claims created since: ISO date or time, or an age (6h)"
    ),
) -> None:
    """FHIR R4 per claim: a Claim, and once adjudicated an ExplanationOfBenefit with the payer's
    adjudication per item (both checked against fhir.resources' R4B models as they are built)."""
    # imported here: fhir.resources is slow to load, and every `rcm` command loads this module
    from biller.domain.fhir_out import fhir_claim, fhir_explanation_of_benefit

    person = session.require("claims.read")
    exported: list[str] = []

    async def run() -> tuple[int, int]:
        conn = await db.connect()
        try:
            found = await claims_for_fhir(conn, parse_time(since) if since else None)
        finally:
            await conn.close()
        out.mkdir(parents=True, exist_ok=True)
        explained = 0
        for claim, remittance in found:
            exported.append(claim.patient_id)
            (out / f"Claim-{claim.claim_id}.json").write_text(fhir_claim(claim).model_dump_json(indent=2))
            if remittance is not None:
                eob = fhir_explanation_of_benefit(claim, remittance)
                (out / f"ExplanationOfBenefit-{claim.claim_id}.json").write_text(eob.model_dump_json(indent=2))
                explained += 1
        return len(found), explained

    claims, explained = asyncio.run(run())
    session.recorded(person, "biller", "rcm export fhir", exported, files=claims + explained)
    console.print(f"{claims} Claim and {explained} ExplanationOfBenefit resource(s) written to {out}")


def register(app: typer.Typer) -> None:
    group = subgroup(app, "export", "write standard files (X12) from what the pipeline recorded")
    group.command("837")(export_837)
    group.command("fhir")(export_fhir)
