"""What the payer knows of the members an eligibility inquiry asks about: the roster first, then
its own enrolment (members first seen on a claim), then, for a member it has never seen, the
open-enrolment stand-in (the payer's default plan, no dates) that also enrols claims' members.
Reads only: an inquiry changes nothing."""

from __future__ import annotations

import asyncpg

from payer_sim.domain.eligibility import Benefits, Received270
from payer_sim.domain.model import Accumulator, Enrollment, ReferenceData


async def benefits_of(
    conn: asyncpg.Connection, payer: str, received: Received270, ref: ReferenceData
) -> dict[str, Benefits]:
    terms = ref.payers.get(payer)
    if terms is None:
        return {}
    members = sorted({i.member_id for i in received.inquiries})
    years = sorted({i.service_date.year for i in received.inquiries})
    enrolled = {
        r["member_id"]: Enrollment(r["plan_id"], r["effective_date"], r["termination_date"])
        for r in await conn.fetch(
            """SELECT member_id, plan_id, effective_date, termination_date FROM payer_sim.members
               WHERE payer_id = $1 AND member_id = ANY($2::text[])""",
            payer,
            members,
        )
    }
    totals = {
        (r["member_id"], r["plan_year"]): Accumulator(r["deductible_met_cents"], r["out_of_pocket_met_cents"])
        for r in await conn.fetch(
            """SELECT member_id, plan_year, deductible_met_cents, out_of_pocket_met_cents FROM payer_sim.accumulators
               WHERE payer_id = $1 AND member_id = ANY($2::text[]) AND plan_year = ANY($3::int[])""",
            payer,
            members,
            years,
        )
    }
    out: dict[str, Benefits] = {}
    for inquiry in received.inquiries:
        m = inquiry.member_id
        enrollment = ref.roster.get((payer, m)) or enrolled.get(m) or Enrollment(terms.default_plan, None, None)
        out[m] = Benefits(enrollment, totals.get((m, inquiry.service_date.year)))
    return out
