"""Postgres: the billing ledger's posting side: remittances posted to their claims, adjustments,
denials and their automatic corrections, the patient's share, and what could not be posted.

A batch is written with one statement per table (arrays unnested in Postgres), not one protocol
round per row; statements with nothing to write are not sent."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence

import asyncpg

from biller.adapters.repository import first_seen
from biller.service_layer.ports import PostingToRecord
from shared.schemas import ClaimSubmitted, RemittanceIssued


def columns(rows: Sequence[tuple[object, ...]], width: int) -> list[list[object]]:
    """Rows as one list per column: the arrays an unnest takes."""
    return [list(c) for c in zip(*rows, strict=True)] if rows else [[] for _ in range(width)]


class PostingRepository:
    """Posts remittances on one connection; the unit of work owns the transaction."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def record_postings(
        self, postings: list[PostingToRecord], exceptions: list[tuple[RemittanceIssued, str]]
    ) -> list[tuple[bool, list[ClaimSubmitted]]]:
        """Post each remittance event once, work its denials (a correction or the queue), and keep what
        could not be posted. Returns, per posting, whether it was new and the corrected claims to send
        (for a redelivered remittance: the ones it caused before)."""
        conn = self._conn
        if exceptions:
            await conn.execute(
                """INSERT INTO biller.remittance_exceptions (remittance_event_id, patient_control_number, reason,
                       remittance)
                   SELECT e, p, r, d::jsonb FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) AS t(e, p, r, d)
                   ON CONFLICT (remittance_event_id) DO NOTHING""",
                *columns(
                    [(r.event_id, r.patient_control_number, why, r.model_dump_json()) for r, why in exceptions], 4
                ),
            )
        if not postings:
            return []
        rows = await conn.fetch(
            """INSERT INTO biller.postings (remittance_event_id, claim_id, payer_claim_control_number,
                   claim_status_code, paid_cents, allowed_cents, patient_responsibility_cents, deductible_cents,
                   coinsurance_cents, copay_cents, adjustment_cents, remittance)
               SELECT e, c, n, s, pd, a, pt, de, co, cp, adj, d::jsonb
               FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[],
                   $7::bigint[], $8::bigint[], $9::bigint[], $10::bigint[], $11::bigint[], $12::text[])
                   AS t(e, c, n, s, pd, a, pt, de, co, cp, adj, d)
               ON CONFLICT (remittance_event_id) DO NOTHING RETURNING remittance_event_id""",
            *columns(
                [
                    (
                        r.event_id, r.claim_id, r.payer_claim_control_number, r.claim_status_code, p.paid_cents,
                        p.allowed_cents, p.patient_cents, p.patient_by_kind["deductible"],
                        p.patient_by_kind["coinsurance"], p.patient_by_kind["copay"], p.adjustment_cents,
                        r.model_dump_json(),  # one pass in pydantic's serializer, stored as it is
                    )
                    for r, p, _ in postings
                ],
                12,
            ),
        )  # fmt: skip
        first = first_seen([str(r.event_id) for r, _, _ in postings], {str(row[0]) for row in rows})
        fresh = [item for item, is_new in zip(postings, first, strict=True) if is_new]
        await self._post(fresh)
        fixes = [(r, fix) for r, _, fix in fresh if fix is not None]
        if fixes:
            await self._correct(fixes)
        again = [r.event_id for (r, _, _), is_new in zip(postings, first, strict=True) if not is_new]
        resend: dict[uuid.UUID, list[ClaimSubmitted]] = {}
        if again:
            for row in await conn.fetch(
                "SELECT caused_by, claim::text FROM biller.claim_submissions WHERE caused_by = ANY($1::uuid[])", again
            ):
                resend.setdefault(row["caused_by"], []).append(ClaimSubmitted.model_validate_json(row["claim"]))
        return [
            (is_new, ([fix[0]] if fix else []) if is_new else resend.get(r.event_id, []))
            for (r, _, fix), is_new in zip(postings, first, strict=True)
        ]

    async def _post(self, fresh: list[PostingToRecord]) -> None:
        if not fresh:
            return
        conn = self._conn
        adjustments = [
            (r.event_id, None, a.group, a.carc, a.amount_cents) for r, _, _ in fresh for a in r.claim_adjustments
        ] + [
            (r.event_id, ln.line_control_number, a.group, a.carc, a.amount_cents)
            for r, _, _ in fresh
            for ln in r.service_lines
            for a in ln.adjustments
        ]
        if adjustments:
            await conn.execute(
                """INSERT INTO biller.posting_adjustments (remittance_event_id, line_control_number, group_code, carc,
                       amount_cents)
                   SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::bigint[])""",
                *columns(adjustments, 5),
            )
        # amounts add up over postings: a reversal (negative amounts) nets out what it takes back; a
        # line answered twice in one batch adds both (an UPDATE ... FROM would apply one of them)
        by_line: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
        for _, p, _ in fresh:
            for ln in p.lines:
                total = by_line[ln.line_control_number]
                for i, amount in enumerate((ln.allowed_cents, ln.paid_cents, ln.patient_cents, ln.adjustment_cents)):
                    total[i] += amount
        if by_line:
            await conn.execute(
                """UPDATE biller.claim_lines l SET allowed_cents = l.allowed_cents + u.a,
                       paid_cents = l.paid_cents + u.p, patient_cents = l.patient_cents + u.pt,
                       adjustment_cents = l.adjustment_cents + u.adj
                   FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[])
                        AS u(n, a, p, pt, adj)
                   WHERE l.line_control_number = u.n""",
                *columns([(lcn, *amounts) for lcn, amounts in by_line.items()], 5),
            )
        # each claim once per batch (the handler splits batches so), so one row per claim here
        await conn.execute(
            """UPDATE biller.claims c SET status = u.s, allowed_cents = c.allowed_cents + u.a,
                   paid_cents = c.paid_cents + u.p,
                   patient_responsibility_cents = c.patient_responsibility_cents + u.pt,
                   adjustment_cents = c.adjustment_cents + u.adj,
                   payer_claim_control_number = CASE WHEN u.s = 'reversed' THEN c.payer_claim_control_number
                                                     ELSE u.n END,
                   updated_at = now()
               FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[], $7::text[])
                    AS u(id, s, a, p, pt, adj, n)
               WHERE c.claim_id = u.id""",
            *columns(
                [
                    (r.claim_id, p.status, p.allowed_cents, p.paid_cents, p.patient_cents, p.adjustment_cents,
                     r.payer_claim_control_number)
                    for r, p, _ in fresh
                ],
                7,
            ),
        )  # fmt: skip
        await conn.execute(
            """INSERT INTO biller.claim_status_history (claim_id, status, reason, source_event_id)
               SELECT c, s, r, e FROM unnest($1::text[], $2::text[], $3::text[], $4::uuid[]) WITH ORDINALITY
                   AS t(c, s, r, e, i) ORDER BY i""",
            *columns([(r.claim_id, p.status, ",".join(p.denial_carcs) or None, r.event_id) for r, p, _ in fresh], 4),
        )
        denials = [
            (r.claim_id, lcn, a.group, a.carc, a.rarc, a.amount_cents, r.event_id)
            for r, p, _ in fresh
            for lcn, a in p.denials
        ]
        if denials:
            await conn.execute(
                """INSERT INTO biller.denials (claim_id, line_control_number, group_code, carc, rarc, amount_cents,
                       remittance_event_id)
                   SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[],
                       $7::uuid[])""",
                *columns(denials, 7),
            )
        owed = [
            (r.patient_id, r.visit_id, r.claim_id, kind, amount, r.event_id)
            for r, p, _ in fresh
            for kind, amount in p.patient_by_kind.items()
            if amount
        ]
        if owed:
            await conn.execute(
                """INSERT INTO biller.patient_ledger (patient_id, visit_id, claim_id, kind, amount_cents,
                       source_event_id)
                   SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::uuid[])""",
                *columns(owed, 6),
            )

    async def _correct(self, fixes: list[tuple[RemittanceIssued, tuple[ClaimSubmitted, str]]]) -> None:
        """Replace the stored claim with its correction, and take its denials off the work queue."""
        await store_replacements(self._conn, [(r.event_id, c, reason) for r, (c, reason) in fixes])
        await self._conn.execute(
            "UPDATE biller.denials SET status = 'corrected' WHERE remittance_event_id = ANY($1::uuid[])",
            [r.event_id for r, _ in fixes],
        )


