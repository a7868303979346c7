"""Poison events on `visits` land on `visits.dlq` with the error in headers; the stage goes on."""

from bench.synthetic import VisitFactory
from shared import kafka
from shared.schemas import VISITS, Producer, VisitReceived, dlq_topic
from shared.schemas.common import utcnow
from shared.topic_reader import end_offsets
from tests.helpers import read_since, wait_for


async def test_poison_goes_to_dlq_and_the_next_visit_is_processed(factory: VisitFactory, conn) -> None:  # type: ignore[no-untyped-def]
    visit = factory.visit(0)
    key = visit.patient.id.encode()
    not_json = b"\x00\xffnot json at all " + factory.token.encode()
    wrong_shape = b'{"visit_id": "V-%s-bad", "patient_id": "P-1", "note": "no envelope"}' % factory.token.encode()
    now = utcnow()
    valid = VisitReceived.of(visit, now, Producer(service="test"))
    dlq_before = await end_offsets(dlq_topic(VISITS))
    producer = kafka.make_producer()
    await producer.start()
    try:
        # same key: same partition, so the valid visit really comes after the poison
        for value in (not_json, wrong_shape, kafka.encode(valid)):
            await producer.send_and_wait(VISITS, value, key=key)
    finally:
        await producer.stop()

    async def coded() -> bool:
        return bool(await conn.fetchval("SELECT 1 FROM coder.encounters WHERE visit_id = $1", visit.visit_id))

    assert await wait_for(coded, timeout=60), "the valid visit after the poison was not processed"
    dead = [e for e in await read_since(dlq_topic(VISITS), dlq_before) if factory.token.encode() in e["raw"]]
    assert sorted(e["raw"] for e in dead) == sorted([not_json, wrong_shape])
    for event in dead:
        headers = event["headers"]
        assert headers["rcm-source-topic"] == VISITS.encode()
        assert int(headers["rcm-source-offset"]) >= 0 and int(headers["rcm-source-partition"]) >= 0
        assert b"validation failed" in headers["rcm-error"]
