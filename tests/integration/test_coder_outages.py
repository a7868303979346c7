"""Issue 14: the coder rides out a Postgres outage by itself. While the database is away its
timers keep running (one log line when the outage begins, one when it ends), its review views
answer 503, and a visit published during or after the outage is coded once it is back."""

from __future__ import annotations

import asyncio
import os
import subprocess
import time
from pathlib import Path

from bench.synthetic import VisitFactory
from shared import db, kafka
from shared.schemas import VISITS, Producer, VisitReceived
from shared.schemas.common import utcnow
from shared.settings import get_settings
from tests.helpers import CODER, service_url, wait_for, web

ROOT = Path(__file__).resolve().parents[2]
RUN_DIR = Path(os.environ.get("RCM_RUN_DIR", ROOT / ".run"))
INFRA = ROOT / "deploy" / "local" / "infra.sh"
OUTAGE_SECONDS = 12


def coder_url(path: str) -> str:
    s = get_settings()
    return service_url(s.coder_port, path)


def coder_pid() -> int:
    return int((RUN_DIR / "pids" / "svc-coder-0.pid").read_text())


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as fh:  # a zombie answers kill -0 but is dead
        return fh.read().split(") ", 1)[1][0] != "Z"


async def publish(received: VisitReceived) -> None:
    producer = kafka.make_producer()
    await producer.start()
    try:
        await producer.send_and_wait(VISITS, kafka.encode(received), key=received.key)
    finally:
        await producer.stop()


async def coded(visit_id: str) -> bool:
    try:
        conn = await db.connect()
    except OSError:
        return False
    try:
        return bool(await conn.fetchval("SELECT 1 FROM coder.encounters WHERE visit_id = $1", visit_id))
    finally:
        await conn.close()


async def test_the_coder_survives_a_postgres_outage_and_resumes_by_itself(factory: VisitFactory) -> None:
    pid = coder_pid()
    assert alive(pid)
    log = RUN_DIR / "logs" / "coder-0.log"
    log_start = log.stat().st_size
    during, after = (VisitReceived.of(v, utcnow(), Producer(service="test")) for v in factory.visits(2))

    CODER.token()  # the person logs in while the identity store is there (the coder checks it again in the outage)
    subprocess.run(["bash", str(INFRA), "stop", "postgres"], check=True, capture_output=True)
    try:
        started = time.monotonic()
        await publish(during)  # Kafka is up: the coder takes the visit and waits for the database
        away = web().get(auth=CODER, url=coder_url("/review?limit=5"), timeout=10)
        assert away.status_code == 503 and away.json()["errors"] and away.headers.get("Retry-After")
        refused = web().post(auth=CODER, url=coder_url(f"/review/{during.visit_id}"), timeout=10,
                             content=b'{"coder": "x", '
                             b'"diagnoses": ["I10"], "service_lines": [{"procedure_code": "99213", '
                             b'"diagnosis_pointers": [1]}]}')  # fmt: skip
        assert refused.status_code == 503
        await asyncio.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - started)))
        assert alive(pid), "the coder died while Postgres was away"
    finally:
        subprocess.run(["bash", str(INFRA), "start", "postgres"], check=True, capture_output=True)

    await publish(after)
    assert await wait_for(lambda: coded(during.visit_id), timeout=90, every=1), "the visit of the outage was lost"
    assert await wait_for(lambda: coded(after.visit_id), timeout=60, every=1), "the coder did not resume"
    assert alive(pid) and coder_pid() == pid  # the same process: nobody restarted it
    assert web().get(auth=CODER, url=coder_url("/review?limit=5"), timeout=10).status_code == 200

    await asyncio.sleep(11)  # the review-queue timer's next tick reports its recovery
    lines = log.read_bytes()[log_start:].decode(errors="replace").splitlines()
    quiet = [ln for ln in lines if "retrying quietly" in ln or "recovered after" in ln]
    assert any("measure_review_queue" in ln and "retrying quietly" in ln for ln in quiet), quiet
    assert any("measure_review_queue" in ln and "recovered after" in ln for ln in quiet), quiet
    # one line when an outage begins and one when it ends, per task: not one per attempt
    assert len(quiet) <= 10, quiet
    assert during.visit.patient.last_name not in "\n".join(lines)
