"""Coder (step 2): visits -> coded encounters, or to a person for review when unsure.

Run several workers in one consumer group (CODER_WORKER=0,1,2 ...): the 12 partitions of
`visits` are shared among them, each serving /metrics on 8002 + 10 * worker."""

from __future__ import annotations

from faust.web import Request, Response, View

from coder.adapters import MIGRATIONS_DIR, repository
from coder.adapters.reference import load_tables
from coder.domain.coding import code_visit
from coder.domain.review import ReviewDecision, ValidationError, coded_by_person
from shared import ids, metrics
from shared.db import Database
from shared.kafka import encode
from shared.schemas import (
    CODED_ENCOUNTERS,
    CODING_REVIEW,
    VISITS,
    CodedEncounter,
    CodingReviewRequested,
    Producer,
    VisitReceived,
)
from shared.settings import get_settings
from shared.streaming import emit, make_app, raw_topic, run_stage, run_worker, track_consumer_lag

SERVICE = "coder"
settings = get_settings()
SUFFIX = settings.coder_topic_suffix  # "" in service; `rcm bench coder` runs workers on topics of their own
app = make_app(SERVICE, settings.coder_port + 10 * settings.coder_worker, group=f"rcmflow-coder{SUFFIX}")
db = Database(SERVICE, MIGRATIONS_DIR)
tables = load_tables()
CODER_VERSION = tables.coder_version
PRODUCER = Producer(service=SERVICE)

visits = raw_topic(app, VISITS + SUFFIX)
coded_encounters = raw_topic(app, CODED_ENCOUNTERS + SUFFIX)
coding_review = raw_topic(app, CODING_REVIEW + SUFFIX)


def code(received: VisitReceived) -> CodedEncounter | CodingReviewRequested:
    visit = received.visit
    result = code_visit(visit, tables)
    for name in result.stale_code_sets:  # coded with the newest release loaded; operators must load a newer one
        metrics.code_set_stale_total.labels(code_set=name).inc()
    envelope = dict(
        visit_id=visit.visit_id,
        patient_id=visit.patient.id,
        producer=PRODUCER,
        received_at=received.received_at,
        # the time of the visit event it codes: the same visit and coder version give the same bytes
        occurred_at=received.occurred_at,
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
        code_set_stale=result.code_set_stale,
        **envelope,
    )


async def code_batch(batch: list[VisitReceived]) -> list[str]:
    results = [code(received) for received in batch]
    outcomes = ["review" if isinstance(r, CodingReviewRequested) else "coded" for r in results]
    await repository.record(await db.pool(), list(zip(results, outcomes, (r.event_id for r in batch), strict=True)))
    for result in results:
        await emit(coding_review if isinstance(result, CodingReviewRequested) else coded_encounters, result)
    return outcomes


track_consumer_lag(app, [VISITS + SUFFIX])


@app.timer(10.0)
async def measure_review_queue() -> None:
    metrics.review_queue_size.set(await repository.review_queue_size(await db.pool()))


@app.page("/review")
class ReviewQueue(View):
    """Open review items: the visit, why the engine would not code it, and its suggestions."""

    async def get(self, request: Request) -> Response:
        items = await repository.open_reviews(await db.pool(), int(request.query.get("limit", "100")))
        return self.json({"open": len(items), "items": [
            {"visit_id": i["visit_id"], "coder_version": i["coder_version"], "since": i["coded_at"].isoformat(),
             "reasons": i["result"]["reasons"], "visit": i["result"]["visit"]} for i in items]})  # fmt: skip


@app.page("/review/{visit_id}")
class ReviewDecisionView(View):
    """A person's codes for one open item: validated as the engine's are, then sent on as coded by a person."""

    async def post(self, request: Request, visit_id: str) -> Response:
        try:
            decision = ReviewDecision.model_validate_json(await request.read())
        except ValidationError as exc:
            errors = [{"field": ".".join(str(p) for p in e["loc"]) or "body", "message": e["msg"]}
                      for e in exc.errors(include_input=False)]  # fmt: skip
            return self.json({"errors": errors}, status=422)
        pool = await db.pool()
        async with pool.acquire() as conn, conn.transaction():
            pending = await repository.take_review(conn, visit_id)
            if pending is None:
                return self.json({"errors": [{"field": "visit_id", "message": "no open review item"}]}, status=404)
            coded = coded_by_person(pending, decision, PRODUCER)
            await repository.resolve_review(conn, coded, decision.coder)
            fut = await coded_encounters.send(key=coded.key, value=encode(coded))
            await fut  # on the topic before the review item closes: nothing lost, nothing coded twice
        metrics.events_total.labels(service=SERVICE, topic=CODING_REVIEW, outcome="reviewed").inc()
        return self.json({"visit_id": visit_id, "event_id": str(coded.event_id), "coded_by": "person"}, status=202)


@app.agent(visits, concurrency=1)
async def code_visits(stream):  # type: ignore[no-untyped-def]
    await run_stage(app, SERVICE, stream, VisitReceived, code_batch)


def main() -> None:
    run_worker(app)


if __name__ == "__main__":
    main()
