"""Payer simulator (step 4): claims -> adjudication under the member's plan -> remittances."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from payer_sim.adapters import MIGRATIONS_DIR, repository
from payer_sim.adapters.reference import load_reference
from payer_sim.domain.claims import Answer, Knobs, answer, plan_of
from payer_sim.domain.model import Accumulator, ClaimHistory
from shared.db import Database
from shared.schemas import CLAIMS, REMITTANCES, ClaimSubmitted, Producer
from shared.settings import get_settings
from shared.streaming import emit, make_app, raw_topic, run_stage, run_worker, track_consumer_lag

SERVICE = "payer-sim"
settings = get_settings()
app = make_app(SERVICE, settings.payer_sim_port)
db = Database("payer", MIGRATIONS_DIR)
reference = load_reference()
knobs = Knobs(random_denial_rate=settings.payer_random_denial_rate, seed=settings.payer_seed)
PRODUCER = Producer(service=SERVICE)

claims = raw_topic(app, CLAIMS)
remittances = raw_topic(app, REMITTANCES)


def decide(claim: ClaimSubmitted, accumulator: Accumulator, history: ClaimHistory) -> Answer:
    return answer(
        claim, reference, accumulator, history, knobs=knobs, producer=PRODUCER, adjudicated_on=datetime.now(UTC).date()
    )


async def adjudicate_claims(batch: list[ClaimSubmitted]) -> list[str]:
    if settings.payer_delay_seconds > 0:  # a payer takes its time: answer no earlier than the delay after submission
        due = max(c.occurred_at.timestamp() for c in batch) + settings.payer_delay_seconds
        await asyncio.sleep(max(due - datetime.now(UTC).timestamp(), 0))
    answered = await repository.answer_claims(await db.pool(), batch, lambda c: plan_of(c, reference), decide)
    outcomes = []
    for sent in answered:
        for remittance in sent:
            await emit(remittances, remittance)
        outcomes.append({"1": "processed", "4": "denied", "22": "reversed"}.get(sent[-1].claim_status_code, "other"))
    return outcomes


track_consumer_lag(app, [CLAIMS])


@app.agent(claims, concurrency=1)
async def adjudicate(stream):  # type: ignore[no-untyped-def]
    await run_stage(app, SERVICE, stream, ClaimSubmitted, adjudicate_claims)


def main() -> None:
    run_worker(app)


if __name__ == "__main__":
    main()
