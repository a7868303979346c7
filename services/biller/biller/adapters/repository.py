"""Postgres: the billing ledger. A batch of events is written in one transaction; every write
is idempotent by a deterministic id, so redelivered events change nothing."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import asyncpg
import orjson

from biller.domain.model import BillingDecision, Posting
from shared.schemas import ClaimSubmitted, CodedEncounter, RemittanceIssued


def _first_seen(keys: list[str], new: set[str]) -> list[bool]:
    """True where this item is the one that created its row (not a redelivery, not a repeat)."""
    seen: set[str] = set()
    out = []
    for key in keys:
        out.append(key in new and key not in seen)
        seen.add(key)
    return out


def _json(value: object) -> str:
    return orjson.dumps(value).decode()


async def record_decisions(
    pool: asyncpg.Pool, items: list[tuple[CodedEncounter, BillingDecision]]
) -> list[list[ClaimSubmitted]]:
    """Store what each encounter became. Returns, per item, the claims to send: the stored ones
    when the encounter had been billed before, so a redelivery re-sends the same claim, never a new one."""
    async with pool.acquire() as conn, conn.transaction():
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
            [_json(d.problems) for _, d in items],
            [c.received_at for c, _ in items],
        )
        first = _first_seen([c.visit_id for c, _ in items], {r["visit_id"] for r in rows})
        fresh = [(c, d) for (c, d), is_new in zip(items, first, strict=True) if is_new]
        await conn.executemany(
            """INSERT INTO biller.patient_ledger (patient_id, visit_id, kind, amount_cents, source_event_id)
               VALUES ($1, $2, 'self_pay', $3, $4)""",
            [
                (c.patient_id, c.visit_id, d.self_pay_cents, c.event_id)
                for c, d in fresh
                if d.self_pay_cents is not None
            ],
        )
        await _insert_claims(
            conn,
            [(claim, []) for _, d in fresh for claim in d.claims] + [r for _, d in fresh for r in d.rejected],
        )
        repeats = [c.visit_id for (c, _), is_new in zip(items, first, strict=True) if not is_new]
        stored: dict[str, list[ClaimSubmitted]] = {}
        if repeats:
            for row in await conn.fetch(
                """SELECT visit_id, claim FROM biller.claims
                   WHERE visit_id = ANY($1::text[]) AND status <> 'rejected' ORDER BY claim_id""",
                repeats,
            ):
                stored.setdefault(row["visit_id"], []).append(ClaimSubmitted.model_validate(row["claim"]))
        return [d.claims if is_new else stored.get(c.visit_id, []) for (c, d), is_new in zip(items, first, strict=True)]


async def _insert_claims(conn: asyncpg.Connection, claims: list[tuple[ClaimSubmitted, list[str]]]) -> None:
    """Claims with their scrubber errors: none means submitted, any means rejected and kept.
    One statement per table for the batch (unnest), not one protocol round per row."""
    if not claims:
        return
    status = ["rejected" if errors else "submitted" for _, errors in claims]
    documents = [c.model_dump_json() for c, _ in claims]
    await conn.execute(
        """INSERT INTO biller.claims (claim_id, visit_id, patient_id, payer_id, frequency_code, status, service_date,
               total_charge_cents, claim_event_id, claim, scrub_errors, received_at)
           SELECT i, v, p, py, f, s, d, t, e, c::jsonb, x::jsonb, r
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::date[],
                       $8::bigint[], $9::uuid[], $10::text[], $11::text[], $12::timestamptz[])
                AS u(i, v, p, py, f, s, d, t, e, c, x, r)""",
        [c.claim_id for c, _ in claims],
        [c.visit_id for c, _ in claims],
        [c.patient_id for c, _ in claims],
        [c.payer_id for c, _ in claims],
        [c.frequency_code for c, _ in claims],
        status,
        [c.service_date for c, _ in claims],
        [c.total_charge_cents for c, _ in claims],
        [c.event_id for c, _ in claims],
        documents,
        [_json(errors) for _, errors in claims],
        [c.received_at for c, _ in claims],
    )
    lines = [(c.claim_id, ln) for c, _ in claims for ln in c.service_lines]
    await conn.execute(
        # modifiers and pointers travel as text: arrays of arrays would have to be rectangular
        """INSERT INTO biller.claim_lines (claim_id, line_number, line_control_number, procedure_code, modifiers,
               units, charge_cents, diagnosis_pointers)
           SELECT c, n, l, p, coalesce(string_to_array(m, ','), '{}')::text[], u, ch, string_to_array(d, ',')::int[]
           FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::text[], $6::int[], $7::bigint[], $8::text[])
                AS t(c, n, l, p, m, u, ch, d)""",
        [c for c, _ in lines],
        [ln.line_number for _, ln in lines],
        [ln.line_control_number for _, ln in lines],
        [ln.procedure_code for _, ln in lines],
        [",".join(ln.modifiers) if ln.modifiers else None for _, ln in lines],
        [ln.units for _, ln in lines],
        [ln.charge_cents for _, ln in lines],
        [",".join(str(p) for p in ln.diagnosis_pointers) for _, ln in lines],
    )
    await conn.execute(
        """INSERT INTO biller.claim_status_history (claim_id, status, reason, source_event_id)
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::uuid[])""",
        [c.claim_id for c, _ in claims],
        status,
        ["; ".join(e) or None for _, e in claims],
        [c.event_id for c, _ in claims],
    )
    sent = [(c, doc) for (c, e), doc in zip(claims, documents, strict=True) if not e]
    await conn.execute(
        """INSERT INTO biller.claim_submissions (claim_event_id, claim_id, frequency_code, claim)
           SELECT e, i, f, c::jsonb FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) AS t(e, i, f, c)""",
        [c.event_id for c, _ in sent],
        [c.claim_id for c, _ in sent],
        [c.frequency_code for c, _ in sent],
        [doc for _, doc in sent],
    )


async def find_claims(pool: asyncpg.Pool, patient_control_numbers: list[str]) -> dict[str, tuple[ClaimSubmitted, int]]:
    """The claims as last submitted, with how many automatic corrections each has had."""
    rows = await pool.fetch(
        "SELECT claim_id, claim, corrections FROM biller.claims WHERE claim_id = ANY($1::text[])",
        patient_control_numbers,
    )
    return {r["claim_id"]: (ClaimSubmitted.model_validate(r["claim"]), r["corrections"]) for r in rows}


async def record_postings(
    pool: asyncpg.Pool,
    postings: list[tuple[RemittanceIssued, Posting, tuple[ClaimSubmitted, str] | None]],
    exceptions: list[tuple[RemittanceIssued, str]],
) -> list[tuple[bool, list[ClaimSubmitted]]]:
    """Post each remittance event once, work its denials (a correction or the queue), and keep what
    could not be posted. Returns, per posting, whether it was new and the corrected claims to send
    (for a redelivered remittance: the ones it caused before)."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.executemany(
            """INSERT INTO biller.remittance_exceptions
                   (remittance_event_id, patient_control_number, reason, remittance) VALUES ($1, $2, $3, $4)
               ON CONFLICT (remittance_event_id) DO NOTHING""",
            [(r.event_id, r.patient_control_number, reason, r.model_dump(mode="json")) for r, reason in exceptions],
        )
        if not postings:
            return []
        rows = await conn.fetch(
            """INSERT INTO biller.postings (remittance_event_id, claim_id, payer_claim_control_number,
                   claim_status_code, paid_cents, allowed_cents, patient_responsibility_cents, deductible_cents,
                   coinsurance_cents, copay_cents, adjustment_cents, remittance)
               SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[],
                   $7::bigint[], $8::bigint[], $9::bigint[], $10::bigint[], $11::bigint[], $12::jsonb[])
               ON CONFLICT (remittance_event_id) DO NOTHING RETURNING remittance_event_id""",
            [r.event_id for r, _, _ in postings],
            [r.claim_id for r, _, _ in postings],
            [r.payer_claim_control_number for r, _, _ in postings],
            [r.claim_status_code for r, _, _ in postings],
            [p.paid_cents for _, p, _ in postings],
            [p.allowed_cents for _, p, _ in postings],
            [p.patient_cents for _, p, _ in postings],
            [p.patient_by_kind["deductible"] for _, p, _ in postings],
            [p.patient_by_kind["coinsurance"] for _, p, _ in postings],
            [p.patient_by_kind["copay"] for _, p, _ in postings],
            [p.adjustment_cents for _, p, _ in postings],
            [r.model_dump(mode="json") for r, _, _ in postings],
        )
        first = _first_seen([str(r.event_id) for r, _, _ in postings], {str(row[0]) for row in rows})
        fresh = [item for item, is_new in zip(postings, first, strict=True) if is_new]
        await _post(conn, fresh)
        await _correct(conn, [(r, fix) for r, _, fix in fresh if fix is not None])
        again = [r.event_id for (r, _, _), is_new in zip(postings, first, strict=True) if not is_new]
        resend: dict[uuid.UUID, list[ClaimSubmitted]] = {}
        if again:
            for row in await conn.fetch(
                "SELECT caused_by, claim FROM biller.claim_submissions WHERE caused_by = ANY($1::uuid[])", again
            ):
                resend.setdefault(row["caused_by"], []).append(ClaimSubmitted.model_validate(row["claim"]))
        return [
            (is_new, ([fix[0]] if fix else []) if is_new else resend.get(r.event_id, []))
            for (r, _, fix), is_new in zip(postings, first, strict=True)
        ]


