"""Payer simulator (step 4) as a faust app: claims -> adjudication under the member's plan ->
remittances. Thin: decode, wait out the payer's delay, run the use case in a unit of work."""

from __future__ import annotations

import asyncio
import gc
from datetime import UTC, datetime

import faust

from payer_sim import bootstrap
from payer_sim.entrypoints import claim_status_web, eligibility_web
from payer_sim.service_layer import handlers
from shared.pipeline import stage
from shared.schemas import CLAIMS, ClaimSubmitted
from shared.settings import get_settings
from shared.streaming import FaustPublisher, make_app, raw_topic, run_stage, run_worker
from shared.timers import track_consumer_lag
from shared.unit_of_work import run_in_unit_of_work

app = make_app(bootstrap.SERVICE, stage(bootstrap.SERVICE).port(get_settings().worker))  # worker N: port + 10·N
claims = raw_topic(app, CLAIMS)
publisher = FaustPublisher(app)
track_consumer_lag(app, [CLAIMS])
eligibility_web.register(app)
claim_status_web.register(app)


async def adjudicate_batch(batch: list[ClaimSubmitted]) -> list[str]:
    delay = get_settings().payer_delay_seconds
    if delay > 0:  # a payer takes its time: answer no earlier than the delay after submission
        due = max(c.occurred_at.timestamp() for c in batch) + delay
        await asyncio.sleep(max(due - datetime.now(UTC).timestamp(), 0))
    reference, knobs, today = bootstrap.reference(), bootstrap.knobs(), datetime.now(UTC).date()
    front_end = bootstrap.front_end_knobs()
    return await run_in_unit_of_work(
        await bootstrap.unit_of_work(),
        lambda uow: handlers.adjudicate_claims(batch, uow, reference, knobs, today, front_end),
        publisher,
    )


@app.task
async def warm_up() -> None:
    """At worker start: load the reference tables before the first claim asks for them, then
    move what is alive by now (framework, tables: ~85,000 objects) out of the garbage
    collector's way, so its full collections scan only what the batches allocate."""
    bootstrap.reference()
    gc.freeze()


@app.agent(claims, concurrency=1)
async def adjudicate(stream: faust.StreamT) -> None:
    await run_stage(app, bootstrap.SERVICE, stream, ClaimSubmitted, adjudicate_batch)


def main() -> None:
    run_worker(app)


if __name__ == "__main__":
    main()
