"""Postgres: the payer's memory, one repository per table group, each over the connection of the
unit of work's transaction (payer_sim.service_layer.unit_of_work). Members are enrolled when
first seen, accumulators locked and moved, earlier answers taken back, paid lines remembered for
duplicate checks, and every remittance stored for the 835 export (written by the adjudication
repository together with the adjudications they answer).

Each method works on the whole batch (unnest) in one statement (enrolment: two), not one round
trip per row: a batch costs 11 round trips with BEGIN and COMMIT, however many claims it holds."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import asyncpg

from payer_sim.domain.model import (
    Accumulator,
    Booking,
    Enrollment,
    LineKey,
    Member,
    MemberDay,
    MemberYear,
    PriorAdjudication,
)
from shared.schemas import RemittanceIssued


def _columns(rows: Sequence[Sequence[Any]], width: int) -> list[list[Any]]:
    """Rows to the column arrays an unnest() statement takes."""
    return [list(column) for column in zip(*rows, strict=True)] if rows else [[] for _ in range(width)]


class MemberRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def enroll(self, first_seen: dict[Member, Enrollment]) -> dict[Member, Enrollment]:
        """Enroll the members not known yet as first seen; return how each one is enrolled."""
        members = sorted(first_seen)
        await self._conn.execute(
            """INSERT INTO payer_sim.members (payer_id, member_id, plan_id, effective_date, termination_date)
               SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::date[], $5::date[])
               ON CONFLICT DO NOTHING""",
            *_columns(
                [(*m, first_seen[m].plan_id, first_seen[m].effective_date, first_seen[m].termination_date)
                 for m in members],
                5,
            ),
        )  # fmt: skip
        rows = await self._conn.fetch(
            """SELECT m.* FROM payer_sim.members m
               JOIN unnest($1::text[], $2::text[]) AS k(payer_id, member_id) USING (payer_id, member_id)""",
            [m[0] for m in members],
            [m[1] for m in members],
        )
        return {
            (r["payer_id"], r["member_id"]): Enrollment(r["plan_id"], r["effective_date"], r["termination_date"])
            for r in rows
        }


class AccumulatorRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def lock(self, plans: dict[MemberYear, str]) -> dict[MemberYear, Accumulator]:
        """Create missing rows (under the plan given) and lock every row, in one order for every
        process (no deadlocks): no other worker moves them until this transaction ends. One
        statement: the no-op update on conflict locks the row and returns its latest values."""
        keys = sorted(plans)
        rows = await self._conn.fetch(
            """INSERT INTO payer_sim.accumulators AS a (payer_id, member_id, plan_year, plan_id)
               SELECT p, m, y, plan
               FROM unnest($1::text[], $2::text[], $3::int[], $4::text[]) WITH ORDINALITY AS k(p, m, y, plan, n)
               ORDER BY n
               ON CONFLICT (payer_id, member_id, plan_year) DO UPDATE SET plan_id = a.plan_id
               RETURNING a.payer_id, a.member_id, a.plan_year, a.deductible_met_cents, a.out_of_pocket_met_cents""",
            [k[0] for k in keys],
            [k[1] for k in keys],
            [k[2] for k in keys],
            [plans[k] for k in keys],
        )
        return {
            (r["payer_id"], r["member_id"], r["plan_year"]): Accumulator(
                r["deductible_met_cents"], r["out_of_pocket_met_cents"]
            )
            for r in rows
        }

    async def save(self, accumulators: dict[MemberYear, Accumulator]) -> None:
        rows = [(*k, a.deductible_met_cents, a.out_of_pocket_met_cents) for k, a in sorted(accumulators.items())]
        await self._conn.execute(
            """UPDATE payer_sim.accumulators a
               SET deductible_met_cents = k.d, out_of_pocket_met_cents = k.o, updated_at = now()
               FROM unnest($1::text[], $2::text[], $3::int[], $4::bigint[], $5::bigint[]) AS k(p, m, y, d, o)
               WHERE a.payer_id = k.p AND a.member_id = k.m AND a.plan_year = k.y""",
            *_columns(rows, 5),
        )


class AdjudicationRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def standing(self, claim_ids: Iterable[str]) -> dict[str, tuple[uuid.UUID, PriorAdjudication]]:
        """The answer that stands for each claim, with the submission it answered."""
        rows = await self._conn.fetch(
            """SELECT a.claim_id, a.claim_event_id, a.deductible_cents, a.out_of_pocket_cents, r.remittance
               FROM payer_sim.adjudications a
               JOIN payer_sim.remittances r ON r.remittance_event_id = a.answer_event_id
               WHERE a.active AND a.claim_id = ANY($1::text[])""",
            list(claim_ids),
        )
        return {
            r["claim_id"]: (
                r["claim_event_id"],
                PriorAdjudication(
                    RemittanceIssued.model_validate(r["remittance"]), r["deductible_cents"], r["out_of_pocket_cents"]
                ),
            )
            for r in rows
        }

    async def paid_lines(self, member_days: Iterable[MemberDay]) -> dict[Member, dict[LineKey, str]]:
        """Per member, the lines paid on answers that stand on the given service dates (a line is
        a duplicate only of one on the same day): line key -> claim id."""
        keys = sorted(member_days)
        rows = await self._conn.fetch(
            """SELECT l.* FROM payer_sim.adjudicated_lines l
               JOIN unnest($1::text[], $2::text[], $3::date[]) AS k(payer_id, member_id, service_date)
                 USING (payer_id, member_id, service_date)
               WHERE l.active""",
            *_columns(keys, 3),
        )
        paid: dict[Member, dict[LineKey, str]] = {}
        for r in rows:
            key = (r["payer_id"], r["member_id"], r["service_date"].isoformat(), r["procedure_code"], r["modifiers"],
                   r["billing_npi"])  # fmt: skip
            paid.setdefault((r["payer_id"], r["member_id"]), {})[key] = r["claim_id"]
        return paid

    async def record(self, booking: Booking) -> None:
        """Write what answering a batch changed, in one statement: the answers taken back (and
        their paid lines), the new adjudications, the lines they paid and the remittances sent.
        The foreign keys to the new adjudications are checked at the end of the statement."""
        a, ln, r = booking.adjudications, booking.paid_lines, booking.remittances
        await self._conn.execute(
            """WITH taken_back AS (
                   UPDATE payer_sim.adjudications SET active = false WHERE claim_event_id = ANY($1::uuid[])
               ), lines_taken_back AS (
                   UPDATE payer_sim.adjudicated_lines SET active = false WHERE claim_event_id = ANY($1::uuid[])
               ), adjudications AS (
                   INSERT INTO payer_sim.adjudications (claim_event_id, claim_id, payer_id, member_id, plan_year,
                       frequency_code, answer_event_id, payer_claim_control_number, claim_status_code,
                       deductible_cents, out_of_pocket_cents, active)
                   SELECT * FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::int[], $7::text[],
                       $8::uuid[], $9::text[], $10::text[], $11::bigint[], $12::bigint[], $13::bool[])
               ), lines AS (
                   INSERT INTO payer_sim.adjudicated_lines (claim_event_id, claim_id, payer_id, member_id,
                       service_date, procedure_code, modifiers, billing_npi, active)
                   SELECT *, true FROM unnest($14::uuid[], $15::text[], $16::text[], $17::text[], $18::date[],
                       $19::text[], $20::text[], $21::text[])
               )
               INSERT INTO payer_sim.remittances (remittance_event_id, claim_event_id, payer_id, payee_npi,
                   adjudicated_on, remittance)
               SELECT r, c, p, n, d, j::jsonb
               FROM unnest($22::uuid[], $23::uuid[], $24::text[], $25::text[], $26::date[], $27::text[])
                    WITH ORDINALITY AS t(r, c, p, n, d, j, sent)
               ORDER BY sent""",  # seq follows the order sent: a reversal before the new answer
            list(booking.taken_back),
            *_columns(
                [(x.claim_event_id, x.claim_id, x.payer_id, x.member_id, x.plan_year, x.frequency_code,
                  x.answer_event_id, x.payer_claim_control_number, x.claim_status_code, x.deductible_cents,
                  x.out_of_pocket_cents, x.active) for x in a],
                12,
            ),
            *_columns([(x.claim_event_id, x.claim_id, x.key[0], x.key[1], x.service_date, *x.key[3:]) for x in ln], 8),
            *_columns(
                [(x.event_id, x.claim_event_id, x.payer_id, x.payee.npi, x.adjudicated_on, x.model_dump_json())
                 for x in r],
                6,
            ),
        )  # fmt: skip


class RemittanceRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def sent_for(self, claim_event_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[RemittanceIssued]]:
        """The remittances already sent for these submissions, in the order they were sent."""
        sent: dict[uuid.UUID, list[RemittanceIssued]] = {}
        for row in await self._conn.fetch(
            """SELECT claim_event_id, remittance FROM payer_sim.remittances
               WHERE claim_event_id = ANY($1::uuid[]) ORDER BY seq""",
            list(claim_event_ids),
        ):
            sent.setdefault(row["claim_event_id"], []).append(RemittanceIssued.model_validate(row["remittance"]))
        return sent

    async def for_export(self, payer_id: str | None, since: datetime | None) -> list[RemittanceIssued]:
        rows = await self._conn.fetch(
            """SELECT remittance FROM payer_sim.remittances
               WHERE ($1::text IS NULL OR payer_id = $1) AND ($2::timestamptz IS NULL OR created_at >= $2)
               ORDER BY payer_id, adjudicated_on, seq""",
            payer_id,
            since,
        )
        return [RemittanceIssued.model_validate(r["remittance"]) for r in rows]

    async def next_interchange_number(self) -> int:
        """ISA13/GS06 of the next 835 written: every interchange has a number of its own."""
        return int(await self._conn.fetchval("SELECT nextval('payer_sim.interchange_control_number')"))