async def _post(conn: asyncpg.Connection, fresh: list[tuple[RemittanceIssued, Posting, object]]) -> None:
    await conn.executemany(
        """INSERT INTO biller.posting_adjustments (remittance_event_id, line_control_number, group_code, carc,
               amount_cents) VALUES ($1, $2, $3, $4, $5)""",
        [(r.event_id, None, a.group, a.carc, a.amount_cents) for r, _, _ in fresh for a in r.claim_adjustments]
        + [
            (r.event_id, ln.line_control_number, a.group, a.carc, a.amount_cents)
            for r, _, _ in fresh
            for ln in r.service_lines
            for a in ln.adjustments
        ],
    )
    await conn.executemany(
        # amounts add up over postings: a reversal (negative amounts) nets out what it takes back
        """UPDATE biller.claim_lines SET allowed_cents = allowed_cents + $2, paid_cents = paid_cents + $3,
               patient_cents = patient_cents + $4, adjustment_cents = adjustment_cents + $5
           WHERE line_control_number = $1""",
        [
            (ln.line_control_number, ln.allowed_cents, ln.paid_cents, ln.patient_cents, ln.adjustment_cents)
            for _, p, _ in fresh
            for ln in p.lines
        ],
    )
    await conn.executemany(
        """UPDATE biller.claims SET status = $2, allowed_cents = allowed_cents + $3, paid_cents = paid_cents + $4,
               patient_responsibility_cents = patient_responsibility_cents + $5,
               adjustment_cents = adjustment_cents + $6,
               payer_claim_control_number = CASE WHEN $2 = 'reversed' THEN payer_claim_control_number ELSE $7 END,
               updated_at = now() WHERE claim_id = $1""",
        [
            (
                r.claim_id,
                p.status,
                p.allowed_cents,
                p.paid_cents,
                p.patient_cents,
                p.adjustment_cents,
                r.payer_claim_control_number,
            )
            for r, p, _ in fresh
        ],
    )
    await conn.executemany(
        """INSERT INTO biller.claim_status_history (claim_id, status, reason, source_event_id)
           VALUES ($1, $2, $3, $4)""",
        [(r.claim_id, p.status, ",".join(p.denial_carcs) or None, r.event_id) for r, p, _ in fresh],
    )
    await conn.executemany(
        """INSERT INTO biller.denials (claim_id, line_control_number, group_code, carc, rarc, amount_cents,
               remittance_event_id) VALUES ($1, $2, $3, $4, $5, $6, $7)""",
        [
            (r.claim_id, lcn, a.group, a.carc, a.rarc, a.amount_cents, r.event_id)
            for r, p, _ in fresh
            for lcn, a in p.denials
        ],
    )
    await conn.executemany(
        """INSERT INTO biller.patient_ledger (patient_id, visit_id, claim_id, kind, amount_cents, source_event_id)
           VALUES ($1, $2, $3, $4, $5, $6)""",
        [
            (r.patient_id, r.visit_id, r.claim_id, kind, amount, r.event_id)
            for r, p, _ in fresh
            for kind, amount in p.patient_by_kind.items()
            if amount
        ],
    )


