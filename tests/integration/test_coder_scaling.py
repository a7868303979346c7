"""Two coder workers in one consumer group share the 12 partitions of `visits`; stopping one
mid-stream loses nothing: the other takes its partitions over."""

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx

from bench.synthetic import VisitFactory
from shared import kafka
from shared.schemas import CODED_ENCOUNTERS, CODING_REVIEW, VISITS, Producer, VisitReceived
from shared.schemas.common import utcnow
from shared.settings import get_settings
from shared.topic_reader import end_offsets
from tests.helpers import read_since, service_url, visit_ids_of, wait_for, web

ROOT = Path(__file__).resolve().parents[2]
VISITS_IN_RUN = 1000


async def test_two_workers_share_the_partitions_and_survive_losing_one(factory: VisitFactory, conn, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = get_settings()
    second_port = settings.coder_port + 10
    env = {**os.environ, "CODER_WORKER": "1", "RCM_DATA_DIR": str(tmp_path / "faust")}
    log = (tmp_path / "coder-1.log").open("w")
    command = [sys.executable, "-m", "coder.entrypoints.app"]
    worker = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:

        async def second_is_up() -> bool:
            try:
                return web().get(service_url(second_port, "/metrics"), timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        assert await wait_for(second_is_up, timeout=90, every=1)
        outputs = (CODED_ENCOUNTERS, CODING_REVIEW)
        before = {topic: await end_offsets(topic) for topic in outputs}

        async def publish(batch: list) -> None:  # type: ignore[type-arg]
            producer = kafka.make_producer()
            await producer.start()
            try:
                for visit in batch:
                    event = VisitReceived.of(visit, utcnow(), Producer(service="test"))
                    await producer.send(VISITS, kafka.encode(event), key=event.key)
                await producer.flush()
            finally:
                await producer.stop()

        visits = list(factory.visits(VISITS_IN_RUN))
        ids = [v.visit_id for v in visits]

        async def second_has_partitions() -> bool:
            # faust logs each assignment as a table: "| visits | {0-5} |"
            return "| visits | {" in (tmp_path / "coder-1.log").read_text()

        assert await wait_for(second_has_partitions, timeout=90, every=1), "the second worker never got partitions"
        await asyncio.sleep(3)  # the first worker gives its share up at its next heartbeat
        await publish(visits)

        async def coded(n: int) -> bool:
            return (
                await conn.fetchval("SELECT count(*) FROM coder.encounters WHERE visit_id = ANY($1::text[])", ids) >= n
            )

        assert await wait_for(lambda: coded(VISITS_IN_RUN // 4), timeout=120, every=0.2)
        worker.send_signal(signal.SIGTERM)  # mid-stream: the first worker takes its partitions over
        worker.wait(timeout=60)

        assert await wait_for(lambda: coded(VISITS_IN_RUN), timeout=240, every=1), "visits were lost"
        assert (
            await conn.fetchval(
                "SELECT count(DISTINCT visit_id) FROM coder.encounters WHERE visit_id = ANY($1::text[])", ids
            )
            == VISITS_IN_RUN
        )
        # coded by the engine, or handed to a person: each visit on one of the coder's two topics
        # (a batch is committed before its events are published: the topics may trail the table)
        on_topics: dict[str, set[str]] = {}

        async def all_on_topics() -> bool:
            for topic in outputs:
                on_topics[topic] = {v for v in visit_ids_of(await read_since(topic, before[topic])) if v in set(ids)}
            return on_topics[CODED_ENCOUNTERS] | on_topics[CODING_REVIEW] == set(ids)

        assert await wait_for(all_on_topics, timeout=60, every=2), "a visit left no coder event"
        assert not on_topics[CODED_ENCOUNTERS] & on_topics[CODING_REVIEW], "a visit was both coded and sent to review"
    finally:
        if worker.poll() is None:
            worker.kill()
        log.close()