async def store_replacements(
    conn: asyncpg.Connection, replacements: list[tuple[uuid.UUID, ClaimSubmitted, str]]
) -> None:
    """Each replacement claim (frequency 7) becomes the claim that stands, with what caused it (a
    remittance or a person's action) and why. Each counts as a correction, so after a person's
    the biller does not correct the claim again by itself. Corrections are few (one per claim at
    a time), so these stay one row per statement."""
    documents = [c.model_dump_json() for _, c, _ in replacements]
    await conn.executemany(
        """UPDATE biller.claims SET claim = $2::text::jsonb, claim_event_id = $3, frequency_code = '7',
               status = 'submitted', corrections = corrections + 1, updated_at = now() WHERE claim_id = $1""",
        [(c.claim_id, doc, c.event_id) for (_, c, _), doc in zip(replacements, documents, strict=True)],
    )
    await conn.executemany(
        """UPDATE biller.claim_lines SET modifiers = $2, units = $3, diagnosis_pointers = $4
           WHERE line_control_number = $1""",
        [
            (ln.line_control_number, ln.modifiers, ln.units, ln.diagnosis_pointers)
            for _, c, _ in replacements
            for ln in c.service_lines
        ],
    )
    await conn.executemany(
        """INSERT INTO biller.claim_status_history (claim_id, status, reason, source_event_id)
           VALUES ($1, 'submitted', $2, $3)""",
        [(c.claim_id, f"corrected: {reason}", c.event_id) for _, c, reason in replacements],
    )
    await conn.executemany(
        """INSERT INTO biller.claim_submissions (claim_event_id, claim_id, frequency_code, caused_by, claim)
           VALUES ($1, $2, '7', $3, $4::text::jsonb)""",
        [(c.event_id, c.claim_id, cause, doc) for (cause, c, _), doc in zip(replacements, documents, strict=True)],
    )
