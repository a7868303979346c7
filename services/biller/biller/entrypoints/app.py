"""Biller (step 3 and the loop): coded encounters -> claims; remittances -> postings.
The agents decode, run a handler in a unit of work, and count what happened."""

from __future__ import annotations

from datetime import UTC, datetime

import faust

from biller import bootstrap
from biller.adapters import x12_check
from biller.adapters.eligibility import ask_payer
from biller.entrypoints import cli_claim_status, denial_work
from biller.service_layer import acknowledgments, cob, eligibility, handlers
from shared import metrics
from shared.outages import guarded_timer
from shared.pipeline import stage
from shared.schemas import (
    ACKNOWLEDGMENTS,
    CODED_ENCOUNTERS,
    REMITTANCES,
    ClaimAcknowledged,
    ClaimSubmitted,
    CodedEncounter,
    RemittanceIssued,
)
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
acknowledgment_topic = raw_topic(app, ACKNOWLEDGMENTS)


def count_sent(claims: list[ClaimSubmitted]) -> None:
    for claim in claims:
        metrics.claims_total.labels(status="submitted").inc()
        if claim.payer_sequence == "P":  # a secondary or tertiary claim bills the same charges again
            metrics.dollars_total.labels(kind="billed").inc(claim.total_charge_cents / 100)
        else:
            metrics.claims_total.labels(status=f"cob_{claim.payer_sequence}").inc()


async def bill(batch: list[CodedEncounter]) -> list[str]:
    make_uow = await bootstrap.unit_of_work()
    reference, now = bootstrap.reference(), datetime.now(UTC)
    checks = await eligibility.check(batch, reference, ask_payer, now)  # before the transaction: HTTP
    decisions = await handlers.decide_batch(batch, reference, now, x12_check.check_837s)  # and pyx12, off the loop
    billed, aside = await run_in_unit_of_work(
        make_uow, lambda uow: eligibility.bill_checked(batch, checks, uow, reference, now, decisions), publisher
    )
    for answer in checks.values():
        metrics.eligibility_total.labels(status=answer.answer.status).inc()
    for _ in aside:
        metrics.claims_total.labels(status="eligibility_failed").inc()
    for decision in billed.decisions:
        for _ in decision.rejected:
            metrics.claims_total.labels(status="rejected").inc()
    count_sent(billed.sent)
    return billed.outcomes


async def post(batch: list[RemittanceIssued]) -> list[str]:
    make_uow = await bootstrap.unit_of_work()
    reference, now = bootstrap.reference(), datetime.now(UTC)
    posted = await run_in_unit_of_work(
        make_uow, lambda uow: cob.post_and_coordinate(batch, uow, reference, now, x12_check.check_837s), publisher
    )
    count_sent(posted.sent)
    for remittance, posting in posted.postings:
        metrics.claims_total.labels(status=posting.status).inc()
        for carc in posting.denial_carcs:
            metrics.denials_total.labels(carc=carc).inc()
        metrics.dollars_total.labels(kind="allowed").inc(posting.allowed_cents / 100)
        metrics.dollars_total.labels(kind="paid").inc(posting.paid_cents / 100)
        if remittance.claim_status_code in ("2", "3"):  # paid as the secondary or tertiary payer
            metrics.dollars_total.labels(kind="cob_paid").inc(posting.paid_cents / 100)
        metrics.dollars_total.labels(kind="patient").inc(posting.patient_cents / 100)
        metrics.end_to_end_seconds.observe((datetime.now(UTC) - remittance.received_at).total_seconds())
    return posted.outcomes


async def post_acknowledgments(batch: list[ClaimAcknowledged]) -> list[str]:
    make_uow = await bootstrap.unit_of_work()
    posted = await run_in_unit_of_work(
        make_uow, lambda uow: acknowledgments.post_acknowledgments(batch, uow), publisher
    )
    for ack in posted.rejected:
        metrics.claims_total.labels(status="front_end_rejected").inc()
        metrics.front_end_rejections_total.labels(
            transaction="999" if ack.functional_ack == "R" else "277CA",
            code=ack.claim_status.composite if ack.claim_status else "999R",
        ).inc()
    return posted.outcomes


async def ask_claim_status() -> None:
    """Claims awaiting an answer past the configured age: ask their payers where they stand (276)."""
    for answer in await cli_claim_status.check_now(None, get_settings().claim_status_after_seconds):
        metrics.claim_status_total.labels(category=answer.category).inc()


if get_settings().worker == 0:  # one worker asks, not every worker of the group
    guarded_timer(app, get_settings().claim_status_every_seconds, ask_claim_status)
track_consumer_lag(app, [CODED_ENCOUNTERS, REMITTANCES, ACKNOWLEDGMENTS])


@app.agent(coded_encounters, concurrency=1)
async def bill_encounters(stream: faust.StreamT) -> None:
    await run_stage(app, SERVICE, stream, CodedEncounter, bill)


@app.agent(remittances, concurrency=1)
async def post_remittances(stream: faust.StreamT) -> None:
    await run_stage(app, SERVICE, stream, RemittanceIssued, post)


@app.agent(acknowledgment_topic, concurrency=1)
async def post_acknowledgment_events(stream: faust.StreamT) -> None:
    await run_stage(app, SERVICE, stream, ClaimAcknowledged, post_acknowledgments)


def main() -> None:
    bootstrap.reference()  # the tables are read before the worker takes partitions
    x12_check.start()
    run_worker(app)


if __name__ == "__main__":
    main()
