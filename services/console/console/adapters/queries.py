"""The read side: what the pages and `rcm kpis` ask of the console's own tables."""

from __future__ import annotations

from datetime import date
from typing import Any

import asyncpg

from console.domain.kpis import ClaimFact, EncounterFact

CLAIM_FACTS = """
WITH first AS (
    SELECT DISTINCT ON (claim_id) claim_id, adjudicated_on, denied, denial_carcs, status
    FROM console.remittances WHERE frequency_code = '1' ORDER BY claim_id, occurred_at
), total AS (
    SELECT claim_id, sum(paid_cents)::bigint AS paid, sum(contractual_cents)::bigint AS contractual,
           sum(patient_cents)::bigint AS patient
    FROM console.remittances GROUP BY claim_id
), worked AS (
    SELECT claim_id, sum(written_off_cents)::bigint AS written_off FROM console.denial_work GROUP BY claim_id
)
SELECT c.claim_id, c.payer_id, c.provider_npi, c.service_date, c.submitted_at::date AS submitted_on,
       c.total_charge_cents, c.resubmitted, coalesce(e.coded_by = 'person', false) AS touched,
       f.adjudicated_on, coalesce(f.denied, false) AS denied, coalesce(f.denial_carcs, '{}') AS carcs, f.status,
       coalesce(t.paid, 0) AS paid, coalesce(t.contractual, 0) AS contractual, coalesce(t.patient, 0) AS patient,
       coalesce(w.written_off, 0) AS written_off
FROM console.claims c
LEFT JOIN console.encounters e USING (visit_id)
LEFT JOIN first f USING (claim_id)
LEFT JOIN total t USING (claim_id)
LEFT JOIN worked w USING (claim_id)
WHERE c.submitted_at::date BETWEEN $1 AND $2
"""


async def claim_facts(conn: asyncpg.Connection, since: date, until: date) -> list[ClaimFact]:
    return [
        ClaimFact(
            claim_id=r["claim_id"],
            payer_id=r["payer_id"],
            provider=r["provider_npi"],
            service_date=r["service_date"],
            submitted_on=r["submitted_on"],
            charge_cents=r["total_charge_cents"],
            touched=r["touched"],
            first_denied=r["denied"],
            first_carcs=tuple(r["carcs"]),
            adjudicated_on=r["adjudicated_on"],
            paid_cents=r["paid"],
            contractual_cents=r["contractual"],
            patient_cents=r["patient"],
            written_off_cents=r["written_off"],
            resubmitted=r["resubmitted"],
            paid_on_first_pass=r["status"] == "paid" and not r["denied"] and not r["resubmitted"],
        )
        for r in await conn.fetch(CLAIM_FACTS, since, until)
    ]


async def encounter_facts(conn: asyncpg.Connection, since: date, until: date) -> list[EncounterFact]:
    rows = await conn.fetch(
        """SELECT visit_id, provider_npi, payer_id, coded_by, review_requested_at, coded_at FROM console.encounters
           WHERE received_at::date BETWEEN $1 AND $2""",
        since,
        until,
    )
    return [
        EncounterFact(
            r["visit_id"],
            r["provider_npi"],
            r["payer_id"],
            r["coded_by"] or "",
            r["review_requested_at"],
            r["coded_at"],
        )
        for r in rows
    ]


async def review_queue(conn: asyncpg.Connection, limit: int = 200) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        """SELECT visit_id, requested_at, reasons, visit FROM console.review_queue WHERE closed_at IS NULL
           ORDER BY requested_at, visit_id LIMIT $1""",
        limit,
    )
    return [dict(r) for r in rows]


async def review_item(conn: asyncpg.Connection, visit_id: str) -> dict[str, Any] | None:
    row = await conn.fetchrow("SELECT * FROM console.review_queue WHERE visit_id = $1", visit_id)
    return dict(row) if row else None


async def next_review(conn: asyncpg.Connection, after: str) -> str | None:
    value: str | None = await conn.fetchval(
        """SELECT visit_id FROM console.review_queue WHERE closed_at IS NULL AND visit_id <> $1
           ORDER BY requested_at, visit_id LIMIT 1""",
        after,
    )
    return value


# The open denials: those of each claim's latest answer, unless a replacement was sent or the
# denial written off since; a denial under appeal stays, marked.
DENIALS = """
WITH latest AS (
    SELECT DISTINCT ON (claim_id) claim_id, event_id, occurred_at FROM console.remittances
    WHERE claim_status_code <> '22' ORDER BY claim_id, occurred_at DESC
)
SELECT a.claim_id, a.carc, a.rarc, a.grp, sum(a.amount_cents)::bigint AS amount_cents,
       min(a.adjudicated_on) AS denied_on,
       c.payer_id, c.patient_name, c.service_date, c.visit_id,
       bool_or(EXISTS (SELECT 1 FROM console.denial_work w WHERE w.claim_id = a.claim_id AND w.action = 'appeal'
                       AND w.at >= l.occurred_at)) AS appealed
FROM latest l JOIN console.adjustments a ON a.event_id = l.event_id JOIN console.claims c ON c.claim_id = a.claim_id
WHERE a.denial
  AND NOT EXISTS (SELECT 1 FROM console.claim_history h
                  WHERE h.claim_id = a.claim_id AND h.status = 'resubmitted' AND h.at > l.occurred_at)
  AND NOT EXISTS (SELECT 1 FROM console.denial_work w
                  WHERE w.claim_id = a.claim_id AND w.action IN ('write_off', 'correct') AND w.at >= l.occurred_at)
  AND ($1::text IS NULL OR a.carc = $1) AND ($2::text IS NULL OR c.payer_id = $2)
  AND ($3::text IS NULL OR a.claim_id = $3)
GROUP BY a.claim_id, a.carc, a.rarc, a.grp, c.payer_id, c.patient_name, c.service_date, c.visit_id
"""
DENIAL_ORDER = {"age": "denied_on", "amount": "amount_cents DESC", "carc": "carc", "payer": "payer_id"}


