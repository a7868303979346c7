"""Encounter service (step 1): upstream systems post visits over HTTP (JSON, FHIR R4, HL7 v2) or
MLLP; each new visit is published to `visits`. A visit id is accepted once; a rejected request
publishes nothing. The views are thin: parse (domain) -> accept (handlers, in a unit of work
whose commit writes the events into the outbox) -> the outbox relay publishes them."""

from __future__ import annotations

from faust.web import Request, Response, View

from encounter.adapters.mllp import MllpServer
from encounter.bootstrap import PRODUCER, SERVICE, Bootstrap
from encounter.domain.fhir_in import OperationOutcomeError, parse_bundle
from encounter.domain.hl7_in import Hl7Error, ack, parse_message
from encounter.domain.intake import IntakeRejected, parse_visits
from encounter.service_layer import handlers
from encounter.service_layer.handlers import Acceptance
from encounter.service_layer.unit_of_work import EncounterUnitOfWork
from shared import metrics
from shared.schemas import VISITS, Visit
from shared.schemas.common import utcnow
from shared.streaming import make_app, run_worker
from shared.unit_of_work import run_in_unit_of_work

boot = Bootstrap()
app = make_app(SERVICE, boot.settings.encounter_port)
publisher = boot.relay  # its publish() wakes the relay: the events are in the outbox already


def _count(outcome: str, n: int = 1) -> None:
    metrics.events_total.labels(service=SERVICE, topic=VISITS, outcome=outcome).inc(n)


async def accept(visits: list[Visit], channel: str) -> Acceptance:
    async def use_case(uow: EncounterUnitOfWork) -> Acceptance:
        return await handlers.accept_visits(visits, channel, uow, utcnow(), PRODUCER)

    result = await run_in_unit_of_work(await boot.unit_of_work(), use_case, publisher)
    _count("accepted", len(result.accepted))
    _count("duplicate", len(result.duplicates))
    return result


async def accepted(view: View, visits: list[Visit], channel: str) -> Response:
    """202 with the visit ids: the ones accepted now, and the ones accepted before (duplicates)."""
    result = await accept(visits, channel)
    body = {"accepted": result.accepted, "duplicates": result.duplicates, "visit_ids": [v.visit_id for v in visits]}
    return view.json(body, status=202)


@app.page("/visits")
class VisitsView(View):
    async def post(self, request: Request) -> Response:
        try:
            visits = parse_visits(await request.read())
        except IntakeRejected as exc:
            _count("rejected")
            return self.json({"errors": [e.__dict__ for e in exc.errors]}, status=exc.status)
        return await accepted(self, visits, "json")


@app.page("/fhir")
class FhirView(View):
    """FHIR R4 Bundle (transaction or collection): one visit per Encounter."""

    async def post(self, request: Request) -> Response:
        try:
            visits = parse_bundle(await request.read())
        except OperationOutcomeError as exc:
            _count("rejected")
            return self.json(exc.outcome(), status=exc.status)
        return await accepted(self, visits, "fhir")


async def receive_hl7(text: str) -> tuple[str, str]:
    """One HL7 v2 message in; its ACK out, with the acknowledgment code (AA, AE, AR)."""
    try:
        message = parse_message(text, boot.facilities)
    except Hl7Error as exc:
        _count("rejected")
        return ack(text, exc.ack_code, exc.control_id, str(exc), exc.errors), exc.ack_code
    reply = ack(text, "AA", message.control_id)

    async def use_case(uow: EncounterUnitOfWork) -> str:
        return await handlers.receive_hl7(message, reply, uow, utcnow(), PRODUCER)

    answer = await run_in_unit_of_work(await boot.unit_of_work(), use_case, publisher)
    return answer, "AA"


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
    await mllp.start(boot.settings.web_host, boot.settings.mllp_port)


@app.task
async def relay_outbox() -> None:
    await boot.relay.run()


@app.page("/health")
class HealthView(View):
    async def get(self, request: Request) -> Response:
        return self.json({"service": SERVICE, "status": "ok"})


def main() -> None:
    run_worker(app)


if __name__ == "__main__":
    main()
