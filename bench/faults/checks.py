"""What a fault run is judged by: visits lost, visits published twice, claims submitted twice,
remittances posted twice, dead letters, and whether the ledger rebuilds from the topics."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from shared import db
from shared.pipeline import topics as pipeline_topics
from shared.schemas import CLAIMS, VISITS
from shared.topic_reader import end_offsets, read_after


async def offsets(topics: list[str]) -> dict[str, dict[int, int]]:
    """Current end offset of each partition of each topic."""
    return {topic: await end_offsets(topic) for topic in topics}


def dlq_topics() -> list[str]:
    return [t for t in pipeline_topics() if t.endswith(".dlq")]


async def read_values(topic: str, since: dict[int, int]) -> list[dict[str, object]]:
    """Every event written to `topic` after `since`, decoded as JSON objects."""
    return [event for r in await read_after(topic, since) if (event := r.event()) is not None]


@dataclass
class Verdict:
    finished: int
    lost: int
    published_twice: int
    duplicate_claims: int
    duplicate_postings: int
    dead_letters: int
    rebuild_clean: bool


# Visits that came out the other end: sent to coding review, or billed and no claim of theirs
# still waiting for its remittance (or not billed: self-pay, rejected, not billable). The same
# reading as `rcm status`, on the services' own tables, so the harness needs no service code.
FINISHED_SQL = """
SELECT
  (SELECT count(*) FROM coder.encounters WHERE visit_id LIKE $1 AND outcome = 'review')
  + (SELECT count(*) FROM biller.encounters e
     WHERE e.visit_id LIKE $1
       AND (e.outcome <> 'claimed' OR NOT EXISTS
            (SELECT 1 FROM biller.claims c WHERE c.visit_id = e.visit_id AND c.status = 'submitted')))
"""


async def count_finished(prefix: str) -> int:
    conn = await db.connect()
    try:
        return int(await conn.fetchval(FINISHED_SQL, prefix + "%"))
    finally:
        await conn.close()


async def judge(token: str, total: int, start: dict[str, dict[int, int]]) -> Verdict:
    prefix = f"V-{token}-"
    done = await count_finished(prefix)
    visits = Counter(str(v.get("visit_id")) for v in await read_values(VISITS, start[VISITS]))
    twice = sum(n - 1 for vid, n in visits.items() if vid.startswith(prefix) and n > 1)
    # a claim is submitted twice when its original (frequency 1) went out under two event ids;
    # the same event id again is a redelivery the payer already ignores
    originals: dict[str, set[str]] = {}
    for c in await read_values(CLAIMS, start[CLAIMS]):
        if str(c.get("visit_id", "")).startswith(prefix) and c.get("frequency_code", "1") == "1":
            originals.setdefault(str(c["claim_id"]), set()).add(str(c["event_id"]))
    duplicate_claims = sum(len(ids) - 1 for ids in originals.values())
    conn = await db.connect()
    try:
        # two postings answering the same claim submission
        duplicate_postings = await conn.fetchval(
            """SELECT count(*) - count(DISTINCT p.remittance->>'claim_event_id')
               FROM biller.postings p JOIN biller.claims c USING (claim_id) WHERE c.visit_id LIKE $1""",
            prefix + "%",
        )
    finally:
        await conn.close()
    now = await offsets(dlq_topics())
    dead = sum(now[t][p] - start[t].get(p, 0) for t in now for p in now[t])
    return Verdict(done, total - done, twice, duplicate_claims, int(duplicate_postings), dead, rebuild_clean())


def rebuild_clean() -> bool:
    """`rcm rebuild --verify` exits 0 when the ledger rebuilt from the topics equals the live one."""
    rcm = Path(sys.executable).parent / "rcm"
    return subprocess.run([str(rcm), "rebuild", "--verify"], capture_output=True, timeout=900).returncode == 0
