"""Encounter service (step 1): upstream systems post visits over HTTP; each new visit is
published to `visits`. A visit id is accepted once; a rejected request publishes nothing."""

from __future__ import annotations

import asyncio

from faust.web import Request, Response, View

from rcmflow.encounter.adapters import MIGRATIONS_DIR, repository
from rcmflow.encounter.domain.fhir_in import OperationOutcomeError, parse_bundle
from rcmflow.encounter.domain.intake import IntakeRejected, content_hash, parse_visits
from rcmflow.shared import metrics
from rcmflow.shared.db import Database
from rcmflow.shared.kafka import encode
from rcmflow.shared.schemas import VISITS, Producer, Visit, VisitReceived
from rcmflow.shared.schemas.common import utcnow
from rcmflow.shared.settings import get_settings
from rcmflow.shared.streaming import make_app, raw_topic, run_worker

SERVICE = "encounter"
app = make_app(SERVICE, get_settings().encounter_port)
db = Database(SERVICE, MIGRATIONS_DIR)
PRODUCER = Producer(service=SERVICE)
visits_topic = raw_topic(app, VISITS)


async def accept(visits: list[Visit], channel: str) -> tuple[list[str], list[str]]:
    """Publish the visits not accepted before. The acceptance rows commit only after Kafka has
    the events, so a failed publish leaves nothing recorded and the sender may simply retry."""
    received_at = utcnow()
    unique = list({v.visit_id: v for v in visits}.values())
    events = [VisitReceived.of(v, received_at, PRODUCER) for v in unique]
    pool = await db.pool()
    async with pool.acquire() as conn, conn.transaction():
        new_ids = await repository.claim_new(conn, events, [content_hash(v) for v in unique], channel)
        sends = [await visits_topic.send(key=e.key, value=encode(e)) for e in events if e.visit_id in new_ids]
        await asyncio.gather(*sends)  # wait for the broker's acknowledgement of every event
    accepted = [e.visit_id for e in events if e.visit_id in new_ids]
    duplicates = [v.visit_id for v in visits if v.visit_id not in accepted]
    metrics.events_total.labels(service=SERVICE, topic=VISITS, outcome="accepted").inc(len(accepted))
    metrics.events_total.labels(service=SERVICE, topic=VISITS, outcome="duplicate").inc(len(duplicates))
    return accepted, duplicates


@app.page("/visits")
class VisitsView(View):
    async def post(self, request: Request) -> Response:
        try:
            visits = parse_visits(await request.read())
        except IntakeRejected as exc:
            metrics.events_total.labels(service=SERVICE, topic=VISITS, outcome="rejected").inc()
            return self.json({"errors": [e.__dict__ for e in exc.errors]}, status=exc.status)
        accepted, duplicates = await accept(visits, "json")
        return self.json(
            {"accepted": accepted, "duplicates": duplicates, "visit_ids": [v.visit_id for v in visits]}, status=202
        )


@app.page("/fhir")
class FhirView(View):
    """FHIR R4 Bundle (transaction or collection): one visit per Encounter."""

    async def post(self, request: Request) -> Response:
        try:
            visits = parse_bundle(await request.read())
        except OperationOutcomeError as exc:
            metrics.events_total.labels(service=SERVICE, topic=VISITS, outcome="rejected").inc()
            return self.json(exc.outcome(), status=exc.status)
        accepted, duplicates = await accept(visits, "fhir")
        return self.json(
            {"accepted": accepted, "duplicates": duplicates, "visit_ids": [v.visit_id for v in visits]}, status=202
        )


@app.page("/health")
class HealthView(View):
    async def get(self, request: Request) -> Response:
        return self.json({"service": SERVICE, "status": "ok"})


def main() -> None:
    run_worker(app)


if __name__ == "__main__":
    main()
