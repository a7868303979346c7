"""Encounter service (step 1): upstream systems post visits over HTTP (JSON, FHIR R4, HL7 v2) or
MLLP; each new visit is published to `visits`. A visit id is accepted once; a rejected request
publishes nothing. Acceptance commits the visits' events into the outbox; the relay task
publishes them. The visit-state agent follows each visit down the pipeline for GET /visits/{id}."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from typing import Any

import faust

from encounter.adapters.mllp import MllpServer
from encounter.bootstrap import SERVICE, Bootstrap
from encounter.domain.fhir_claim import claim_summary, remittance_summary
from encounter.domain.hl7_in import Hl7Message, ack
from encounter.domain.intake import MAX_BODY_BYTES
from encounter.domain.visit_state import DEAD_LETTER_TOPICS, TRACKED_TOPICS, StateChange, state_change
from encounter.entrypoints.fhir_claims import add_fhir_claim_views
from encounter.entrypoints.intake import Intake
from encounter.entrypoints.security import FrontDoor, add_oauth_views
from encounter.entrypoints.web import add_views, no_tracebacks
from encounter.service_layer import handlers
from encounter.service_layer.unit_of_work import EncounterUnitOfWork
from shared import tls
from shared.schemas import CLAIMS, REMITTANCES
from shared.security import access_log, store
from shared.streaming import make_app, run_worker
from shared.unit_of_work import run_in_unit_of_work

log = logging.getLogger(__name__)

HTTP_IDLE_TIMEOUT = 15.0  # seconds a kept-alive connection may sit idle

boot = Bootstrap()
app = make_app(
    SERVICE,
    boot.settings.encounter_port,
    web_options={
        "client_max_size": MAX_BODY_BYTES,
        "middlewares": [no_tracebacks],
        "handler_args": {"keepalive_timeout": HTTP_IDLE_TIMEOUT},
    },
)
intake = Intake(boot)
door = FrontDoor(boot)
add_views(app, intake, door)
add_fhir_claim_views(app, intake, door)
add_oauth_views(app, door)


async def mllp_message(text: str) -> str:
    async def recorded(message: Hl7Message) -> None:
        async with (await boot.db.pool()).acquire() as conn:
            sender = await store.hl7_sender(conn, message.sending_facility)
        if sender is not None:
            await door.record(replace(sender, source="mllp"), access_log.CREATE, "MLLP hl7v2 visits", message.visits)

    reply, _ = await intake.receive_hl7(text, door.mllp_sender, recorded)
    return reply


mllp = MllpServer(mllp_message, broken_frame_ack=lambda reason: ack("", "AR", "", reason, [reason]))


@app.task
async def start_mllp() -> None:
    # MLLP over TLS; a sender's client certificate is checked when RCM_MLLP_CLIENT_CERT asks for one
    context = tls.server_context(SERVICE, client_certs=boot.settings.mllp_client_cert)
    await mllp.start(boot.settings.web_host, boot.settings.mllp_port, context, reuse_port=boot.settings.web_shared_port)


@app.task
async def warm_up_parsing() -> None:
    await intake.warm_up()


@app.task
async def relay_outbox() -> None:
    await boot.relay.run()


# Raw envelopes of the topics that tell where a visit went: visit id, claim status and the
# dead-letter headers for the visit states; claims and remittances also feed the claims read model
# (without names or addresses) for the FHIR Claim and ClaimResponse lookups.
state_topics = app.topic(
    *TRACKED_TOPICS, *DEAD_LETTER_TOPICS, key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw"
)


def _headers(message: Any) -> dict[str, bytes]:
    raw = message.headers or {}
    pairs = raw.items() if isinstance(raw, dict) else raw
    return {str(k): bytes(v or b"") for k, v in pairs}


async def _record(changes: list[StateChange], claims: list[dict[str, Any]], remittances: list[dict[str, Any]]) -> None:
    """Advance the projection and the claims read model in one transaction; a Postgres outage is
    waited out (one line), never skipped."""

    async def use_case(uow: EncounterUnitOfWork) -> None:
        await handlers.record_visit_states(changes, uow)
        await handlers.record_claim_views(claims, remittances, uow)

    delay, warned = 0.5, False
    while True:
        try:
            await run_in_unit_of_work(await boot.unit_of_work(), use_case, boot.relay)
            if warned:
                log.warning("visit states: recording resumed")
            return
        except Exception as exc:
            if not warned:
                log.warning("visit states: cannot record (%s); retrying with back-off", type(exc).__name__)
                warned = True
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10.0)


@app.agent(state_topics)
async def track_visit_states(stream: faust.StreamT[bytes]) -> None:
    async for events in stream.take_events(500, within=0.5):  # type: ignore[attr-defined]  # faust's stubs lack it
        changes, claims, remittances = [], [], []
        for e in events:
            topic, value = e.message.topic, e.value
            if (change := state_change(topic, value, _headers(e.message))) is not None:
                changes.append(change)
            if topic == CLAIMS and (claim := claim_summary(value)) is not None:
                claims.append(claim)
            elif topic == REMITTANCES and (remittance := remittance_summary(value)) is not None:
                remittances.append(remittance)
        if changes or claims or remittances:
            await _record(changes, claims, remittances)


def main() -> None:
    run_worker(app)


if __name__ == "__main__":
    main()
