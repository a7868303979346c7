"""The intake edge on the running encounter (issue 12): no 5xx from hostile input, the event loop
stays free while a large body is refused, MLLP survives a NUL, and a sender can always ask
where its visit stands (GET /visits/{id}), including a visit a later stage dead-lettered."""

from __future__ import annotations

import asyncio
import time

import asyncpg
import orjson

from bench.synthetic import VisitFactory
from shared import kafka
from shared.schemas import VISITS
from shared.settings import get_settings
from shared.topic_reader import end_offsets
from tests.helpers import SENDER, async_web, intake_url, open_tls_connection, read_since, visit_ids_of, wait_for, web
from tests.samples.fhir import bundle

START, END = b"\x0b", b"\x1c\x0d"
WORST_BODY = b"[" + b",".join([b"{}"] * 300_000) + b"]"  # ~900 KB


async def test_health_answers_while_the_worst_bodies_are_in_flight() -> None:
    async with async_web(timeout=60) as client:

        async def hostile() -> list[int]:
            bodies = [("/visits", WORST_BODY)] * 4 + [("/fhir", b'{"resourceType":"Bundle","type":"collection","entry":'
                                                      + WORST_BODY + b"}")] * 4  # fmt: skip
            answers = await asyncio.gather(*(client.post(auth=SENDER, url=intake_url(p), content=b) for p, b in bodies))
            return [a.status_code for a in answers]

        sender = asyncio.create_task(hostile())
        latencies = []
        while not sender.done():
            started = time.perf_counter()
            health = await client.get(auth=SENDER, url=intake_url("/health"))
            latencies.append(time.perf_counter() - started)
            assert health.status_code == 200
            await asyncio.sleep(0.01)
        statuses = await sender
    assert statuses == [413] * 8
    assert latencies and max(latencies) < 1.0, max(latencies)


def test_a_body_over_the_limit_is_413_and_malformed_input_is_4xx() -> None:
    too_big = web().post(auth=SENDER, url=intake_url(), content=b" " * (5 * 1024 * 1024), timeout=30)
    assert too_big.status_code == 413
    odd_type = b'{"resourceType": "Bundle", "type": "collection", "entry": [{"resource": {"resourceType": 5}}]}'
    for path, body in [("/visits", b"\xff\xfe"), ("/fhir", odd_type), ("/fhir", b"[1]"), ("/hl7v2", b"\x00")]:
        answer = web().post(auth=SENDER, url=intake_url(path), content=body, timeout=30)
        assert 400 <= answer.status_code < 500, (path, answer.status_code)
    outcome = web().post(auth=SENDER, url=intake_url("/fhir"),
                         content=b'{"resourceType": "Bundle", "type": "collection",'
                         b' "entry": [{"resource": {"resourceType": "Nope"}}]}', timeout=30).json()  # fmt: skip
    assert outcome["resourceType"] == "OperationOutcome"
    assert outcome["issue"][0]["expression"] == ["Bundle.entry[0].resource.resourceType"]


async def test_mllp_answers_a_nul_in_msh10_and_keeps_the_connection(factory: VisitFactory) -> None:
    from tests.integration.test_fhir_hl7_intake import hl7_ready
    from tests.samples.hl7 import message

    visit = hl7_ready(factory.visit(0))
    good = message(visit, f"{factory.token}-N")
    s = get_settings()
    reader, writer = await open_tls_connection(s.mllp_port)
    try:
        replies = []
        for text in (good.replace(f"{factory.token}-N", "BAD\x00ID"), good):
            writer.write(START + text.encode() + END)
            await writer.drain()
            replies.append((await asyncio.wait_for(reader.readuntil(END), 30)).decode())
    finally:
        writer.close()
    assert "MSA|AR|" in replies[0] and "MSH-10" in replies[0] and "\x00" not in replies[0]
    assert f"MSA|AA|{factory.token}-N" in replies[1]


