"""`rcm claim-status`: ask the payers for the status of claims (276/277 005010X212), print and keep
the answers; `rcm export 277`: the answers as received, structurally checked (docs/x12-loop.md)."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, datetime
from pathlib import Path

import typer

from biller.adapters.claim_status import ClaimStatusRepository, ask_payer_status
from biller.domain.claim_status import StatusAnswer
from biller.service_layer.claim_status import ask_status
from shared import db
from shared.cli.output import print_json, print_table, report_files, subgroup
from shared.topic_reader import parse_time
from shared.x12_structure import check_277


async def check_now(claim_ids: list[str] | None, older_than_seconds: float | None) -> list[StatusAnswer]:
    from biller import bootstrap

    conn = await db.connect()
    try:
        repository = ClaimStatusRepository(conn)
        claims = await repository.to_ask(claim_ids, older_than_seconds)
        found = await ask_status(claims, bootstrap.reference(), ask_payer_status, datetime.now(UTC))
        await repository.record(found)
        return [a for a, _, _ in found]
    finally:
        await conn.close()


def claim_status(
    claims: list[str] = typer.Argument(
        None, help="claim ids (patient control numbers); none: claims past --older-than"
    ),
    older_than: float = typer.Option(30 * 86400, "--older-than", help="seconds since submission, without claim ids"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Ask each payer where its claims stand (276) and show the answers (277)."""
    answers = asyncio.run(check_now(claims or None, None if claims else older_than))
    if as_json:
        print_json([{"claim_id": a.patient_control_number, "category": a.category, "status": a.status,
                     "entity": a.entity, "paid_cents": a.paid_cents, "pending": a.pending, "reason": a.reason}
                    for a in answers])  # fmt: skip
        return
    print_table("claim status (277)", ("claim", "category", "status", "paid", "what it means"), [
        (a.patient_control_number, a.category, a.status, "" if a.paid_cents is None else str(a.paid_cents / 100),
         a.reason) for a in answers
    ])  # fmt: skip


def export_277(
    out: Path = typer.Option(..., "--out", help="folder to write the 277 files into"),
    since: str | None = typer.Option(None, "--since", help="only answers since: ISO date or time, or an age (6h)"),
) -> None:
    """X12 277 005010X212 claim status answers as received, one file per answer."""

    async def run() -> list[tuple[str, str]]:
        conn = await db.connect()
        try:
            return await ClaimStatusRepository(conn).answers_277(parse_time(since) if since else None)
        finally:
            await conn.close()

    out.mkdir(parents=True, exist_ok=True)
    written = []
    for payer_id, text in asyncio.run(run()):
        path = out / f"{payer_id}-{hashlib.sha256(text.encode()).hexdigest()[:12]}.277"
        path.write_text(text)
        written.append((path, check_277(text)))
    report_files(written, out, checked=True)


def register(app: typer.Typer) -> None:
    app.command("claim-status")(claim_status)
    subgroup(app, "export", "write standard files (X12) from what the pipeline recorded").command("277")(export_277)
