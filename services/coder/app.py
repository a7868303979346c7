"""Coder (step 2): visits -> coded encounters, or to a person for review when unsure.

Run several workers in one consumer group (CODER_WORKER=0,1,2 ...): the 12 partitions of
`visits` are shared among them, each serving /metrics on 8002 + 10 * worker."""

from __future__ import annotations

from rcmflow.coder.adapters import MIGRATIONS_DIR, repository
from rcmflow.coder.adapters.reference import load_tables
from rcmflow.coder.domain.coding import code_visit
from rcmflow.shared import ids, metrics
from rcmflow.shared.db import Database
from rcmflow.shared.schemas import (
    CODED_ENCOUNTERS,
    CODING_REVIEW,
    VISITS,
    CodedEncounter,
    CodingReviewRequested,
    Producer,
    VisitReceived,
)
from rcmflow.shared.settings import get_settings
from rcmflow.shared.streaming import emit, make_app, raw_topic, run_stage, run_worker, track_consumer_lag

SERVICE = "coder"
settings = get_settings()
app = make_app(SERVICE, settings.coder_port + 10 * settings.coder_worker)
db = Database(SERVICE, MIGRATIONS_DIR)
tables = load_tables()
CODER_VERSION = tables.coder_version
PRODUCER = Producer(service=SERVICE)

visits = raw_topic(app, VISITS)
coded_encounters = raw_topic(app, CODED_ENCOUNTERS)
coding_review = raw_topic(app, CODING_REVIEW)


def code(received: VisitReceived) -> CodedEncounter | CodingReviewRequested:
    visit = received.visit
    result = code_visit(visit, tables)
    envelope = dict(
        visit_id=visit.visit_id,
        patient_id=visit.patient.id,
        producer=PRODUCER,
        received_at=received.received_at,
        visit=visit,
        coder_version=CODER_VERSION,
    )
    if result.needs_review:
        return CodingReviewRequested(
            event_id=ids.event_id("review", visit.visit_id, CODER_VERSION), reasons=result.review_reasons, **envelope
        )
    return CodedEncounter(
        event_id=ids.event_id("coded", visit.visit_id, CODER_VERSION),
        place_of_service=result.place_of_service,
        diagnoses=result.diagnoses,
        service_lines=result.service_lines,
        **envelope,
    )


async def code_batch(batch: list[VisitReceived]) -> list[str]:
    results = [code(received) for received in batch]
    outcomes = ["review" if isinstance(r, CodingReviewRequested) else "coded" for r in results]
    await repository.record(await db.pool(), list(zip(results, outcomes, (r.event_id for r in batch), strict=True)))
    for result in results:
        await emit(coding_review if isinstance(result, CodingReviewRequested) else coded_encounters, result)
    return outcomes


track_consumer_lag(app, [VISITS])


@app.timer(10.0)
async def measure_review_queue() -> None:
    metrics.review_queue_size.set(await repository.review_queue_size(await db.pool()))


@app.agent(visits, concurrency=1)
async def code_visits(stream):  # type: ignore[no-untyped-def]
    await run_stage(app, SERVICE, stream, VisitReceived, code_batch)


def main() -> None:
    run_worker(app)


if __name__ == "__main__":
    main()
