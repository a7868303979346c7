"""Encounter service (step 1): upstream systems post visits over HTTP; each new visit is
published to `visits`. A visit id is accepted once; a rejected request publishes nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import asyncpg
from faust.web import Request, Response, View

from encounter.adapters import MIGRATIONS_DIR, repository
from encounter.adapters.mllp import MllpServer
from encounter.adapters.reference import load_facilities
from encounter.domain.fhir_in import OperationOutcomeError, parse_bundle
from encounter.domain.hl7_in import Hl7Error, ack, parse_message
from encounter.domain.intake import IntakeRejected, content_hash, parse_visits
from shared import metrics
from shared.db import Database
from shared.kafka import encode
from shared.schemas import VISITS, Producer, Visit, VisitReceived
from shared.schemas.common import utcnow
from shared.settings import get_settings
from shared.streaming import make_app, raw_topic, run_worker

SERVICE = "encounter"
settings = get_settings()
app = make_app(SERVICE, settings.encounter_port)
facilities = load_facilities()
db = Database(SERVICE, MIGRATIONS_DIR)
PRODUCER = Producer(service=SERVICE)
visits_topic = raw_topic(app, VISITS)


async def accept(
    visits: list[Visit], channel: str, also: Callable[[asyncpg.Connection], Awaitable[None]] | None = None
) -> tuple[list[str], list[str]]:
    """Publish the visits not accepted before. The acceptance rows commit only after Kafka has
    the events, so a failed publish leaves nothing recorded and the sender may simply retry.
    `also` writes more in the same transaction (the HL7 control id)."""
    received_at = utcnow()
    unique = list({v.visit_id: v for v in visits}.values())
    events = [VisitReceived.of(v, received_at, PRODUCER) for v in unique]
    pool = await db.pool()
    async with pool.acquire() as conn, conn.transaction():
        if also is not None:
            await also(conn)
        new_ids = await repository.claim_new(conn, events, [content_hash(v) for v in unique], channel)
        sends = [await visits_topic.send(key=e.key, value=encode(e)) for e in events if e.visit_id in new_ids]
        await asyncio.gather(*sends)  # wait for the broker's acknowledgement of every event
    accepted = [e.visit_id for e in events if e.visit_id in new_ids]
    duplicates = [v.visit_id for v in visits if v.visit_id not in accepted]
    metrics.events_total.labels(service=SERVICE, topic=VISITS, outcome="accepted").inc(len(accepted))
    metrics.events_total.labels(service=SERVICE, topic=VISITS, outcome="duplicate").inc(len(duplicates))
    return accepted, duplicates


async def accepted(view: View, visits: list[Visit], channel: str) -> Response:
    """202 with the visit ids: the ones accepted now, and the ones accepted before (duplicates)."""
    new, duplicates = await accept(visits, channel)
    return view.json({"accepted": new, "duplicates": duplicates, "visit_ids": [v.visit_id for v in visits]}, status=202)


@app.page("/visits")
class VisitsView(View):
    async def post(self, request: Request) -> Response:
        try:
            visits = parse_visits(await request.read())
        except IntakeRejected as exc:
            metrics.events_total.labels(service=SERVICE, topic=VISITS, outcome="rejected").inc()
            return self.json({"errors": [e.__dict__ for e in exc.errors]}, status=exc.status)
        return await accepted(self, visits, "json")


@app.page("/fhir")
class FhirView(View):
    """FHIR R4 Bundle (transaction or collection): one visit per Encounter."""

    async def post(self, request: Request) -> Response:
        try:
            visits = parse_bundle(await request.read())
        except OperationOutcomeError as exc:
            metrics.events_total.labels(service=SERVICE, topic=VISITS, outcome="rejected").inc()
            return self.json(exc.outcome(), status=exc.status)
        return await accepted(self, visits, "fhir")


async def receive_hl7(text: str) -> tuple[str, str]:
    """One HL7 v2 message in; its ACK out, with the acknowledgment code (AA, AE, AR)."""
    try:
        message = parse_message(text, facilities)
    except Hl7Error as exc:
        metrics.events_total.labels(service=SERVICE, topic=VISITS, outcome="rejected").inc()
        return ack(text, exc.ack_code, exc.control_id, str(exc), exc.errors), exc.ack_code
    pool = await db.pool()
    async with pool.acquire() as conn:
        sent_before = await repository.hl7_seen(conn, message.control_id)
    if sent_before is not None:  # the same message again: same answer, nothing published
        return sent_before, "AA"
    reply = ack(text, "AA", message.control_id)
    visit_ids = [v.visit_id for v in message.visits]

    async def remember(conn: asyncpg.Connection) -> None:
        await repository.record_hl7(conn, message.control_id, message.message_type, visit_ids, reply)

    await accept(message.visits, "hl7v2", also=remember)
    return reply, "AA"


@app.page("/hl7v2")
class Hl7View(View):
    """One HL7 v2 message (ADT^A03 or DFT^P03) in the body; the ACK in the answer."""

    async def post(self, request: Request) -> Response:
        reply, code = await receive_hl7((await request.read()).decode(errors="replace"))
        status = {"AA": 200, "AE": 422, "AR": 400}[code]
        return self.bytes(reply.encode(), content_type="application/hl7-v2", status=status)


async def mllp_message(text: str) -> str:
    reply, _ = await receive_hl7(text)
    return reply


mllp = MllpServer(mllp_message, broken_frame_ack=lambda reason: ack("", "AR", "", reason, [reason]))


@app.task
async def start_mllp() -> None:
    await mllp.start(settings.web_host, settings.mllp_port)


@app.page("/health")
class HealthView(View):
    async def get(self, request: Request) -> Response:
        return self.json({"service": SERVICE, "status": "ok"})


def main() -> None:
    run_worker(app)


if __name__ == "__main__":
    main()
