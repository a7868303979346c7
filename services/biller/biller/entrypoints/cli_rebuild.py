"""`rcm rebuild [--verify]`: rebuild the billing ledger from the topics into a scratch database
with the biller's own handlers, and compare it with the live tables."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import typer
from rich.console import Console

from biller import bootstrap
from biller.adapters import MIGRATIONS_DIR
from biller.service_layer import acknowledgments, cob, eligibility, handlers
from shared import db
from shared.cli.output import progress_bar
from shared.kafka import decode
from shared.schemas import (
    ACKNOWLEDGMENTS,
    CLAIMS,
    CODED_ENCOUNTERS,
    DENIAL_WORK,
    ELIGIBILITY,
    REMITTANCES,
    ClaimAcknowledged,
    ClaimSubmitted,
    CodedEncounter,
    DenialWorked,
    EligibilityChecked,
    RemittanceIssued,
)
from shared.settings import get_settings
from shared.topic_reader import read_range
from shared.unit_of_work import DiscardingPublisher, run_in_unit_of_work

console = Console(stderr=True)
BATCH = 500

# What is compared: each table's identity and the columns that carry meaning (not timestamps,
# not the stored documents whose envelope times differ by construction).
COMPARED: dict[str, tuple[str, str]] = {
    "encounters": ("SELECT visit_id, outcome, problems::text FROM biller.encounters", "visit_id"),
    "claims": (
        """SELECT claim_id, visit_id, payer_id, status, frequency_code, total_charge_cents, allowed_cents, paid_cents,
                  patient_responsibility_cents, adjustment_cents, payer_claim_control_number, corrections,
                  scrub_errors::text, claim_event_id FROM biller.claims""",
        "claim_id",
    ),
    "claim_lines": (
        """SELECT line_control_number, claim_id, procedure_code, modifiers, units, charge_cents, allowed_cents,
                  paid_cents, patient_cents, adjustment_cents FROM biller.claim_lines""",
        "line_control_number",
    ),
    "postings": (
        """SELECT remittance_event_id, claim_id, claim_status_code, paid_cents, allowed_cents,
                  patient_responsibility_cents, deductible_cents, coinsurance_cents, copay_cents, adjustment_cents
           FROM biller.postings""",
        "remittance_event_id",
    ),
    "claim_status_history": (
        """SELECT claim_id, string_agg(status || coalesce(':' || reason, ''), ' > ' ORDER BY id) AS steps
           FROM biller.claim_status_history GROUP BY claim_id""",
        "claim_id",
    ),
    "denials": (
        """SELECT remittance_event_id::text || '/' || coalesce(line_control_number, '') || '/' || carc AS denial,
                  claim_id, group_code, amount_cents, status FROM biller.denials""",
        "denial",
    ),
    "patient_ledger": (
        """SELECT patient_id || '/' || visit_id || '/' || coalesce(claim_id, '') || '/' || kind AS entry,
                  sum(amount_cents) AS amount_cents
           FROM biller.patient_ledger GROUP BY patient_id, visit_id, claim_id, kind""",
        "entry",
    ),
    "remittance_exceptions": (
        "SELECT remittance_event_id, patient_control_number, reason FROM biller.remittance_exceptions",
        "remittance_event_id",
    ),
}


async def _apply(run: Callable[[list[Any], datetime], Awaitable[object]], batch: list[Any], at: datetime) -> None:
    """The batch as the service would take it; if it fails, one by one (the service dead-letters those)."""
    try:
        await run(batch, at)
    except Exception:
        for item in batch:
            try:
                await run([item], at)
            except Exception as exc:
                # the kind of error only: an exception text can quote patient data
                event_id = getattr(item, "event_id", "")
                console.print(f"[yellow]skipped {type(item).__name__} {event_id}: {type(exc).__name__}[/yellow]")


async def rebuild_into(url: str) -> int:
    """Replay coded encounters (with the eligibility answers they were billed with), remittances and
    acknowledgments, in the order they were written, through the biller."""
    await db.recreate_database(url)
    database = db.Database(bootstrap.SERVICE, MIGRATIONS_DIR, url)
    try:
        make_uow = await bootstrap.unit_of_work(database)
        records = []
        # the eligibility answers each visit was billed with: the biller asked the payer then and
        # will not ask again; the first answer kept for a visit is the one it decided on
        answers: dict[str, EligibilityChecked] = {}
        replacements: dict[Any, ClaimSubmitted] = {}
        with progress_bar() as progress:
            # people's actions on denials, with the replacement claims the corrections sent
            worked_ids: set[Any] = set()
            async for record in read_range(DENIAL_WORK, None, progress=progress):
                records.append((record.timestamp, 3, record.partition, record.offset, DENIAL_WORK, record.value))
                try:
                    worked_ids.add(decode(DenialWorked, record.value).replacement_claim_event_id)
                except ValueError:
                    continue
            worked_ids.discard(None)
            if worked_ids:
                async for record in read_range(CLAIMS, None, progress=progress):
                    if not record.value or b'"frequency_code":"7"' not in record.value:  # only replacements
                        continue
                    try:
                        claim = decode(ClaimSubmitted, record.value)
                    except ValueError:
                        continue
                    if claim.event_id in worked_ids:
                        replacements[claim.event_id] = claim
            for rank, topic in enumerate((CODED_ENCOUNTERS, REMITTANCES, ACKNOWLEDGMENTS)):
                async for record in read_range(topic, None, progress=progress):
                    records.append((record.timestamp, rank, record.partition, record.offset, topic, record.value))
            async for record in read_range(ELIGIBILITY, None, progress=progress):
                try:
                    answer = decode(EligibilityChecked, record.value)
                except ValueError:
                    continue
                answers.setdefault(answer.visit_id, answer)
        records.sort()
        reference, discard = (
            bootstrap.reference(),
            DiscardingPublisher(),
        )  # a rebuild records; it never sends claims again

        async def bill(batch: list[CodedEncounter], at: datetime) -> object:
            checks = {c.visit_id: answers[c.visit_id] for c in batch if c.visit_id in answers}
            return await run_in_unit_of_work(
                make_uow, lambda uow: eligibility.bill_checked(batch, checks, uow, reference, at), discard
            )

        async def acknowledge(batch: list[ClaimAcknowledged], at: datetime) -> object:
            return await run_in_unit_of_work(
                make_uow, lambda uow: acknowledgments.post_acknowledgments(batch, uow), discard
            )

        async def post(batch: list[RemittanceIssued], at: datetime) -> object:
            return await run_in_unit_of_work(
                make_uow, lambda uow: cob.post_and_coordinate(batch, uow, reference, at, staged=True), discard
            )

        async def work(batch: list[DenialWorked], at: datetime) -> object:
            return await run_in_unit_of_work(
                make_uow, lambda uow: handlers.replay_denial_work(batch, replacements, uow), discard
            )

        runs: dict[str, Callable[[list[Any], datetime], Awaitable[object]]] = {
            CODED_ENCOUNTERS: bill,
            REMITTANCES: post,
            ACKNOWLEDGMENTS: acknowledge,
            DENIAL_WORK: work,
        }
        models: dict[str, type[Any]] = {
            CODED_ENCOUNTERS: CodedEncounter,
            REMITTANCES: RemittanceIssued,
            ACKNOWLEDGMENTS: ClaimAcknowledged,
            DENIAL_WORK: DenialWorked,
        }
        batch: list[Any] = []
        batch_topic, at = CODED_ENCOUNTERS, datetime.min
        for timestamp, _, _, _, topic, value in records:
            try:
                event = decode(models[topic], value)
            except ValueError:
                continue  # unreadable: the live stage dead-lettered it too
            if batch and (topic != batch_topic or len(batch) >= BATCH):
                await _apply(runs[batch_topic], batch, at)
                batch = []
            batch_topic, at = topic, timestamp
            batch.append(event)
        if batch:
            await _apply(runs[batch_topic], batch, at)
        return len(records)
    finally:
        await database.close()


async def compare(live_url: str, rebuilt_url: str) -> dict[str, list[str]]:
    differences: dict[str, list[str]] = {}
    live, rebuilt = await db.connect(live_url), await db.connect(rebuilt_url)
    try:
        for table, (sql, key) in COMPARED.items():
            a = {str(r[key]): dict(r) for r in await live.fetch(sql)}
            b = {str(r[key]): dict(r) for r in await rebuilt.fetch(sql)}
            found = [f"only in live: {k} {a[k]}" for k in sorted(a.keys() - b.keys())]
            found += [f"only in rebuild: {k} {b[k]}" for k in sorted(b.keys() - a.keys())]
            for k in sorted(a.keys() & b.keys()):
                changed = {c: (a[k][c], b[k][c]) for c in a[k] if a[k][c] != b[k][c]}
                if changed:
                    found.append(f"{k}: " + ", ".join(f"{c} live={x!r} rebuilt={y!r}" for c, (x, y) in changed.items()))
            if found:
                differences[table] = found
    finally:
        await live.close()
        await rebuilt.close()
    return differences


def rebuild(
    verify: bool = typer.Option(False, "--verify", help="compare with the live tables; exit 1 on any difference"),
    limit: int = typer.Option(20, "--show", help="differences to print per table"),
) -> None:
    """Rebuild the billing ledger (claims, statuses, postings, balances) from the topics into a
    scratch database (<database>_rebuild) and, with --verify, compare it with the live tables."""
    url = db.sibling_url("_rebuild")
    replayed = asyncio.run(rebuild_into(url))
    console.print(f"rebuilt from {replayed} events into {urlsplit(url).path.lstrip('/')}")
    if not verify:
        return
    differences = asyncio.run(compare(get_settings().database_url, url))
    out = Console()
    if not differences:
        out.print("[green]no differences: the live ledger is what the topics say[/green]")
        return
    for table, found in differences.items():
        out.print(f"[red]{table}: {len(found)} difference(s)[/red]")
        for line in found[:limit]:
            out.print(f"  {line}")
    raise typer.Exit(1)
