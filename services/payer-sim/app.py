"""Payer simulator (step 4): claims -> adjudication under the member's plan -> remittances."""

from __future__ import annotations

from rcmflow.payer_sim.adapters import MIGRATIONS_DIR, repository
from rcmflow.payer_sim.adapters.reference import load_fee_schedule, load_payers
from rcmflow.payer_sim.domain.adjudication import adjudicate
from rcmflow.payer_sim.domain.model import Accumulator
from rcmflow.shared import ids
from rcmflow.shared.db import Database
from rcmflow.shared.schemas import CLAIMS, REMITTANCES, ClaimSubmitted, Producer, RemittanceIssued
from rcmflow.shared.settings import get_settings
from rcmflow.shared.streaming import emit, make_app, raw_topic, run_stage, run_worker

SERVICE = "payer-sim"
app = make_app(SERVICE, get_settings().payer_port)
db = Database("payer", MIGRATIONS_DIR)
payers = load_payers()
fee_schedule = load_fee_schedule()
PRODUCER = Producer(service=SERVICE)

claims = raw_topic(app, CLAIMS)
remittances = raw_topic(app, REMITTANCES)


def remit(claim: ClaimSubmitted, accumulator: Accumulator) -> tuple[RemittanceIssued, Accumulator]:
    terms = payers.get(claim.payer_id)
    result = adjudicate(claim, terms, fee_schedule, accumulator)
    remittance = RemittanceIssued(
        event_id=ids.event_id("remittance", claim.event_id),
        visit_id=claim.visit_id,
        patient_id=claim.patient_id,
        producer=PRODUCER,
        received_at=claim.received_at,
        claim_id=claim.claim_id,
        claim_event_id=claim.event_id,
        patient_control_number=claim.patient_control_number,
        payer_id=claim.payer_id,
        payer_claim_control_number=ids.payer_claim_control_number(claim.payer_id, claim.event_id),
        claim_status_code=result.claim_status_code,  # type: ignore[arg-type]
        total_charge_cents=claim.total_charge_cents,
        paid_cents=result.paid_cents,
        patient_responsibility_cents=result.patient_cents,
        claim_adjustments=result.claim_adjustments,
        service_lines=result.lines,
    )
    return remittance, result.accumulator


def plan_of(claim: ClaimSubmitted) -> str:
    terms = payers.get(claim.payer_id)
    return claim.coverage.plan_id or (terms.default_plan if terms else "-")


async def adjudicate_claims_batch(batch: list[ClaimSubmitted]) -> list[str]:
    remitted = await repository.adjudicate_once(await db.pool(), [(c, plan_of(c)) for c in batch], remit)
    for remittance in remitted:
        await emit(remittances, remittance)
    return ["denied" if r.claim_status_code == "4" else "processed" for r in remitted]


@app.agent(claims, concurrency=1)
async def adjudicate_claims(stream):  # type: ignore[no-untyped-def]
    await run_stage(app, SERVICE, stream, ClaimSubmitted, adjudicate_claims_batch)


def main() -> None:
    run_worker(app)


if __name__ == "__main__":
    main()
