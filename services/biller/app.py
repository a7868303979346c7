"""Biller (step 3 and the loop): coded encounters -> claims; remittances -> postings."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from rcmflow.biller.adapters import MIGRATIONS_DIR, repository
from rcmflow.biller.adapters.reference import load_charge_master, load_payers, load_submitter
from rcmflow.biller.domain.claims import decide, render_837
from rcmflow.biller.domain.denials import Correction, correct
from rcmflow.biller.domain.model import Posting
from rcmflow.biller.domain.posting import PostingError, post
from rcmflow.shared import metrics
from rcmflow.shared.db import Database
from rcmflow.shared.schemas import (
    CLAIMS,
    CODED_ENCOUNTERS,
    REMITTANCES,
    ClaimSubmitted,
    CodedEncounter,
    Producer,
    RemittanceIssued,
)
from rcmflow.shared.settings import get_settings
from rcmflow.shared.streaming import emit, make_app, raw_topic, run_stage, run_worker, track_consumer_lag

SERVICE = "biller"
app = make_app(SERVICE, get_settings().biller_port)
db = Database(SERVICE, MIGRATIONS_DIR)
charge_master = load_charge_master()
payers = load_payers()
submitter = load_submitter()
PRODUCER = Producer(service=SERVICE)

coded_encounters = raw_topic(app, CODED_ENCOUNTERS)
claims = raw_topic(app, CLAIMS)
remittances = raw_topic(app, REMITTANCES)


async def bill(batch: list[CodedEncounter]) -> list[str]:
    today = datetime.now(UTC).date()
    decisions = [decide(coded, charge_master, payers, PRODUCER, submitter, today) for coded in batch]
    to_send = await repository.record_decisions(await db.pool(), list(zip(batch, decisions, strict=True)))
    for decision in decisions:
        for _ in decision.rejected:
            metrics.claims_total.labels(status="rejected").inc()
    await send(to_send)
    return [d.outcome for d in decisions]


async def send(claim_lists: Iterable[list[ClaimSubmitted]]) -> None:
    for claim_list in claim_lists:
        for claim in claim_list:
            if claim.x12_837 is None:
                claim = render_837(claim, payers[claim.payer_id], submitter)
            await emit(claims, claim)
            metrics.claims_total.labels(status="submitted").inc()
            metrics.dollars_total.labels(kind="billed").inc(claim.total_charge_cents / 100)


async def post_remittances_batch(batch: list[RemittanceIssued]) -> list[str]:
    pool = await db.pool()
    now = datetime.now(UTC)
    stored = await repository.find_claims(pool, [r.patient_control_number for r in batch])
    results: list[tuple[RemittanceIssued, Posting | str, tuple[ClaimSubmitted, str] | None]] = []
    for remittance in batch:
        claim, corrections = stored.get(remittance.patient_control_number, (None, 0))
        try:
            if claim is None:
                raise PostingError("matches no claim (CLP01)")
            posting = post(claim, remittance)
        except PostingError as exc:
            results.append((remittance, str(exc), None))  # kept on the exception list, never dropped
            continue
        fix = correct(claim, remittance, corrections, now) if posting.denials else None
        if fix is not None:
            fix = Correction(render_837(fix.replacement, payers[claim.payer_id], submitter), fix.reason)
            stored[remittance.patient_control_number] = (fix.replacement, corrections + 1)
        results.append((remittance, posting, (fix.replacement, fix.reason) if fix else None))
    postings = [(r, p, fix) for r, p, fix in results if isinstance(p, Posting)]
    exceptions = [(r, p) for r, p, _ in results if isinstance(p, str)]
    to_send = iter(await repository.record_postings(pool, postings, exceptions))
    outcomes = []
    for remittance, result, _ in results:
        if isinstance(result, str):
            outcomes.append("exception")
            continue
        is_new, corrected = next(to_send)
        await send([corrected])
        if not is_new:
            outcomes.append("duplicate")
            continue
        outcomes.append(result.status)
        count_posting(remittance, result)
    return outcomes


def count_posting(remittance: RemittanceIssued, posting: Posting) -> None:
    metrics.claims_total.labels(status=posting.status).inc()
    for carc in posting.denial_carcs:
        metrics.denials_total.labels(carc=carc).inc()
    metrics.dollars_total.labels(kind="allowed").inc(posting.allowed_cents / 100)
    metrics.dollars_total.labels(kind="paid").inc(posting.paid_cents / 100)
    metrics.dollars_total.labels(kind="patient").inc(posting.patient_cents / 100)
    metrics.end_to_end_seconds.observe((datetime.now(UTC) - remittance.received_at).total_seconds())


track_consumer_lag(app, [CODED_ENCOUNTERS, REMITTANCES])


@app.agent(coded_encounters, concurrency=1)
async def bill_encounters(stream):  # type: ignore[no-untyped-def]
    await run_stage(app, SERVICE, stream, CodedEncounter, bill)


@app.agent(remittances, concurrency=1)
async def post_remittances(stream):  # type: ignore[no-untyped-def]
    await run_stage(app, SERVICE, stream, RemittanceIssued, post_remittances_batch)


def main() -> None:
    run_worker(app)


if __name__ == "__main__":
    main()
