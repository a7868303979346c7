"""Two encounter workers behind one port (`make up ENCOUNTERS=2`: SO_REUSEPORT, shared/faust_web.py):
the kernel hands new connections to both, each worker answers its own metrics on a port of its
own, both relay their outboxes, and every visit is accepted and published once — also a visit
sent many times at once, which lands on both workers."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import asyncpg
import orjson

from bench.synthetic import VisitFactory
from shared.pipeline import stage
from shared.schemas import VISITS
from shared.topic_reader import end_offsets
from tests.helpers import (
    SENDER,
    async_web,
    intake_url,
    read_since,
    service_url,
    stop_process,
    visit_ids_of,
    wait_for,
    web,
)
from tests.integration.test_stage_scaling import metric

REQUESTS = 60  # one visit each, each on a connection of its own


def accepted_by(port: int) -> float:
    return metric(port, "rcm_events_total", service="encounter", topic=VISITS, outcome="accepted")


async def test_two_encounters_share_the_port_and_publish_each_visit_once(
    factory: VisitFactory, conn: asyncpg.Connection, tmp_path: Path
) -> None:
    encounter = stage("encounter")
    first, second = encounter.worker_port(0), encounter.worker_port(1)
    # services.sh starts every encounter worker on the shared port and one of its own
    assert await wait_for(lambda: _answers(first), timeout=10, every=1), "restart the stack: make down; make up"
    env = {**os.environ, "WORKER": "1", "RCM_SHARED_PORT": "1", "WORKER_WEB_PORT": str(second),
           "RCM_DATA_DIR": str(tmp_path / "faust")}  # fmt: skip
    with (tmp_path / "encounter-1.log").open("w") as log:
        worker = subprocess.Popen([sys.executable, "-m", "encounter.entrypoints.app"], env=env, stdout=log,
                                  stderr=subprocess.STDOUT)  # fmt: skip
    try:
        assert await wait_for(lambda: _answers(second), timeout=120, every=1), "the second encounter never answered"
        before = {port: accepted_by(port) for port in (first, second)}
        since = await end_offsets(VISITS)
        visits = [orjson.loads(factory.visit(i).model_dump_json()) for i in range(REQUESTS)]
        again = visits[0]
        answers = []
        for visit in visits:  # a client per request: a new connection, which the kernel places
            async with async_web(timeout=30) as client:
                answers.append(await client.post(auth=SENDER, url=intake_url(), content=orjson.dumps(visit)))
        async with async_web(timeout=30) as a, async_web(timeout=30) as b:  # the same visit on many connections
            repeats = await asyncio.gather(
                *(c.post(auth=SENDER, url=intake_url(), content=orjson.dumps(again)) for c in (a, b) * 4)
            )
        assert [r.status_code for r in (*answers, *repeats)] == [202] * (REQUESTS + 8)
        assert all(r.json()["duplicates"] == [again["visit_id"]] for r in repeats)
        took = {port: accepted_by(port) - before[port] for port in (first, second)}
        assert took[first] > 0 and took[second] > 0, f"one encounter took every connection ({took})"
        assert sum(took.values()) == REQUESTS
        ids = {v["visit_id"] for v in visits}

        async def all_published() -> bool:
            return ids <= set(visit_ids_of(await read_since(VISITS, since)))

        assert await wait_for(all_published, timeout=60, every=1), "a visit was never published"
        await asyncio.sleep(1.5)  # one idle poll of each relay: a second copy would be out by now
        published = Counter(v for v in visit_ids_of(await read_since(VISITS, since)) if v in ids)
        assert set(published.values()) == {1}, "a visit was published twice"
    finally:
        stop_process(worker)


async def _answers(port: int) -> bool:
    try:
        return await asyncio.to_thread(lambda: web().get(service_url(port, "/metrics"), timeout=5).status_code == 200)
    except Exception:
        return False
