"""Read-only queries over the services' tables, for `rcm status` and the waits of publish/bench."""

from __future__ import annotations

import asyncpg

STATUS_SQL = """
WITH enc AS (SELECT outcome FROM coder.encounters WHERE visit_id LIKE ANY($1::text[])),
     bil AS (SELECT outcome FROM biller.encounters WHERE visit_id LIKE ANY($1::text[])),
     clm AS (SELECT * FROM biller.claims WHERE visit_id LIKE ANY($1::text[]))
SELECT
  (SELECT count(*) FROM enc)                                   AS visits,
  (SELECT count(*) FROM enc WHERE outcome IN ('coded', 'reviewed')) AS coded,
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


CLAIMS_SQL = """
SELECT c.claim_id, c.visit_id, c.payer_id, c.status, c.frequency_code, c.service_date, c.total_charge_cents,
       c.paid_cents, c.patient_responsibility_cents, c.scrub_errors, c.updated_at
FROM biller.claims c
WHERE ($1::text IS NULL OR c.status = $1) AND ($2::text IS NULL OR c.payer_id = $2)
ORDER BY c.updated_at DESC LIMIT $3
"""

DENIALS_SQL = """
SELECT d.carc, d.group_code, count(*) AS lines, count(DISTINCT d.claim_id) AS claims,
       sum(d.amount_cents) AS amount_cents,
       max(now()::date - c.service_date) AS oldest_days,
       round(avg(now()::date - c.service_date)) AS average_days
FROM biller.denials d JOIN biller.claims c USING (claim_id)
WHERE d.status = 'open'
GROUP BY d.carc, d.group_code
ORDER BY sum(d.amount_cents) DESC
"""

DENIED_CLAIMS_SQL = """
SELECT d.claim_id, c.payer_id, c.service_date, now()::date - c.service_date AS age_days, d.line_control_number,
       d.group_code, d.carc, d.rarc, d.amount_cents
FROM biller.denials d JOIN biller.claims c USING (claim_id)
WHERE d.status = 'open' AND ($1::text IS NULL OR d.carc = $1)
ORDER BY d.amount_cents DESC LIMIT $2
"""

STATEMENT_SQL = """
SELECT l.patient_id, l.visit_id, l.claim_id, l.kind, sum(l.amount_cents) AS amount_cents,
       max(c.total_charge_cents) AS billed_cents, max(c.paid_cents) AS insurance_paid_cents,
       max(c.adjustment_cents) AS adjusted_cents, max(c.payer_id) AS payer_id,
       max(coalesce(c.service_date, (e.received_at)::date)) AS service_date
FROM biller.patient_ledger l
LEFT JOIN biller.claims c ON c.claim_id = l.claim_id
JOIN biller.encounters e ON e.visit_id = l.visit_id
WHERE ($1::text IS NULL OR l.patient_id = $1)
GROUP BY l.patient_id, l.visit_id, l.claim_id, l.kind
HAVING sum(l.amount_cents) <> 0
ORDER BY l.patient_id, l.visit_id, l.kind
"""
