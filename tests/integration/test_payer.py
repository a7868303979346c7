"""The payer simulator on real Kafka and Postgres: a claim answered once, a replacement that takes
back the first answer and answers again, a void that only takes back; accumulators follow."""

import uuid

import orjson

from bench.synthetic import VisitFactory
from shared import ids, kafka
from shared.schemas import CLAIMS, ClaimSubmitted
from shared.schemas.common import utcnow
from tests.helpers import intake_url, wait_for
from tests.integration.test_intake_http import post


async def send_claim(claim: ClaimSubmitted) -> None:
    producer = kafka.make_producer()
    await producer.start()
    try:
        await producer.send_and_wait(CLAIMS, kafka.encode(claim), key=claim.key)
    finally:
        await producer.stop()


async def remittances_of(conn, claim_event_id: uuid.UUID) -> list[dict]:  # type: ignore[no-untyped-def]
    rows = await conn.fetch(
        "SELECT remittance FROM payer_sim.remittances WHERE claim_event_id = $1 ORDER BY seq", claim_event_id
    )
    return [r["remittance"] for r in rows]


async def accumulator(conn, claim: ClaimSubmitted) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    row = await conn.fetchrow(
        """SELECT deductible_met_cents, out_of_pocket_met_cents FROM payer_sim.accumulators
           WHERE payer_id = $1 AND member_id = $2 AND plan_year = $3""",
        claim.payer_id, claim.coverage.member_id, claim.service_date.year,
    )  # fmt: skip
    return (row["deductible_met_cents"], row["out_of_pocket_met_cents"])


async def test_replacement_and_void_take_back_and_correct_accumulators(factory: VisitFactory, conn) -> None:  # type: ignore[no-untyped-def]
    visit = orjson.loads(factory.visit(0).model_dump_json())
    visit["coverage"] = {"payer_id": "BLUEPEAK", "plan_id": "BP-PPO", "member_id": f"M{factory.token}",
                         "relationship": "self"}  # fmt: skip
    visit["visit_type"], visit["patient_status"], visit["total_minutes"], visit["mdm"] = (
        "office",
        "established",
        25,
        None,
    )
    visit["diagnoses"] = [{"code": "I10"}]
    visit["procedures"] = [{"code": "36415"}, {"code": "85025"}]
    assert post(orjson.dumps(visit)).status_code == 202, intake_url()

    async def posted() -> bool:
        return bool(await conn.fetchval(
            "SELECT 1 FROM biller.claims WHERE visit_id = $1 AND status <> 'submitted'", visit["visit_id"]
        ))  # fmt: skip

    assert await wait_for(posted, timeout=60)
    row = await conn.fetchrow("SELECT claim, payer_claim_control_number FROM biller.claims WHERE visit_id = $1",
                              visit["visit_id"])  # fmt: skip
    original = ClaimSubmitted.model_validate(row["claim"])
    after_original = await accumulator(conn, original)
    assert after_original[0] > 0  # a $1,500 deductible: the visit went toward it

    # a corrected claim (a diagnosis added): the first answer is taken back, the claim answered again
    replacement = original.model_copy(update={
        "event_id": ids.event_id("test-replacement", original.claim_id), "frequency_code": "7",
        "payer_claim_control_number": row["payer_claim_control_number"], "occurred_at": utcnow(),
        "diagnoses": [*original.diagnoses, "E78.5"],
    })  # fmt: skip
    await send_claim(replacement)

    async def answered(event_id: uuid.UUID, n: int) -> bool:
        return len(await remittances_of(conn, event_id)) >= n

    assert await wait_for(lambda: answered(replacement.event_id, 2), timeout=60)
    reversal, again = await remittances_of(conn, replacement.event_id)
    assert reversal["claim_status_code"] == "22" and reversal["reverses"] == row["payer_claim_control_number"]
    [first] = await remittances_of(conn, original.event_id)
    assert reversal["paid_cents"] == -first["paid_cents"]
    assert reversal["patient_responsibility_cents"] == -first["patient_responsibility_cents"]
    assert again["claim_status_code"] == "1" and len(again["service_lines"]) == len(original.service_lines)
    # taken back, then applied again: the member's totals are where the first answer left them
    assert await accumulator(conn, replacement) == after_original

    void = replacement.model_copy(update={"event_id": ids.event_id("test-void", original.claim_id),
                                          "frequency_code": "8", "occurred_at": utcnow()})  # fmt: skip
    await send_claim(void)
    assert await wait_for(lambda: answered(void.event_id, 1), timeout=60)
    assert [r["claim_status_code"] for r in await remittances_of(conn, void.event_id)] == ["22"]
    assert await accumulator(conn, original) == (0, 0)
    assert not await conn.fetchval("SELECT count(*) FROM payer_sim.adjudications WHERE claim_id = $1 AND active",
                                   original.claim_id)  # fmt: skip

    async def biller_saw_the_void() -> bool:
        return (
            await conn.fetchval("SELECT status FROM biller.claims WHERE claim_id = $1", original.claim_id) == "reversed"
        )

    assert await wait_for(biller_saw_the_void, timeout=60)
    claim_row = await conn.fetchrow(
        "SELECT paid_cents, patient_responsibility_cents FROM biller.claims WHERE claim_id = $1", original.claim_id
    )
    assert (claim_row["paid_cents"], claim_row["patient_responsibility_cents"]) == (0, 0)
    history = await conn.fetch(
        "SELECT status FROM biller.claim_status_history WHERE claim_id = $1 ORDER BY id", original.claim_id
    )
    assert [r["status"] for r in history] == ["submitted", "paid", "reversed", "paid", "reversed"]
