"""One row of the fault matrix: visits at a rate, the fault when about a third are remitted, the
wait for the rest, then the verdict (bench/faults/checks.py) and the recovery seconds."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from dataclasses import asdict, dataclass
from datetime import date

from bench.faults import checks, load, stack
from bench.faults.faults import Row
from bench.faults.probe import Probe
from bench.synthetic import VisitFactory
from shared.schemas import CLAIMS, VISITS

log = logging.getLogger(__name__)


@dataclass
class Result:
    row: str
    what: str
    visits: int
    lost: int
    published_twice: int
    duplicate_claims: int
    duplicate_postings: int
    dead_letters: int
    rebuild_clean: bool
    recovery_seconds: float | None
    manual_steps: str
    skipped: str = ""

    @property
    def passed(self) -> bool:
        return not self.skipped and (
            self.lost == 0
            and self.published_twice == 0
            and self.duplicate_claims == 0
            and self.duplicate_postings == 0
            and self.rebuild_clean
            and self.recovery_seconds is not None
            and self.recovery_seconds < 30
            and self.manual_steps == "none"
        )

    def as_dict(self) -> dict[str, object]:
        return {**asdict(self), "passed": self.passed}


async def _finished_or_none(prefix: str) -> int | None:
    try:
        return await asyncio.wait_for(checks.count_finished(prefix), timeout=5)
    except Exception:  # Postgres is away: no count this time
        return None


async def _wait_finished(prefix: str, at_least: int, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    done = 0
    while time.monotonic() < deadline:
        done = await _finished_or_none(prefix) or done
        if done >= at_least:
            break
        await asyncio.sleep(0.5)
    return done


def _restart_the_dead() -> str:
    """Services that are down after the row (nothing brought them back): restarted here so the
    next row has a whole stack, and named as the manual step a person would have had to take."""
    dead = [n for n in stack.service_names() if not stack.alive(stack.pid_of(f"svc-{n}") or 0)]
    if not dead:
        return "none"
    stack.services("start")
    return "restart " + ", ".join(dead)


async def run_row(row: Row, visits: int, rate: float, settle: float = 180) -> Result:
    if row.brokers > len(stack.brokers()):
        return Result(row.name, row.what, 0, 0, 0, 0, 0, 0, True, None, "", skipped=f"needs BROKERS={row.brokers}")
    factory = VisitFactory(seed=secrets.randbits(32), as_of=date.today())
    factory.token = "F" + secrets.token_hex(4).upper()
    batch = list(factory.visits(visits))
    prefix = f"V-{factory.token}-"
    start = await checks.offsets([VISITS, CLAIMS, *checks.dlq_topics()])
    probe = Probe()
    watching = asyncio.create_task(probe.run())
    sent = load.Sent()
    sending = asyncio.create_task((load.to_intake if row.through_intake else load.to_topic)(batch, rate, sent))
    await _wait_finished(prefix, visits // 3, timeout=visits / rate + 60)
    log.info("%s: injecting the fault", row.name)
    fault_failed = ""
    try:
        healed_at = await row.inject()
    except Exception as exc:  # the drill itself broke (a script failed): the row fails, the run goes on
        healed_at = time.monotonic()
        fault_failed = f"the fault step failed ({type(exc).__name__}); "
        log.warning("%s: %s", row.name, fault_failed)
    await sending
    await _wait_finished(prefix, visits, timeout=settle)
    # the last batch's offsets are committed up to a second after its work (make_app): watch on
    # a little, or a group that did finish would look as if it never moved
    await asyncio.sleep(3)
    probe.stop()
    with contextlib.suppress(asyncio.CancelledError):
        await watching
    if row.through_intake:
        answered = [t for t in sent.answered_at if t >= healed_at]
        recovery = round(answered[0] - healed_at, 1) if answered else probe.recovery_seconds(healed_at)
    else:
        recovery = probe.recovery_seconds(healed_at)
    manual = await asyncio.to_thread(_restart_the_dead)
    if fault_failed:
        manual = fault_failed + manual
    verdict = await checks.judge(factory.token, visits, start)
    return Result(
        row.name,
        row.what,
        visits,
        verdict.lost,
        verdict.published_twice,
        verdict.duplicate_claims,
        verdict.duplicate_postings,
        verdict.dead_letters,
        verdict.rebuild_clean,
        recovery,
        manual,
    )