async def _correct(conn: asyncpg.Connection, fixes: list[tuple[RemittanceIssued, tuple[ClaimSubmitted, str]]]) -> None:
    """Replace the stored claim with its correction, and take its denials off the work queue."""
    await conn.executemany(
        """UPDATE biller.claims SET claim = $2, claim_event_id = $3, frequency_code = '7', status = 'submitted',
               corrections = corrections + 1, updated_at = now() WHERE claim_id = $1""",
        [(c.claim_id, c.model_dump(mode="json"), c.event_id) for _, (c, _) in fixes],
    )
    await conn.executemany(
        "UPDATE biller.claim_lines SET modifiers = $2 WHERE line_control_number = $1",
        [(ln.line_control_number, ln.modifiers) for _, (c, _) in fixes for ln in c.service_lines],
    )
    await conn.executemany(
        """INSERT INTO biller.claim_status_history (claim_id, status, reason, source_event_id)
           VALUES ($1, 'submitted', $2, $3)""",
        [(c.claim_id, f"corrected: {reason}", c.event_id) for _, (c, reason) in fixes],
    )
    await conn.executemany(
        """INSERT INTO biller.claim_submissions (claim_event_id, claim_id, frequency_code, caused_by, claim)
           VALUES ($1, $2, '7', $3, $4)""",
        [(c.event_id, c.claim_id, r.event_id, c.model_dump(mode="json")) for r, (c, _) in fixes],
    )
    await conn.execute(
        "UPDATE biller.denials SET status = 'corrected' WHERE remittance_event_id = ANY($1::uuid[])",
        [r.event_id for r, _ in fixes],
    )


