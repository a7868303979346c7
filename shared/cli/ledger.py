"""Read-only queries over the services' tables, for `rcm status` and the waits of publish/bench."""

from __future__ import annotations

import asyncpg

STATUS_SQL = """
WITH enc AS (SELECT outcome FROM coder.encounters WHERE visit_id LIKE ANY($1::text[])),
     bil AS (SELECT outcome FROM biller.encounters WHERE visit_id LIKE ANY($1::text[])),
     clm AS (SELECT * FROM biller.claims WHERE visit_id LIKE ANY($1::text[]))
SELECT
  (SELECT count(*) FROM enc)                                   AS visits,
  (SELECT count(*) FROM enc WHERE outcome = 'coded')           AS coded,
  (SELECT count(*) FROM enc WHERE outcome = 'review')          AS review,
  (SELECT count(*) FROM bil WHERE outcome = 'self_pay')        AS self_pay,
  (SELECT count(*) FROM bil WHERE outcome = 'not_billable')    AS not_billable,
  (SELECT count(*) FROM clm)                                   AS claims,
  (SELECT count(*) FROM clm WHERE status = 'submitted')        AS submitted,
  (SELECT count(*) FROM clm WHERE status IN ('paid', 'partially_paid', 'denied')) AS remitted,
  (SELECT count(*) FROM clm WHERE status = 'paid')             AS paid,
  (SELECT count(*) FROM clm WHERE status = 'partially_paid')   AS partially_paid,
  (SELECT count(*) FROM clm WHERE status = 'denied')           AS denied,
  (SELECT count(*) FROM clm WHERE status = 'rejected')         AS rejected,
  (SELECT coalesce(sum(total_charge_cents), 0) FROM clm)            AS billed_cents,
  (SELECT coalesce(sum(allowed_cents), 0) FROM clm)                 AS allowed_cents,
  (SELECT coalesce(sum(paid_cents), 0) FROM clm)                    AS paid_cents,
  (SELECT coalesce(sum(patient_responsibility_cents), 0) FROM clm)  AS patient_cents,
  (SELECT coalesce(sum(adjustment_cents), 0) FROM clm)              AS adjustment_cents,
  (SELECT count(*) FROM biller.remittance_exceptions r
     JOIN biller.claims c ON c.claim_id = r.patient_control_number
     WHERE c.visit_id LIKE ANY($1::text[]))                   AS remittance_exceptions
"""

# A visit is finished when it went to review, was not billable or self-pay, or all its claims were remitted.
FINISHED_SQL = """
SELECT
  (SELECT count(*) FROM coder.encounters WHERE visit_id LIKE ANY($1::text[]) AND outcome = 'review')
  + (SELECT count(*) FROM biller.encounters e
     WHERE e.visit_id LIKE ANY($1::text[])
       AND (e.outcome <> 'claimed' OR NOT EXISTS
            (SELECT 1 FROM biller.claims c WHERE c.visit_id = e.visit_id AND c.status = 'submitted')))
"""

LATENCY_SQL = """
SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY s) AS p50,
       percentile_cont(0.99) WITHIN GROUP (ORDER BY s) AS p99,
       max(s) AS max, count(*) AS n
FROM (SELECT extract(epoch FROM (p.posted_at - c.received_at)) AS s
      FROM biller.postings p JOIN biller.claims c USING (claim_id) WHERE c.visit_id LIKE ANY($1::text[])) t
"""


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def prefixed(prefix: str | None) -> list[str]:
    """Scope: visits whose id starts with prefix (all visits when None)."""
    return [_escape(prefix or "") + "%"]


def exactly(visit_ids: list[str]) -> list[str]:
    """Scope: exactly these visits."""
    return [_escape(v) for v in visit_ids]


async def status(conn: asyncpg.Connection, scope: list[str]) -> dict[str, int]:
    row = await conn.fetchrow(STATUS_SQL, scope)
    return {k: int(v) for k, v in row.items()}


async def finished(conn: asyncpg.Connection, scope: list[str]) -> int:
    return int(await conn.fetchval(FINISHED_SQL, scope))


async def latency(conn: asyncpg.Connection, scope: list[str]) -> dict[str, float]:
    row = await conn.fetchrow(LATENCY_SQL, scope)
    return {k: float(v or 0) for k, v in row.items()}
