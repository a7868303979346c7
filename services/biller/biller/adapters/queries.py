"""Read-only SQL on the biller's tables, for its commands (`rcm claims`, `rcm denials`,
`rcm statements`), its lines of `rcm status`, its part of `rcm audit visit`, and the latency
figure of `rcm bench e2e`. Scope: SQL LIKE patterns on visit_id (shared.plugins.prefixed)."""

from __future__ import annotations

from typing import Any

import asyncpg

STATUS_SQL = """
WITH bil AS (SELECT outcome FROM biller.encounters WHERE visit_id LIKE ANY($1::text[])),
     clm AS (SELECT * FROM biller.claims WHERE visit_id LIKE ANY($1::text[])),
     -- the charges are billed once per visit: secondary and tertiary claims re-bill the primary's
     pri AS (SELECT * FROM clm WHERE coalesce(claim->>'payer_sequence', 'P') = 'P')
SELECT
  (SELECT count(*) FROM bil WHERE outcome = 'self_pay')        AS self_pay,
  (SELECT count(*) FROM bil WHERE outcome = 'not_billable')    AS not_billable,
  (SELECT count(*) FROM bil WHERE outcome = 'ineligible')      AS ineligible,
  (SELECT count(*) FROM clm)                                   AS claims,
  (SELECT count(*) FROM clm WHERE status = 'submitted')        AS submitted,
  (SELECT count(*) FROM clm WHERE status IN ('paid', 'partially_paid', 'denied', 'written_off')) AS remitted,
  (SELECT count(*) FROM clm WHERE status = 'paid')             AS paid,
  (SELECT count(*) FROM clm WHERE status = 'partially_paid')   AS partially_paid,
  (SELECT count(*) FROM clm WHERE status = 'denied')           AS denied,
  (SELECT count(*) FROM clm WHERE status = 'written_off')      AS written_off,
  (SELECT count(*) FROM clm WHERE status = 'rejected')         AS rejected,
  (SELECT count(*) FROM clm WHERE status = 'front_end_rejected') AS front_end_rejected,
  (SELECT count(*) FROM clm c WHERE c.status = 'submitted' AND (SELECT a.category FROM biller.claim_status_answers a
     WHERE a.claim_id = c.claim_id ORDER BY a.id DESC LIMIT 1) LIKE 'P%') AS pending_status,
  (SELECT count(*) FROM biller.remittance_exceptions r
     JOIN biller.claims c ON c.claim_id = r.patient_control_number
     WHERE c.visit_id LIKE ANY($1::text[]))                   AS remittance_exceptions,
  (SELECT count(*) FROM clm WHERE claim->>'payer_sequence' = 'S') AS secondary_claims,
  (SELECT count(*) FROM clm WHERE claim->>'payer_sequence' = 'T') AS tertiary_claims,
  (SELECT coalesce(sum(total_charge_cents), 0) FROM pri)            AS billed_cents,
  (SELECT coalesce(sum(allowed_cents), 0) FROM pri)                 AS allowed_cents,
  (SELECT coalesce(sum(paid_cents), 0) FROM clm)                    AS paid_cents,
  (SELECT coalesce(sum(paid_cents), 0) FROM clm WHERE claim->>'payer_sequence' IN ('S', 'T')) AS cob_paid_cents,
  -- what every payer left the patient: the ledger (a later payer's answer restates the earlier's)
  (SELECT coalesce(sum(amount_cents), 0) FROM biller.patient_ledger
     WHERE kind <> 'self_pay' AND visit_id LIKE ANY($1::text[]))   AS patient_cents,
  (SELECT coalesce(sum(adjustment_cents), 0) FROM pri)              AS adjustment_cents,
  -- visits the biller is done with: not billed (self-pay, not billable), or no claim still awaiting an answer
  (SELECT count(*) FROM biller.encounters e WHERE e.visit_id LIKE ANY($1::text[])
     AND (e.outcome <> 'claimed' OR NOT EXISTS
          (SELECT 1 FROM biller.claims c WHERE c.visit_id = e.visit_id AND c.status = 'submitted'))) AS done
"""

LATENCY_SQL = """
SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY s) AS p50,
       percentile_cont(0.95) WITHIN GROUP (ORDER BY s) AS p95,
       percentile_cont(0.99) WITHIN GROUP (ORDER BY s) AS p99,
       max(s) AS max, count(*) AS n
FROM (SELECT extract(epoch FROM (p.posted_at - c.received_at)) AS s
      FROM biller.postings p JOIN biller.claims c USING (claim_id) WHERE c.visit_id LIKE ANY($1::text[])) t
"""

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

STORY_SQL = {
    "claims": """SELECT claim_id, payer_id, status, frequency_code, total_charge_cents, paid_cents,
                        patient_responsibility_cents, adjustment_cents, payer_claim_control_number, scrub_errors
                 FROM biller.claims WHERE visit_id = $1 ORDER BY claim_id""",
    "history": """SELECT h.claim_id, h.status, h.reason, h.changed_at FROM biller.claim_status_history h
                  JOIN biller.claims c USING (claim_id) WHERE c.visit_id = $1 ORDER BY h.id""",
    "postings": """SELECT p.claim_id, p.claim_status_code, p.paid_cents, p.patient_responsibility_cents,
                          p.adjustment_cents, p.posted_at FROM biller.postings p
                   JOIN biller.claims c USING (claim_id) WHERE c.visit_id = $1 ORDER BY p.posted_at""",
}


async def rows(conn: asyncpg.Connection, sql: str, *args: object) -> list[dict[str, Any]]:
    return [dict(r) for r in await conn.fetch(sql, *args)]


async def status(conn: asyncpg.Connection, scope: list[str]) -> dict[str, int]:
    row = await conn.fetchrow(STATUS_SQL, scope)
    return {k: int(v) for k, v in row.items()}


async def latency(conn: asyncpg.Connection, scope: list[str]) -> dict[str, float]:
    """Seconds from a visit entering the pipeline to each remittance posted: p50, p95, p99, max, n."""
    row = await conn.fetchrow(LATENCY_SQL, scope)
    return {k: float(v or 0) for k, v in row.items()}


async def visit_story(conn: asyncpg.Connection, visit_id: str) -> dict[str, list[dict[str, Any]]]:
    """A visit's claims, their status history and postings, as `rcm audit visit` prints them."""
    return {part: await rows(conn, sql, visit_id) for part, sql in STORY_SQL.items()}