async def submissions_for_export(conn: asyncpg.Connection, since: datetime | None) -> list[tuple[date, ClaimSubmitted]]:
    rows = await conn.fetch(
        """SELECT created_at::date AS day, claim FROM biller.claim_submissions
           WHERE ($1::timestamptz IS NULL OR created_at >= $1) ORDER BY created_at, claim_event_id""",
        since,
    )
    return [(r["day"], ClaimSubmitted.model_validate(r["claim"])) for r in rows]


async def next_interchange_number(conn: asyncpg.Connection) -> int:
    return int(await conn.fetchval("SELECT nextval('biller.interchange_control_number')"))


async def claims_for_fhir(
    conn: asyncpg.Connection, since: datetime | None
) -> list[tuple[ClaimSubmitted, RemittanceIssued | None]]:
    """Every claim sent, with the payer's standing answer (the latest posting that is not a reversal)."""
    rows = await conn.fetch(
        """SELECT c.claim, (SELECT p.remittance FROM biller.postings p WHERE p.claim_id = c.claim_id
                              AND p.claim_status_code <> '22' ORDER BY p.posted_at DESC LIMIT 1) AS remittance
           FROM biller.claims c
           WHERE c.status <> 'rejected' AND ($1::timestamptz IS NULL OR c.created_at >= $1)
           ORDER BY c.created_at, c.claim_id""",
        since,
    )
    return [
        (ClaimSubmitted.model_validate(r["claim"]),
         RemittanceIssued.model_validate(r["remittance"]) if r["remittance"] else None)
        for r in rows
    ]  # fmt: skip
