"""Coder (step 2): visits -> coded encounters, or to a person for review when unsure.

Run several workers in one consumer group (CODER_WORKER=0,1,2 ...): the 12 partitions of
`visits` are shared among them, worker N serving /metrics and /review on CODER_PORT + 10 * N."""

from __future__ import annotations

# First, before anything imports simple-icd-10-cm: its code set read back from disk when kept
# (CODER_INDEX_CACHE=1) instead of parsed from XML at import, most of a restart's time.
from coder.adapters import code_set_cache

CODE_SET_LOADED = code_set_cache.prepare()

import asyncio  # noqa: E402

import faust  # noqa: E402

from coder import bootstrap  # noqa: E402
from coder.adapters.repository import EncounterRepository  # noqa: E402
from coder.entrypoints import review  # noqa: E402
from coder.service_layer import handlers  # noqa: E402
from shared import metrics  # noqa: E402
from shared.outages import guarded_timer  # noqa: E402
from shared.schemas import VISITS, VisitReceived  # noqa: E402
from shared.streaming import FaustPublisher, make_app, raw_topic, run_stage, run_worker  # noqa: E402
from shared.timers import track_consumer_lag  # noqa: E402
from shared.unit_of_work import run_in_unit_of_work  # noqa: E402

SERVICE = bootstrap.SERVICE
SUFFIX = bootstrap.topic_suffix()
app = make_app(SERVICE, bootstrap.web_port(), group=f"rcmflow-coder{SUFFIX}")
publisher = bootstrap.SuffixedPublisher(FaustPublisher(app), SUFFIX)
visits = raw_topic(app, VISITS + SUFFIX)


@app.agent(visits, concurrency=1)
async def code_visits(stream: faust.StreamT) -> None:
    tables = await asyncio.to_thread(bootstrap.tables)  # read once, off the event loop, before the first batch
    version = tables.coder_version

    async def code_batch(batch: list[VisitReceived]) -> list[str]:
        make_uow = await bootstrap.unit_of_work()  # while Postgres is away this raises; run_stage waits it out
        return await run_in_unit_of_work(
            make_uow, lambda uow: handlers.code_visits(batch, uow, tables, version), publisher
        )

    await run_stage(app, SERVICE, stream, VisitReceived, code_batch)


async def measure_review_queue() -> None:
    pool = await bootstrap.database.pool()
    metrics.review_queue_size.set(await EncounterRepository(pool).review_queue_size())


guarded_timer(app, 10.0, measure_review_queue)
track_consumer_lag(app, [VISITS + SUFFIX])
review.register(app, SUFFIX)


def main() -> None:
    run_worker(app)


if __name__ == "__main__":
    main()
