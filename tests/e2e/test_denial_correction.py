"""A denial the biller can fix goes all the way round: the payer denies an E/M billed with a
same-day joint injection and no modifier 25 (CARC 4) — coded elsewhere, since our own coder adds
25 itself; the biller adds 25 and sends a replacement claim (frequency 7, REF*F8); the payer
takes back its first answer and pays."""

from bench.synthetic import VisitFactory
from shared import ids, kafka
from shared.schemas import CODED_ENCOUNTERS, CodedDiagnosis, CodedEncounter, CodedServiceLine, Producer
from shared.schemas.common import utcnow
from shared.schemas.visit import Coverage
from tests.helpers import wait_for


async def test_missing_modifier_corrected_and_paid(factory: VisitFactory, conn) -> None:  # type: ignore[no-untyped-def]
    # coded elsewhere (another engine, or a person) without the 25 our coder would have added
    visit = factory.visit(0)
    visit.coverage = Coverage(payer_id="BLUEPEAK", plan_id="BP-PPO", member_id=f"M{factory.token}")
    visit.prior_authorization = "PA-KNEE-1"
    coded = CodedEncounter(
        event_id=ids.event_id("test-coded", visit.visit_id), visit_id=visit.visit_id, patient_id=visit.patient.id,
        producer=Producer(service="test"), received_at=utcnow(), visit=visit, coder_version="elsewhere",
        place_of_service="11",
        diagnoses=[CodedDiagnosis(code="M17.11", description="primary osteoarthritis, right knee", source="supplied",
                                  confidence=1.0)],
        service_lines=[
            CodedServiceLine(procedure_code="99213", units=1, diagnosis_pointers=[1], source="supplied"),
            CodedServiceLine(procedure_code="20610", modifiers=["RT"], units=1, diagnosis_pointers=[1],
                             source="supplied"),
        ],
    )  # fmt: skip
    producer = kafka.make_producer()
    await producer.start()
    try:
        await producer.send_and_wait(CODED_ENCOUNTERS, kafka.encode(coded), key=coded.key)
    finally:
        await producer.stop()
    visit = {"visit_id": visit.visit_id}

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
