"""Biller (step 3 and the loop): coded encounters -> claims; remittances -> postings.
The agents decode, run a handler in a unit of work, and count what happened."""

from __future__ import annotations

from datetime import UTC, datetime

import faust

from biller import bootstrap
from biller.entrypoints import denial_work
from biller.service_layer import handlers
from shared import metrics
from shared.pipeline import stage
from shared.schemas import CODED_ENCOUNTERS, REMITTANCES, ClaimSubmitted, CodedEncounter, RemittanceIssued
from shared.settings import get_settings
from shared.streaming import FaustPublisher, make_app, raw_topic, run_stage, run_worker
from shared.timers import track_consumer_lag
from shared.unit_of_work import run_in_unit_of_work

SERVICE = bootstrap.SERVICE
app = make_app(SERVICE, stage(SERVICE).port(get_settings().worker))  # worker N of the group: port + 10·N
publisher = FaustPublisher(app)
coded_encounters = raw_topic(app, CODED_ENCOUNTERS)
remittances = raw_topic(app, REMITTANCES)
denial_work.register(app)  # POST /claims/{claim_id}/denial-work: a person works a denied claim


def count_sent(claims: list[ClaimSubmitted]) -> None:
    for claim in claims:
        metrics.claims_total.labels(status="submitted").inc()
        metrics.dollars_total.labels(kind="billed").inc(claim.total_charge_cents / 100)


async def bill(batch: list[CodedEncounter]) -> list[str]:
    make_uow = await bootstrap.unit_of_work()
    reference, now = bootstrap.reference(), datetime.now(UTC)
    billed = await run_in_unit_of_work(
        make_uow, lambda uow: handlers.bill_encounters(batch, uow, reference, now), publisher
    )
    for decision in billed.decisions:
        for _ in decision.rejected:
            metrics.claims_total.labels(status="rejected").inc()
    count_sent(billed.sent)
    return billed.outcomes


async def post(batch: list[RemittanceIssued]) -> list[str]:
    make_uow = await bootstrap.unit_of_work()
    reference, now = bootstrap.reference(), datetime.now(UTC)
    posted = await run_in_unit_of_work(
        make_uow, lambda uow: handlers.post_remittances(batch, uow, reference, now), publisher
    )
    count_sent(posted.sent)
    for remittance, posting in posted.postings:
        metrics.claims_total.labels(status=posting.status).inc()
        for carc in posting.denial_carcs:
            metrics.denials_total.labels(carc=carc).inc()
        metrics.dollars_total.labels(kind="allowed").inc(posting.allowed_cents / 100)
        metrics.dollars_total.labels(kind="paid").inc(posting.paid_cents / 100)
        metrics.dollars_total.labels(kind="patient").inc(posting.patient_cents / 100)
        metrics.end_to_end_seconds.observe((datetime.now(UTC) - remittance.received_at).total_seconds())
    return posted.outcomes


track_consumer_lag(app, [CODED_ENCOUNTERS, REMITTANCES])


@app.agent(coded_encounters, concurrency=1)
async def bill_encounters(stream: faust.StreamT) -> None:
    await run_stage(app, SERVICE, stream, CodedEncounter, bill)


@app.agent(remittances, concurrency=1)
async def post_remittances(stream: faust.StreamT) -> None:
    await run_stage(app, SERVICE, stream, RemittanceIssued, post)


def main() -> None:
    bootstrap.reference()  # the tables are read before the worker takes partitions
    run_worker(app)


if __name__ == "__main__":
    main()
