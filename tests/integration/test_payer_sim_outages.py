"""The payer-sim rides out a Postgres or a Kafka outage by itself (issue 14): the same process is
still running afterwards, its web port answers, and claims published during and after the outage
are adjudicated once the dependency is back, with no one restarting anything. A broker outage
leaves a few log lines, not thousands."""

from __future__ import annotations

import asyncio
import os
import subprocess
import time
from pathlib import Path

import orjson
import pytest

from bench.synthetic import VisitFactory, synthetic_claims
from shared import db, kafka
from shared.schemas import CLAIMS, ClaimSubmitted
from shared.settings import get_settings
from tests.helpers import async_web, service_url, wait_for
from tests.integration.test_intake_http import post

ROOT = Path(__file__).resolve().parents[2]
OUTAGE_SECONDS = 12


def run_dir() -> Path:
    return Path(os.environ.get("RCM_RUN_DIR", ROOT / ".run"))


def service_pid(name: str) -> int:
    """Worker 0 of a stage (services.sh names every worker of a stage that scales out)."""
    return int((run_dir() / "pids" / f"svc-{name}-0.pid").read_text())


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}").exists() and "zombie" not in Path(f"/proc/{pid}/status").read_text()


def infra(action: str, part: str) -> None:
    subprocess.run([str(ROOT / "deploy/local/infra.sh"), action, part], check=True, timeout=180)


def log_lines(name: str) -> int:
    """Lines in worker 0's log (services.sh names every worker of a stage that scales out)."""
    with (run_dir() / "logs" / f"{name}-0.log").open("rb") as fh:
        return sum(1 for _ in fh)


async def still_serving(pid: int) -> None:
    """The same process, nobody restarted it, and its web port answers."""
    assert service_pid("payer-sim") == pid and alive(pid)
    s = get_settings()
    async with async_web() as client:
        assert (await client.get(service_url(s.payer_sim_port, "/metrics"))).status_code == 200


async def hand_over_a_working_pipeline(factory: VisitFactory) -> None:
    """Restart every service and wait until a visit travels from intake to posting: the tests
    after this one need a whole pipeline, and a faust worker that starts while the broker is
    away subscribes to nothing (seen with a coder restarted just before the Kafka outage). The
    payer-sim's own survival is asserted before this."""
    for action in ("stop", "start"):
        subprocess.run([str(ROOT / "deploy/local/services.sh"), action], check=True, timeout=240)
    visit = orjson.loads(factory.visit(99).model_dump_json())
    visit.update(visit_type="office", patient_status="established", total_minutes=25, mdm=None,
                 diagnoses=[{"code": "I10"}], procedures=[{"code": "36415"}])  # fmt: skip
    assert post(orjson.dumps(visit)).status_code == 202

    async def posted() -> bool:
        conn = await db.connect()
        try:
            return bool(
                await conn.fetchval(
                    """SELECT count(*) FROM biller.postings p JOIN biller.claims c USING (claim_id)
                       WHERE c.visit_id = $1""",
                    visit["visit_id"],
                )
            )
        finally:
            await conn.close()

    assert await wait_for(posted, timeout=120), "the pipeline did not come back after the outage"


async def publish(claims: list[ClaimSubmitted]) -> None:
    producer = kafka.make_producer()
    await producer.start()
    try:
        for claim in claims:
            await producer.send_and_wait(CLAIMS, kafka.encode(claim), key=claim.key)
    finally:
        await producer.stop()


async def answered(event_ids: list[object]) -> bool:
    try:
        conn = await db.connect()
    except OSError:
        return False
    try:
        n = await conn.fetchval(
            "SELECT count(DISTINCT claim_event_id) FROM payer_sim.remittances WHERE claim_event_id = ANY($1::uuid[])",
            event_ids,
        )
        return bool(n == len(event_ids))
    finally:
        await conn.close()


@pytest.mark.slow
async def test_claims_are_adjudicated_after_a_postgres_outage_without_a_restart(factory: VisitFactory) -> None:
    claims = synthetic_claims(factory.visits(6))
    assert len(claims) >= 2
    during, after = claims[: len(claims) // 2], claims[len(claims) // 2 :]
    pid = service_pid("payer-sim")
    assert alive(pid)

    infra("stop", "postgres")
    try:
        stopped = time.monotonic()
        await publish(during)  # waits on the topic while the payer cannot reach its database
        await asyncio.sleep(max(OUTAGE_SECONDS - (time.monotonic() - stopped), 0))
        assert alive(pid), "payer-sim died during the Postgres outage"
    finally:
        infra("start", "postgres")
    await publish(after)

    assert await wait_for(lambda: answered([c.event_id for c in claims]), timeout=90)
    await still_serving(pid)
    await hand_over_a_working_pipeline(factory)


@pytest.mark.slow
async def test_claims_are_adjudicated_after_a_kafka_outage_and_the_outage_is_quiet(factory: VisitFactory) -> None:
    claims = synthetic_claims(factory.visits(4))
    pid = service_pid("payer-sim")
    assert alive(pid)
    lines_before = log_lines("payer-sim")

    infra("stop", "kafka")
    try:
        await asyncio.sleep(OUTAGE_SECONDS)
        assert alive(pid), "payer-sim died during the Kafka outage"
    finally:
        infra("start", "kafka")
    await publish(claims)

    assert await wait_for(lambda: answered([c.event_id for c in claims]), timeout=120)
    await still_serving(pid)
    # without the outage filter the Kafka client wrote ~300 lines a second here
    assert log_lines("payer-sim") - lines_before < 150
    await hand_over_a_working_pipeline(factory)