async def test_a_name_outside_x12_is_transliterated_and_an_unknown_payer_is_named(
    factory: VisitFactory, conn: asyncpg.Connection
) -> None:
    visit = factory.visit(0)
    visit.patient.first_name, visit.patient.last_name = "José", "Ñúñez"
    answer = web().post(
        auth=SENDER, url=intake_url("/fhir"), content=orjson.dumps(bundle([visit], kind="collection")), timeout=30
    )
    assert answer.status_code == 202, answer.text
    assert await wait_for(lambda: _coded(conn, visit.visit_id), timeout=60)
    stored = await conn.fetchval("SELECT result->'visit'->'patient'->>'first_name' FROM coder.encounters"
                                 " WHERE visit_id = $1", visit.visit_id)  # fmt: skip
    assert stored == "Jose"

    other = factory.visit(1)
    assert other.coverage is not None
    other.coverage.payer_id = "ACME-HEALTH"
    before = await end_offsets(VISITS)
    refused = web().post(
        auth=SENDER, url=intake_url("/fhir"), content=orjson.dumps(bundle([other], kind="collection")), timeout=30
    )
    assert refused.status_code == 422
    [issue] = refused.json()["issue"]
    assert issue["expression"][0].endswith(".payor") and "ACME-HEALTH" in issue["diagnostics"]
    assert other.visit_id not in visit_ids_of(await read_since(VISITS, before))


async def _coded(conn: asyncpg.Connection, visit_id: str) -> bool:
    return bool(await conn.fetchval("SELECT 1 FROM coder.encounters WHERE visit_id = $1", visit_id))


async def test_a_sender_sees_its_visit_move_down_the_pipeline_or_fail(factory: VisitFactory) -> None:
    assert web().get(auth=SENDER, url=intake_url("/visits/V-NEVER-SENT-0"), timeout=10).status_code == 404
    assert web().get(auth=SENDER, url=intake_url("/visits/not%20an%20id"), timeout=10).status_code == 404
    visit = factory.visit(0)
    assert web().post(auth=SENDER, url=intake_url(), content=visit.model_dump_json(), timeout=30).status_code == 202

    def state(visit_id: str) -> dict[str, str]:
        answer = web().get(auth=SENDER, url=intake_url(f"/visits/{visit_id}"), timeout=10)
        assert answer.status_code == 200
        return dict(answer.json())

    async def settled() -> bool:
        return state(visit.visit_id)["state"] in ("paid", "denied", "in_review")

    assert await wait_for(settled, timeout=90)
    assert visit.patient.last_name not in str(state(visit.visit_id))  # ids and states only

    # a visit that reaches the coder unreadable (sent around intake) is dead-lettered: its
    # sender sees it failed, with the reason, and it is counted as failed
    broken_id, patient_id = f"V-{factory.token}-BROKEN", f"P-{factory.token}"
    broken = {"visit_id": broken_id, "patient_id": patient_id, "visit": {}}
    producer = kafka.make_producer()
    await producer.start()
    try:
        await producer.send_and_wait(VISITS, orjson.dumps(broken), key=patient_id.encode())
    finally:
        await producer.stop()

    async def failed() -> bool:
        answer = web().get(auth=SENDER, url=intake_url(f"/visits/{broken_id}"), timeout=10)
        return answer.status_code == 200 and answer.json()["state"] == "failed"

    assert await wait_for(failed, timeout=60)
    reason = state(broken_id)["reason"]
    assert reason.startswith("dead-lettered by coder: VisitReceived validation failed: event_id: Field required")


async def test_a_connection_that_sends_no_whole_request_is_closed() -> None:
    s = get_settings()
    reader, writer = await open_tls_connection(s.encounter_port)
    writer.write(b"POST /visits HTTP/1.1\r\nHost: rcmflow\r\n")  # and never the rest
    await writer.drain()
    started = time.perf_counter()
    try:
        assert await asyncio.wait_for(reader.read(), timeout=30) == b""  # closed by intake, no answer
    finally:
        writer.close()
    assert 10 < time.perf_counter() - started < 25
