"""At-least-once delivery with idempotent effects: a visit delivered twice is billed once."""

import orjson

from bench.synthetic import VisitFactory
from shared import kafka
from shared.schemas import REMITTANCES, VISITS, Producer, VisitReceived
from shared.schemas.common import utcnow
from shared.topic_reader import end_offsets
from tests.helpers import read_since, wait_for

COUNT_FOR_VISIT = {
    "claims": "SELECT count(*) FROM biller.claims WHERE visit_id = $1",
    "postings": "SELECT count(*) FROM biller.postings p JOIN biller.claims c USING (claim_id) WHERE c.visit_id = $1",
    "adjudications": """SELECT count(*) FROM payer_sim.adjudications a JOIN biller.claims c USING (claim_id)
                        WHERE c.visit_id = $1""",
}


async def test_same_visit_event_twice_makes_one_claim_and_one_posting(factory: VisitFactory, conn) -> None:  # type: ignore[no-untyped-def]
    visit = factory.visit(0)
    event = VisitReceived.of(visit, utcnow(), Producer(service="test"))
    remittances_before = await end_offsets(REMITTANCES)
    producer = kafka.make_producer()
    await producer.start()
    try:
        for _ in range(2):
            await producer.send_and_wait(VISITS, kafka.encode(event), key=event.key)
    finally:
        await producer.stop()

    remitted: list[dict] = []

    async def both_deliveries_went_through() -> bool:
        # at-least-once: each delivery travels the whole way; the second re-sends the same events
        nonlocal remitted
        events = await read_since(REMITTANCES, remittances_before)
        remitted = [orjson.loads(e["raw"]) for e in events if visit.visit_id.encode() in e["raw"]]
        return len(remitted) >= 2

    assert await wait_for(both_deliveries_went_through, timeout=90)
    assert len({r["event_id"] for r in remitted}) == 1, "the second delivery made a different remittance"
    for name, sql in COUNT_FOR_VISIT.items():
        assert await conn.fetchval(sql, visit.visit_id) == 1, f"{name} is not exactly one"
