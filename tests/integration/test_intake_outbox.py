"""Exactly-once acceptance (issue 14): acceptance rows and their events commit together in the
encounter's outbox; the relay publishes them. Nothing is killed here: a committed-but-unpublished
row is written the way a dying encounter would leave it, and duplicates are sent concurrently."""

from __future__ import annotations

import asyncio

import asyncpg
import orjson

from bench.synthetic import VisitFactory
from encounter.domain.intake import content_hash
from shared.kafka import encode
from shared.schemas import VISITS, Producer, VisitReceived
from shared.schemas.common import utcnow
from shared.topic_reader import end_offsets
from tests.helpers import SENDER, async_web, intake_url, read_since, visit_ids_of, wait_for, web


async def test_a_row_committed_before_its_publish_is_published_by_the_relay(
    factory: VisitFactory, conn: asyncpg.Connection
) -> None:
    visit = factory.visit(0)
    event = VisitReceived.of(visit, utcnow(), Producer(service="encounter"))
    before = await end_offsets(VISITS)
    # What `accept` commits, with the process gone before it could publish anything.
    async with conn.transaction():
        await conn.execute(
            """INSERT INTO encounter.accepted_visits
                   (visit_id, patient_id, event_id, channel, content_hash, received_at)
               VALUES ($1, $2, $3, 'json', $4, $5)""",
            visit.visit_id, visit.patient.id, event.event_id, content_hash(visit), event.received_at,
        )  # fmt: skip
        await conn.execute(
            "INSERT INTO encounter.outbox (event_id, topic, key, payload) VALUES ($1, $2, $3, $4)",
            event.event_id, VISITS, event.key, encode(event),
        )  # fmt: skip

    async def sent() -> bool:
        return bool(await conn.fetchval("SELECT sent_at IS NOT NULL FROM encounter.outbox WHERE event_id = $1",
                                        event.event_id))  # fmt: skip

    assert await wait_for(sent, timeout=30)
    assert await conn.fetchval("SELECT payload FROM encounter.outbox WHERE event_id = $1", event.event_id) is None
    # the sender's retry after the crash: told it is a duplicate, and nothing more is published
    retry = web().post(auth=SENDER, url=intake_url(), content=visit.model_dump_json(), timeout=30)
    assert retry.status_code == 202 and retry.json()["duplicates"] == [visit.visit_id]
    await asyncio.sleep(1.5)  # one idle poll of the relay
    published = visit_ids_of(await read_since(VISITS, before))
    assert published.count(visit.visit_id) == 1


async def test_a_visit_sent_many_times_at_once_is_accepted_and_published_once(
    factory: VisitFactory, conn: asyncpg.Connection
) -> None:
    visit = orjson.loads(factory.visit(1).model_dump_json())
    other = orjson.loads(factory.visit(2).model_dump_json())
    before = await end_offsets(VISITS)
    async with async_web(timeout=30) as client:
        answers = await asyncio.gather(
            *(
                client.post(auth=SENDER, url=intake_url(), content=orjson.dumps([visit, other] if i % 2 else visit))
                for i in range(8)
            )
        )
        later = await client.post(auth=SENDER, url=intake_url(), content=orjson.dumps(visit))
    assert [a.status_code for a in answers] == [202] * 8 and later.status_code == 202
    accepted = [vid for a in answers for vid in a.json()["accepted"]]
    assert accepted.count(visit["visit_id"]) == 1 and accepted.count(other["visit_id"]) == 1
    assert later.json()["duplicates"] == [visit["visit_id"]]

    async def all_sent() -> bool:
        return not await conn.fetchval(
            """SELECT count(*) FROM encounter.outbox o JOIN encounter.accepted_visits a USING (event_id)
               WHERE a.visit_id = ANY($1::text[]) AND o.sent_at IS NULL""",
            [visit["visit_id"], other["visit_id"]],
        )

    assert await wait_for(all_sent, timeout=30)
    await asyncio.sleep(1.5)
    published = visit_ids_of(await read_since(VISITS, before))
    assert published.count(visit["visit_id"]) == 1 and published.count(other["visit_id"]) == 1
