"""SQL on the biller's eligibility tables: answers kept with their visits, the visits set aside
for the eligibility work queue, and the HTTP call that asks a payer (its real-time endpoint)."""

from __future__ import annotations

import logging

import aiohttp
import asyncpg

from biller.adapters.posting_repository import columns
from shared import tls
from shared.pipeline import stage
from shared.schemas import CodedEncounter
from shared.schemas.eligibility import EligibilityChecked
from shared.settings import get_settings

log = logging.getLogger(__name__)
ASK_TIMEOUT_SECONDS = 10.0


async def ask_payer(payer_id: str, inquiry: str) -> str | None:
    """The payer's 271 for a 270, or None when it cannot be asked now (the visits are billed
    unverified rather than held: a payer's outage must not stop billing)."""
    return await post_to_payer("/x12/270", payer_id, inquiry, "eligibility", ASK_TIMEOUT_SECONDS)


async def post_to_payer(path: str, payer_id: str, x12_text: str, what: str, timeout_seconds: float) -> str | None:
    """A real-time X12 request to the payer-sim's endpoint (over TLS with the local CA); its
    answer, or None when the payer cannot be asked now (logged by kind, never the text)."""
    s = get_settings()
    url = tls.url(stage("payer-sim").port(0), path, host=s.web_host)
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout_seconds)) as session,
            session.post(url, params={"payer": payer_id}, data=x12_text.encode(), ssl=tls.http_verify()) as response,
        ):
            if response.status != 200:
                log.warning("%s: payer %s answered HTTP %s", what, payer_id, response.status)
                return None
            return await response.text()
    except (TimeoutError, aiohttp.ClientError, OSError) as exc:
        log.warning("%s: payer %s could not be asked (%s)", what, payer_id, type(exc).__name__)
        return None


class EligibilityRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def billed_before(self, visit_ids: list[str]) -> set[str]:
        rows = await self._conn.fetch(
            "SELECT visit_id FROM biller.encounters WHERE visit_id = ANY($1::text[])", visit_ids
        )
        return {r["visit_id"] for r in rows}

    async def record(self, checks: list[EligibilityChecked]) -> None:
        if not checks:
            return
        rows = [
            (c.event_id, c.visit_id, c.payer_id, c.answer.member_id, c.answer.status, c.answer.plan_id,
             c.answer.copay_cents, c.answer.deductible_remaining_cents, c.answer.rejection_code, c.answer.reason,
             c.model_dump_json())
            for c in checks
        ]  # fmt: skip
        await self._conn.execute(
            """INSERT INTO biller.eligibility (event_id, visit_id, payer_id, member_id, status, plan_id, copay_cents,
                   deductible_remaining_cents, rejection_code, reason, answer)
               SELECT e, v, p, m, s, pl, c, d, r, re, a::jsonb
               FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[],
                           $8::bigint[], $9::text[], $10::text[], $11::text[]) AS t(e, v, p, m, s, pl, c, d, r, re, a)
               ON CONFLICT DO NOTHING""",
            *columns(rows, 11),
        )

    async def set_aside(self, items: list[tuple[CodedEncounter, EligibilityChecked]]) -> None:
        """The encounters not billed because their member was not eligible, and their queue items."""
        if not items:
            return
        await self._conn.execute(
            """INSERT INTO biller.encounters (visit_id, patient_id, coded_event_id, outcome, problems, received_at)
               SELECT v, p, e, 'ineligible', jsonb_build_array(r), t
               FROM unnest($1::text[], $2::text[], $3::uuid[], $4::text[], $5::timestamptz[]) AS u(v, p, e, r, t)
               ON CONFLICT (visit_id) DO NOTHING""",
            *columns([(c.visit_id, c.patient_id, c.event_id, e.answer.reason, c.received_at) for c, e in items], 5),
        )
        await self._conn.execute(
            """INSERT INTO biller.eligibility_queue (visit_id, payer_id, status, reason)
               SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) ON CONFLICT DO NOTHING""",
            *columns([(c.visit_id, e.payer_id, e.answer.status, e.answer.reason) for c, e in items], 4),
        )

    async def open_queue(self, limit: int) -> list[dict[str, object]]:
        rows = await self._conn.fetch(
            """SELECT q.visit_id, q.payer_id, q.status, q.reason, q.created_at, e.member_id
               FROM biller.eligibility_queue q
               LEFT JOIN LATERAL (SELECT member_id FROM biller.eligibility x WHERE x.visit_id = q.visit_id
                                  ORDER BY checked_at DESC LIMIT 1) e ON true
               WHERE q.state = 'open' ORDER BY q.created_at DESC LIMIT $1""",
            limit,
        )
        return [dict(r) for r in rows]

    async def answers_271(self, since: object) -> list[tuple[str, str]]:
        """(payer, 271 text) of every distinct answer since a time, oldest first."""
        rows = await self._conn.fetch(
            """SELECT DISTINCT ON (answer->>'x12_271') payer_id, answer->>'x12_271' AS text, checked_at
               FROM biller.eligibility WHERE answer->>'x12_271' IS NOT NULL
                 AND ($1::timestamptz IS NULL OR checked_at >= $1)
               ORDER BY answer->>'x12_271', checked_at""",
            since,
        )
        return [(r["payer_id"], r["text"]) for r in sorted(rows, key=lambda r: r["checked_at"])]
