"""A denial the biller can fix goes all the way round: the payer denies an E/M billed with a
same-day joint injection and no modifier 25 (CARC 4); the biller adds 25 and sends a
replacement claim (frequency 7, REF*F8); the payer takes back its first answer and pays."""

import orjson

from rcmflow.shared.synthetic import VisitFactory
from tests.helpers import wait_for
from tests.integration.test_intake_http import post


async def test_missing_modifier_corrected_and_paid(factory: VisitFactory, conn) -> None:  # type: ignore[no-untyped-def]
    visit = orjson.loads(factory.visit(0).model_dump_json())
    visit["coverage"] = {"payer_id": "BLUEPEAK", "plan_id": "BP-PPO", "member_id": f"M{factory.token}",
                         "relationship": "self"}  # fmt: skip
    visit.update(visit_type="office", patient_status="established", total_minutes=25, mdm="low",
                 diagnoses=[{"code": "M17.11"}], procedures=[{"code": "20610", "units": 1}],
                 prior_authorization="PA-KNEE-1")  # fmt: skip
    assert post(orjson.dumps(visit)).status_code == 202

    async def history() -> list[tuple[str, str | None]]:
        rows = await conn.fetch(
            """SELECT h.status, h.reason FROM biller.claim_status_history h JOIN biller.claims c USING (claim_id)
               WHERE c.visit_id = $1 ORDER BY h.id""",
            visit["visit_id"],
        )
        return [(r["status"], r["reason"]) for r in rows]

    async def settled() -> bool:
        return [s for s, _ in await history()][-1:] == ["paid"]

    assert await wait_for(settled, timeout=90), await history()
    steps = await history()
    assert [s for s, _ in steps] == ["submitted", "partially_paid", "submitted", "reversed", "paid"]
    assert steps[1][1] == "4" and "modifier 25" in (steps[2][1] or "")
    claim = await conn.fetchrow(
        "SELECT claim, frequency_code, corrections, paid_cents FROM biller.claims WHERE visit_id = $1",
        visit["visit_id"],
    )
    assert claim["frequency_code"] == "7" and claim["corrections"] == 1 and claim["paid_cents"] >= 0
    sent = claim["claim"]
    assert sent["service_lines"][0]["modifiers"] == ["25"]
    assert "REF*F8*" in sent["x12_837"] and ":B:7*" in sent["x12_837"]
    assert not await conn.fetchval(
        "SELECT count(*) FROM biller.denials d JOIN biller.claims c USING (claim_id) "
        "WHERE c.visit_id = $1 AND d.status = 'open'",
        visit["visit_id"],
    )
