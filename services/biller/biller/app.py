"""Biller (step 3 and the loop): coded encounters -> claims; remittances -> postings."""

from __future__ import annotations

from datetime import UTC, datetime

from biller import service_layer
from biller.adapters import MIGRATIONS_DIR
from biller.domain.model import Posting
from shared import metrics
from shared.db import Database
from shared.schemas import (
    CLAIMS,
    CODED_ENCOUNTERS,
    REMITTANCES,
    ClaimSubmitted,
    CodedEncounter,
    RemittanceIssued,
)
from shared.settings import get_settings
from shared.streaming import emit, make_app, raw_topic, run_stage, run_worker, track_consumer_lag

SERVICE = "biller"
app = make_app(SERVICE, get_settings().biller_port)
db = Database(SERVICE, MIGRATIONS_DIR)
reference = service_layer.Reference.load()

coded_encounters = raw_topic(app, CODED_ENCOUNTERS)
claims = raw_topic(app, CLAIMS)
remittances = raw_topic(app, REMITTANCES)


async def send(to_send: list[ClaimSubmitted]) -> None:
    for claim in to_send:
        await emit(claims, claim)
        metrics.claims_total.labels(status="submitted").inc()
        metrics.dollars_total.labels(kind="billed").inc(claim.total_charge_cents / 100)


async def bill(batch: list[CodedEncounter]) -> list[str]:
    billed = await service_layer.bill(await db.pool(), batch, reference, datetime.now(UTC))
    for decision in billed.decisions:
        for _ in decision.rejected:
            metrics.claims_total.labels(status="rejected").inc()
    await send([claim for claims_of_visit in billed.to_send for claim in claims_of_visit])
    return [d.outcome for d in billed.decisions]


async def post_remittances(batch: list[RemittanceIssued]) -> list[str]:
    posted = await service_layer.post_remittances(await db.pool(), batch, reference)
    await send(posted.to_send)
    for remittance, posting in posted.postings:
        count_posting(remittance, posting)
    return posted.outcomes


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
async def post_remittances_agent(stream):  # type: ignore[no-untyped-def]
    await run_stage(app, SERVICE, stream, RemittanceIssued, post_remittances)


def main() -> None:
    run_worker(app)


if __name__ == "__main__":
    main()
