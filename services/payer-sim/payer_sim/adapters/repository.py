"""Postgres: the payer's memory. A batch of claim submissions is answered in one transaction:
members enrolled when first seen, accumulators locked and moved, earlier answers taken back,
paid lines remembered for duplicate checks, and every remittance stored for the 835 export."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

import asyncpg

from payer_sim.domain.adjudication import line_key
from payer_sim.domain.claims import Answer
from payer_sim.domain.model import Accumulator, ClaimHistory, Enrollment, PriorAdjudication
from shared.schemas import ClaimSubmitted, RemittanceIssued

Member = tuple[str, str]  # payer id, member id
MemberYear = tuple[str, str, int]  # payer id, member id, plan year
Decide = Callable[[ClaimSubmitted, Accumulator, ClaimHistory], Answer]


def member_of(claim: ClaimSubmitted) -> Member:
    return (claim.payer_id, claim.coverage.member_id)


def member_year(claim: ClaimSubmitted) -> MemberYear:
    return (claim.payer_id, claim.coverage.member_id, claim.service_date.year)


async def answer_claims(
    pool: asyncpg.Pool, claims: list[ClaimSubmitted], plan_of: Callable[[ClaimSubmitted], str], decide: Decide
) -> list[list[RemittanceIssued]]:
    """Answer each submission exactly once, in order; a redelivered submission gets its stored
    remittances. Returns, per claim, the remittances to send."""
    async with pool.acquire() as conn, conn.transaction():
        answered: dict[uuid.UUID, list[RemittanceIssued]] = {}
        for row in await conn.fetch(
            """SELECT claim_event_id, remittance FROM payer.remittances
               WHERE claim_event_id = ANY($1::uuid[]) ORDER BY seq""",
            [c.event_id for c in claims],
        ):
            answered.setdefault(row["claim_event_id"], []).append(RemittanceIssued.model_validate(row["remittance"]))
        todo = list({c.event_id: c for c in claims if c.event_id not in answered}.values())
        if todo:
            await _answer(conn, todo, plan_of, decide, answered)
        return [answered[c.event_id] for c in claims]


async def _answer(
    conn: asyncpg.Connection,
    todo: list[ClaimSubmitted],
    plan_of: Callable[[ClaimSubmitted], str],
    decide: Decide,
    answered: dict[uuid.UUID, list[RemittanceIssued]],
) -> None:
    first_claim_of_member = {member_of(c): c for c in reversed(todo)}
    members = sorted(first_claim_of_member)
    await conn.executemany(
        """INSERT INTO payer.members (payer_id, member_id, plan_id, effective_date, termination_date)
           VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING""",
        [
            (*m, plan_of(c), c.coverage.effective_date, c.coverage.termination_date)
            for m, c in first_claim_of_member.items()
        ],
    )
    enrollments = {
        (r["payer_id"], r["member_id"]): Enrollment(r["plan_id"], r["effective_date"], r["termination_date"])
        for r in await conn.fetch(
            """SELECT m.* FROM payer.members m JOIN unnest($1::text[], $2::text[]) AS k(payer_id, member_id)
               USING (payer_id, member_id)""",
            [m[0] for m in members],
            [m[1] for m in members],
        )
    }
    accumulators = await _lock_accumulators(conn, sorted({member_year(c): plan_of(c) for c in todo}.items()))
    priors: dict[str, tuple[uuid.UUID, PriorAdjudication]] = {
        r["claim_id"]: (
            r["claim_event_id"],
            PriorAdjudication(
                RemittanceIssued.model_validate(r["remittance"]), r["deductible_cents"], r["out_of_pocket_cents"]
            ),
        )
        for r in await conn.fetch(
            """SELECT a.claim_id, a.claim_event_id, a.deductible_cents, a.out_of_pocket_cents, r.remittance
               FROM payer.adjudications a JOIN payer.remittances r ON r.remittance_event_id = a.answer_event_id
               WHERE a.active AND a.claim_id = ANY($1::text[])""",
            list({c.claim_id for c in todo}),
        )
    }
    paid_lines: dict[Member, dict[tuple[str, ...], str]] = {}  # member -> line key -> claim id
    for r in await conn.fetch(
        """SELECT l.* FROM payer.adjudicated_lines l JOIN unnest($1::text[], $2::text[]) AS k(payer_id, member_id)
           USING (payer_id, member_id) WHERE l.active""",
        [m[0] for m in members],
        [m[1] for m in members],
    ):
        key = (r["payer_id"], r["member_id"], r["service_date"].isoformat(), r["procedure_code"], r["modifiers"],
               r["billing_npi"])  # fmt: skip
        paid_lines.setdefault((r["payer_id"], r["member_id"]), {})[key] = r["claim_id"]

    adjudications, lines, remittances, taken_back = [], [], [], []
    for claim in todo:
        member_lines = paid_lines.setdefault(member_of(claim), {})
        prior = priors.get(claim.claim_id)
        history = ClaimHistory(
            submitted_on=claim.occurred_at.date(),
            enrollment=enrollments.get(member_of(claim)),
            prior=prior[1] if prior else None,
            paid_line_keys=frozenset(k for k, cid in member_lines.items() if cid != claim.claim_id),
        )
        acc_key = member_year(claim)
        result = decide(claim, accumulators.get(acc_key, Accumulator()), history)
        if acc_key in accumulators:
            accumulators[acc_key] = result.accumulator
        if result.reversed_prior is not None and prior is not None:
            taken_back.append(prior[0])
            for k in [k for k, cid in member_lines.items() if cid == claim.claim_id]:
                del member_lines[k]
            del priors[claim.claim_id]
        stands = result.standing is not None and result.standing.remittance.claim_event_id == claim.event_id
        answer = result.remittances[-1]
        adjudications.append(
            (claim.event_id, claim.claim_id, claim.payer_id, claim.coverage.member_id, claim.service_date.year,
             claim.frequency_code, answer.event_id if claim.frequency_code != "8" else None,
             answer.payer_claim_control_number, answer.claim_status_code,
             result.standing.deductible_cents if stands else 0, result.standing.out_of_pocket_cents if stands else 0,
             stands)
        )  # fmt: skip
        if stands and result.standing is not None:
            priors[claim.claim_id] = (claim.event_id, result.standing)
            for claim_line, remit_line in zip(claim.service_lines, answer.service_lines, strict=True):
                if remit_line.allowed_cents > 0:
                    key = line_key(claim, claim_line)
                    member_lines[key] = claim.claim_id
                    lines.append((claim.event_id, claim.claim_id, *key[:2], claim_line.service_date, *key[3:]))
        for remittance in result.remittances:
            remittances.append(
                (remittance.event_id, claim.event_id, claim.payer_id, remittance.payee.npi, remittance.adjudicated_on,
                 remittance.model_dump_json())
            )  # fmt: skip
        answered[claim.event_id] = result.remittances

    # one statement per table for the whole batch (unnest), not one round of the protocol per row
    acc = list(accumulators.items())
    await conn.execute(
        """UPDATE payer.accumulators a SET deductible_met_cents = k.d, out_of_pocket_met_cents = k.o, updated_at = now()
           FROM unnest($1::text[], $2::text[], $3::int[], $4::bigint[], $5::bigint[]) AS k(p, m, y, d, o)
           WHERE a.payer_id = k.p AND a.member_id = k.m AND a.plan_year = k.y""",
        *_columns([(*k, a.deductible_met_cents, a.out_of_pocket_met_cents) for k, a in acc], 5),
    )
    await conn.execute(
        "UPDATE payer.adjudications SET active = false WHERE claim_event_id = ANY($1::uuid[])", taken_back
    )
    await conn.execute(
        "UPDATE payer.adjudicated_lines SET active = false WHERE claim_event_id = ANY($1::uuid[])", taken_back
    )
    await conn.execute(
        """INSERT INTO payer.adjudications (claim_event_id, claim_id, payer_id, member_id, plan_year, frequency_code,
               answer_event_id, payer_claim_control_number, claim_status_code, deductible_cents,
               out_of_pocket_cents, active)
           SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::int[], $6::text[], $7::uuid[],
               $8::text[], $9::text[], $10::bigint[], $11::bigint[], $12::bool[])""",
        *_columns(adjudications, 12),
    )
    await conn.execute(
        """INSERT INTO payer.adjudicated_lines (claim_event_id, claim_id, payer_id, member_id, service_date,
               procedure_code, modifiers, billing_npi, active)
           SELECT *, true FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::date[], $6::text[],
               $7::text[], $8::text[])""",
        *_columns(lines, 8),
    )
    await conn.execute(
        """INSERT INTO payer.remittances (remittance_event_id, claim_event_id, payer_id, payee_npi, adjudicated_on,
               remittance)
           SELECT r, c, p, n, d, j::jsonb
           FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::date[], $6::text[])
                AS t(r, c, p, n, d, j)""",
        *_columns(remittances, 6),
    )


def _columns(rows: list[tuple], width: int) -> list[list]:
    """Rows to the column arrays an unnest() statement takes."""
    return [list(column) for column in zip(*rows, strict=True)] if rows else [[] for _ in range(width)]


async def _lock_accumulators(
    conn: asyncpg.Connection, keys: list[tuple[MemberYear, str]]
) -> dict[MemberYear, Accumulator]:
    """Create missing rows, then lock them in one order for every process: no deadlocks."""
    args = ([k[0][0] for k in keys], [k[0][1] for k in keys], [k[0][2] for k in keys])
    await conn.execute(
        """INSERT INTO payer.accumulators (payer_id, member_id, plan_year, plan_id)
           SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::text[]) ON CONFLICT DO NOTHING""",
        *args,
        [k[1] for k in keys],
    )
    rows = await conn.fetch(
        """SELECT a.payer_id, a.member_id, a.plan_year, a.deductible_met_cents, a.out_of_pocket_met_cents
           FROM payer.accumulators a
           JOIN unnest($1::text[], $2::text[], $3::int[]) AS k(payer_id, member_id, plan_year)
             USING (payer_id, member_id, plan_year)
           ORDER BY a.payer_id, a.member_id, a.plan_year
           FOR UPDATE OF a""",
        *args,
    )
    return {
        (r["payer_id"], r["member_id"], r["plan_year"]): Accumulator(
            r["deductible_met_cents"], r["out_of_pocket_met_cents"]
        )
        for r in rows
    }


async def remittances_for_export(
    conn: asyncpg.Connection, payer_id: str | None, since: datetime | None
) -> list[RemittanceIssued]:
    rows = await conn.fetch(
        """SELECT remittance FROM payer.remittances
           WHERE ($1::text IS NULL OR payer_id = $1) AND ($2::timestamptz IS NULL OR created_at >= $2)
           ORDER BY payer_id, adjudicated_on, seq""",
        payer_id,
        since,
    )
    return [RemittanceIssued.model_validate(r["remittance"]) for r in rows]


async def next_interchange_number(conn: asyncpg.Connection) -> int:
    return int(await conn.fetchval("SELECT nextval('payer.interchange_control_number')"))