async def denials(
    conn: asyncpg.Connection, carc: str | None, payer: str | None, order: str, limit: int = 500
) -> list[dict[str, Any]]:
    sort = DENIAL_ORDER.get(order, "denied_on")  # a fixed text from the table, never the request's
    rows = await conn.fetch(f"{DENIALS} ORDER BY {sort}, claim_id LIMIT {int(limit)}", carc, payer, None)
    return [dict(r) for r in rows]


async def claim(conn: asyncpg.Connection, claim_id: str) -> dict[str, Any] | None:
    row = await conn.fetchrow("SELECT * FROM console.claims WHERE claim_id = $1", claim_id)
    if row is None:
        return None
    lines = await conn.fetch("SELECT * FROM console.claim_lines WHERE claim_id = $1 ORDER BY line_number", claim_id)
    adjustments = await conn.fetch(
        "SELECT * FROM console.adjustments WHERE claim_id = $1 ORDER BY adjudicated_on, event_id, n", claim_id
    )
    history = await conn.fetch("SELECT * FROM console.claim_history WHERE claim_id = $1 ORDER BY at", claim_id)
    remits = await conn.fetch("SELECT * FROM console.remittances WHERE claim_id = $1 ORDER BY occurred_at", claim_id)
    open_denials = await conn.fetch(f"{DENIALS} ORDER BY carc", None, None, claim_id)
    encounter = await conn.fetchrow("SELECT * FROM console.encounters WHERE visit_id = $1", row["visit_id"])
    return {"claim": dict(row), "lines": [dict(r) for r in lines], "adjustments": [dict(r) for r in adjustments],
            "history": [dict(r) for r in history], "remittances": [dict(r) for r in remits],
            "open_denials": [dict(r) for r in open_denials],
            "story": visit_story(dict(encounter) if encounter else None, [dict(r) for r in history])}  # fmt: skip


def visit_story(encounter: dict[str, Any] | None, claim_history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The visit's way through the pipeline as the console read it, oldest first: received,
    sent to a person, coded (by whom), then the claim's history (submissions, answers, work)."""
    steps: list[dict[str, Any]] = []
    if encounter is not None:
        steps.append({"at": encounter["received_at"], "step": "visit received", "detail": "visits"})
        if encounter["review_requested_at"]:
            steps.append(
                {"at": encounter["review_requested_at"], "step": "sent to a person", "detail": "coding-review"}
            )
        if encounter["coded_at"]:
            steps.append({"at": encounter["coded_at"], "step": f"coded by {encounter['coded_by']}",
                          "detail": f"coded-encounters, coder {encounter['coder_version']}"})  # fmt: skip
    steps += [{"at": h["at"], "step": h["status"], "detail": h["detail"]} for h in claim_history]
    return sorted(steps, key=lambda s: s["at"])


async def search(conn: asyncpg.Connection, text: str, status: str | None, limit: int = 200) -> list[dict[str, Any]]:
    """Claims (and visits not yet billed) whose visit, patient, claim id, payer or patient name
    matches; newest first."""
    like = f"%{text.strip()}%"
    rows = await conn.fetch(
        """SELECT e.visit_id, e.patient_id, e.patient_name, e.payer_id, e.service_date, c.claim_id,
                  c.total_charge_cents,
                  coalesce((SELECT r.status FROM console.remittances r WHERE r.claim_id = c.claim_id
                            ORDER BY r.occurred_at DESC LIMIT 1),
                           CASE WHEN c.claim_id IS NOT NULL THEN 'submitted'
                                WHEN e.coded_at IS NOT NULL THEN 'coded' ELSE 'in review' END) AS status
           FROM console.encounters e LEFT JOIN console.claims c USING (visit_id)
           WHERE (e.visit_id ILIKE $1 OR e.patient_id ILIKE $1 OR e.patient_name ILIKE $1
                  OR coalesce(c.claim_id, '') ILIKE $1 OR e.payer_id ILIKE $1)
           ORDER BY e.received_at DESC, e.visit_id LIMIT $2""",
        like,
        limit,
    )
    out = [dict(r) for r in rows]
    return [r for r in out if status is None or r["status"] == status]


async def balances(conn: asyncpg.Connection, patient_id: str | None = None) -> list[dict[str, Any]]:
    """Each patient's share (PR) per claim, as the payers' answers assign it."""
    rows = await conn.fetch(
        """SELECT c.patient_id, c.patient_name, c.claim_id, c.service_date, c.payer_id, c.total_charge_cents,
                  sum(r.paid_cents)::bigint AS paid_cents, sum(r.patient_cents)::bigint AS patient_cents
           FROM console.claims c JOIN console.remittances r USING (claim_id)
           WHERE $1::text IS NULL OR c.patient_id = $1
           GROUP BY c.patient_id, c.patient_name, c.claim_id, c.service_date, c.payer_id, c.total_charge_cents
           HAVING sum(r.patient_cents) > 0
           ORDER BY c.patient_name, c.patient_id, c.service_date""",
        patient_id,
    )
    return [dict(r) for r in rows]


async def dead_letter_counts(conn: asyncpg.Connection) -> list[dict[str, Any]]:
    rows = await conn.fetch("SELECT topic, count(*) AS n FROM console.dead_letters GROUP BY topic ORDER BY topic")
    return [dict(r) for r in rows]
