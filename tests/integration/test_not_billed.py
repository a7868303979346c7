"""Visits that do not become claims sent to a payer: self-pay is billed to the patient at the
self-pay price; a claim to a payer the practice does not bill is rejected, with the reason."""

import orjson

from bench.synthetic import VisitFactory
from tests.helpers import intake_url, wait_for
from tests.integration.test_intake_http import post


async def test_self_pay_statement_and_unknown_payer(factory: VisitFactory, conn) -> None:  # type: ignore[no-untyped-def]
    self_pay, unknown = (orjson.loads(factory.visit(i).model_dump_json()) for i in range(2))
    self_pay["coverage"] = None
    unknown["coverage"] = {**(unknown["coverage"] or {"member_id": "M1"}), "payer_id": "NOSUCHPAYER", "plan_id": None}
    assert post(orjson.dumps([self_pay, unknown])).status_code == 202, intake_url()

    async def both_billed() -> bool:
        n = await conn.fetchval(
            "SELECT count(*) FROM biller.encounters WHERE visit_id = ANY($1::text[])",
            [self_pay["visit_id"], unknown["visit_id"]],
        )
        return n == 2

    assert await wait_for(both_billed, timeout=60)
    owed = await conn.fetchval(
        "SELECT sum(amount_cents) FROM biller.patient_ledger WHERE visit_id = $1 AND kind = 'self_pay'",
        self_pay["visit_id"],
    )
    assert owed and owed > 0
    assert await conn.fetchval("SELECT count(*) FROM biller.claims WHERE visit_id = $1", self_pay["visit_id"]) == 0
    row = await conn.fetchrow("SELECT status, scrub_errors FROM biller.claims WHERE visit_id = $1", unknown["visit_id"])
    assert row["status"] == "rejected"
    assert any(e.startswith("S16") for e in row["scrub_errors"])
    outcome = await conn.fetchval("SELECT outcome FROM biller.encounters WHERE visit_id = $1", unknown["visit_id"])
    assert outcome == "rejected"
