"""Postgres: the billing ledger's claims side. Every write is idempotent by a deterministic id,
so redelivered events change nothing; the transaction belongs to the unit of work
(biller.service_layer.unit_of_work), never to the repository."""

from __future__ import annotations

import asyncpg
import orjson

from biller.domain.model import BillingDecision
from shared.schemas import ClaimSubmitted, CodedEncounter


def first_seen(keys: list[str], new: set[str]) -> list[bool]:
    """True where this item is the one that created its row (not a redelivery, not a repeat)."""
    seen: set[str] = set()
    out = []
    for key in keys:
        out.append(key in new and key not in seen)
        seen.add(key)
    return out


def as_json(value: object) -> str:
    return orjson.dumps(value).decode()


class ClaimRepository:
    """Encounters, claims, their lines, status history and submissions, on one connection."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def record_decisions(self, items: list[tuple[CodedEncounter, BillingDecision]]) -> list[list[ClaimSubmitted]]:
        """Store what each encounter became. Returns, per item, the claims to send: the stored ones
        when the encounter had been billed before, so a redelivery re-sends the same claim, never a new one."""
        conn = self._conn
        rows = await conn.fetch(
            # problems travel as JSON text: a jsonb[] of lists would read as a 2-D array
            """INSERT INTO biller.encounters (visit_id, patient_id, coded_event_id, outcome, problems, received_at)
               SELECT v, p, e, o, pr::jsonb, r
               FROM unnest($1::text[], $2::text[], $3::uuid[], $4::text[], $5::text[], $6::timestamptz[])
                    AS t(v, p, e, o, pr, r)
               ON CONFLICT (visit_id) DO NOTHING RETURNING visit_id""",
            [c.visit_id for c, _ in items],
            [c.patient_id for c, _ in items],
            [c.event_id for c, _ in items],
            [d.outcome for _, d in items],
            [as_json(d.problems) for _, d in items],
            [c.received_at for c, _ in items],
        )
        first = first_seen([c.visit_id for c, _ in items], {r["visit_id"] for r in rows})
        fresh = [(c, d) for (c, d), is_new in zip(items, first, strict=True) if is_new]
        self_pay = [
            (c.patient_id, c.visit_id, d.self_pay_cents, c.event_id) for c, d in fresh if d.self_pay_cents is not None
        ]
        if self_pay:
            await conn.execute(
                """INSERT INTO biller.patient_ledger (patient_id, visit_id, kind, amount_cents, source_event_id)
                   SELECT p, v, 'self_pay', a, e FROM unnest($1::text[], $2::text[], $3::bigint[], $4::uuid[])
                        AS t(p, v, a, e)""",
                *(list(column) for column in zip(*self_pay, strict=True)),
            )
        await self._insert_claims(
            [(claim, []) for _, d in fresh for claim in d.claims] + [r for _, d in fresh for r in d.rejected],
        )
        repeats = [c.visit_id for (c, _), is_new in zip(items, first, strict=True) if not is_new]
        stored: dict[str, list[ClaimSubmitted]] = {}
        if repeats:
            for row in await conn.fetch(
                """SELECT visit_id, claim::text FROM biller.claims
                   WHERE visit_id = ANY($1::text[]) AND status <> 'rejected' ORDER BY claim_id""",
                repeats,
            ):
                stored.setdefault(row["visit_id"], []).append(ClaimSubmitted.model_validate_json(row["claim"]))
        return [d.claims if is_new else stored.get(c.visit_id, []) for (c, d), is_new in zip(items, first, strict=True)]

    async def _insert_claims(self, claims: list[tuple[ClaimSubmitted, list[str]]]) -> None:
        """Claims with their scrubber errors: none means submitted, any means rejected and kept.
        One statement for the batch: the claims, their lines, their first status and, for those
        sent, the submission (its document copied from the claim row, not sent twice)."""
        if not claims:
            return
        status = ["rejected" if errors else "submitted" for _, errors in claims]
        lines = [(c.claim_id, ln) for c, _ in claims for ln in c.service_lines]
        await self._conn.execute(
            # modifiers and pointers travel as text: arrays of arrays would have to be rectangular
            """WITH claim AS (
                 INSERT INTO biller.claims (claim_id, visit_id, patient_id, payer_id, frequency_code, status,
                     service_date, total_charge_cents, claim_event_id, claim, scrub_errors, received_at)
                 SELECT i, v, p, py, f, s, d, t, e, c::jsonb, x::jsonb, r
                 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::date[],
                             $8::bigint[], $9::uuid[], $10::text[], $11::text[], $12::timestamptz[])
                      AS u(i, v, p, py, f, s, d, t, e, c, x, r)
                 RETURNING claim_id, claim_event_id, frequency_code, status, claim
               ), line AS (
                 INSERT INTO biller.claim_lines (claim_id, line_number, line_control_number, procedure_code,
                     modifiers, units, charge_cents, diagnosis_pointers)
                 SELECT c, n, l, p, coalesce(string_to_array(m, ','), '{}')::text[], u, ch,
                        string_to_array(d, ',')::int[]
                 FROM unnest($13::text[], $14::int[], $15::text[], $16::text[], $17::text[], $18::int[],
                             $19::bigint[], $20::text[]) AS t(c, n, l, p, m, u, ch, d)
               ), history AS (
                 INSERT INTO biller.claim_status_history (claim_id, status, reason, source_event_id)
                 SELECT c, s, r, e FROM unnest($1::text[], $6::text[], $21::text[], $9::uuid[]) WITH ORDINALITY
                      AS h(c, s, r, e, o) ORDER BY o
               )
               INSERT INTO biller.claim_submissions (claim_event_id, claim_id, frequency_code, claim)
               SELECT claim_event_id, claim_id, frequency_code, claim FROM claim WHERE status = 'submitted'""",
            [c.claim_id for c, _ in claims],
            [c.visit_id for c, _ in claims],
            [c.patient_id for c, _ in claims],
            [c.payer_id for c, _ in claims],
            [c.frequency_code for c, _ in claims],
            status,
            [c.service_date for c, _ in claims],
            [c.total_charge_cents for c, _ in claims],
            [c.event_id for c, _ in claims],
            [c.model_dump_json() for c, _ in claims],
            [as_json(errors) for _, errors in claims],
            [c.received_at for c, _ in claims],
            [c for c, _ in lines],
            [ln.line_number for _, ln in lines],
            [ln.line_control_number for _, ln in lines],
            [ln.procedure_code for _, ln in lines],
            [",".join(ln.modifiers) if ln.modifiers else None for _, ln in lines],
            [ln.units for _, ln in lines],
            [ln.charge_cents for _, ln in lines],
            [",".join(str(p) for p in ln.diagnosis_pointers) for _, ln in lines],
            ["; ".join(e) or None for _, e in claims],
        )

    async def find_claims(self, patient_control_numbers: list[str]) -> dict[str, tuple[ClaimSubmitted, int]]:
        """The claims as last submitted, with how many automatic corrections each has had."""
        # as text, parsed by pydantic in one pass: no Python dict in between (Postgres wrote it, the
        # contract still checks it)
        rows = await self._conn.fetch(
            "SELECT claim_id, claim::text, corrections FROM biller.claims WHERE claim_id = ANY($1::text[])",
            patient_control_numbers,
        )
        return {r["claim_id"]: (ClaimSubmitted.model_validate_json(r["claim"]), r["corrections"]) for r in rows}
