"""Biller (step 3 and the loop): coded encounters -> claims; remittances -> postings."""

from __future__ import annotations

from datetime import UTC, datetime

from rcmflow.biller.adapters import MIGRATIONS_DIR, repository
from rcmflow.biller.adapters.reference import load_charge_master, load_payers
from rcmflow.biller.domain.claims import decide
from rcmflow.biller.domain.posting import PostingError, post
from rcmflow.shared import metrics
from rcmflow.shared.db import Database
from rcmflow.shared.schemas import CLAIMS, CODED_ENCOUNTERS, REMITTANCES, CodedEncounter, Producer, RemittanceIssued
from rcmflow.shared.settings import get_settings
from rcmflow.shared.streaming import emit, make_app, raw_topic, run_stage, run_worker

SERVICE = "biller"
app = make_app(SERVICE, get_settings().biller_port)
db = Database(SERVICE, MIGRATIONS_DIR)
charge_master = load_charge_master()
payers = load_payers()
PRODUCER = Producer(service=SERVICE)

coded_encounters = raw_topic(app, CODED_ENCOUNTERS)
claims = raw_topic(app, CLAIMS)
remittances = raw_topic(app, REMITTANCES)


async def bill(coded: CodedEncounter) -> str:
    decision = decide(coded, charge_master, payers, PRODUCER)
    to_send = await repository.record_decision(await db.pool(), coded, decision)
    for claim in to_send:
        await emit(claims, claim)
        metrics.claims_total.labels(status="submitted").inc()
        metrics.dollars_total.labels(kind="billed").inc(claim.total_charge_cents / 100)
    return decision.outcome


async def post_remittance(remittance: RemittanceIssued) -> str:
    pool = await db.pool()
    claim = await repository.find_claim(pool, remittance.patient_control_number)
    if claim is None:
        await repository.record_exception(pool, remittance, "matches no claim (CLP01)")
        return "exception"
    try:
        posting = post(claim, remittance)
    except PostingError as exc:
        await repository.record_exception(pool, remittance, str(exc))
        return "exception"
    if not await repository.record_posting(pool, remittance, posting):
        return "duplicate"
    metrics.claims_total.labels(status=posting.status).inc()
    for carc in posting.denial_carcs:
        metrics.denials_total.labels(carc=carc).inc()
    metrics.dollars_total.labels(kind="allowed").inc(posting.allowed_cents / 100)
    metrics.dollars_total.labels(kind="paid").inc(posting.paid_cents / 100)
    metrics.dollars_total.labels(kind="patient").inc(posting.patient_cents / 100)
    metrics.end_to_end_seconds.observe((datetime.now(UTC) - remittance.received_at).total_seconds())
    return posting.status


@app.agent(coded_encounters, concurrency=1)
async def bill_encounters(stream):  # type: ignore[no-untyped-def]
    await run_stage(app, SERVICE, stream, CodedEncounter, bill)


@app.agent(remittances, concurrency=1)
async def post_remittances(stream):  # type: ignore[no-untyped-def]
    await run_stage(app, SERVICE, stream, RemittanceIssued, post_remittance)


def main() -> None:
    run_worker(app)


if __name__ == "__main__":
    main()
