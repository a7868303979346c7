"""The biller rides out a Postgres outage: same process, and what arrived meanwhile is billed
once the database is back (issue 14). It stops the test database, so it runs only when asked:
RCM_FAULT_TESTS=1 (other services must survive the outage too for the tests after it)."""

from __future__ import annotations

import asyncio
import os
import subprocess
from pathlib import Path

import pytest

from shared import db, kafka
from shared.schemas import CODED_ENCOUNTERS
from tests.helpers import wait_for
from tests.unit.test_biller_handlers import coded

ROOT = Path(__file__).resolve().parents[2]
RUN_DIR = Path(os.environ.get("RCM_RUN_DIR", ROOT / ".run"))

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.environ.get("RCM_FAULT_TESTS") != "1", reason="stops Postgres: set RCM_FAULT_TESTS=1"),
]


def infra(action: str) -> None:
    subprocess.run([str(ROOT / "deploy/local/infra.sh"), action, "postgres"], check=True, timeout=120)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/status").read_text().find("State:\tZ") < 0  # a zombie is dead


async def test_a_postgres_outage_leaves_the_biller_running_and_billing(run_token: str) -> None:
    pid = int((RUN_DIR / "pids/svc-biller.pid").read_text())
    encounters = [coded(f"V-OUT-{run_token}-{i}") for i in range(3)]
    infra("stop")
    try:
        producer = kafka.make_producer()
        await producer.start()
        try:
            for event in encounters:
                await producer.send_and_wait(CODED_ENCOUNTERS, kafka.encode(event), key=event.key)
        finally:
            await producer.stop()
        await asyncio.sleep(12)  # longer than the outage that used to stop a service
        assert alive(pid), "the biller died while Postgres was away"
    finally:
        infra("start")
    conn = await db.connect()
    try:

        async def billed() -> bool:
            found = await conn.fetchval(
                "SELECT count(*) FROM biller.encounters WHERE visit_id = ANY($1::text[])",
                [e.visit_id for e in encounters],
            )
            return int(found) == len(encounters)

        assert await wait_for(billed, timeout=120, every=1.0)
    finally:
        await conn.close()
    assert alive(pid), "the biller was restarted, not recovered"
