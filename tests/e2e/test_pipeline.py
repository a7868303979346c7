"""The whole loop: 200 visits through POST /visits come out as posted claims (or, for the few the
coder cannot settle, as review items), once each."""

import orjson

from bench.publish import finished
from bench.synthetic import VisitFactory
from shared.cli.status import read_status
from shared.plugins import prefixed
from shared.schemas import CLAIMS, CODED_ENCOUNTERS, CODING_REVIEW, REMITTANCES, VISITS
from shared.topic_reader import end_offsets
from tests.helpers import SENDER, async_web, intake_url, read_since, visit_ids_of, wait_for

VISITS_IN_RUN = 200


async def test_two_hundred_visits_end_to_end(factory: VisitFactory, conn) -> None:  # type: ignore[no-untyped-def]
    visits = [orjson.loads(v.model_dump_json()) for v in factory.visits(VISITS_IN_RUN)]
    wanted = {v["visit_id"] for v in visits}
    topics = (VISITS, CODED_ENCOUNTERS, CLAIMS, REMITTANCES)
    before = {t: await end_offsets(t) for t in topics}
    review_before = await end_offsets(CODING_REVIEW)

    async with async_web(timeout=60) as client:
        for start in range(0, VISITS_IN_RUN, 50):
            response = await client.post(
                auth=SENDER, url=intake_url(), content=orjson.dumps(visits[start : start + 50])
            )
            assert response.status_code == 202, response.text
            assert len(response.json()["accepted"]) == 50

    scope = prefixed(f"V-{factory.token}-")

    async def all_finished() -> bool:
        return await finished(conn, scope) >= VISITS_IN_RUN

    assert await wait_for(all_finished, timeout=240, every=1.0), await read_status(scope)

    # each visit once on visits; then coded by the engine or sent to a person (a few synthetic
    # visits need one), never both; every coded one claimed and remitted exactly once
    on = {t: [v for v in visit_ids_of(await read_since(t, before[t])) if v in wanted] for t in topics}
    to_review = [v for v in visit_ids_of(await read_since(CODING_REVIEW, review_before)) if v in wanted]
    assert sorted(on[VISITS]) == sorted(wanted), "visits: not every visit exactly once"
    assert sorted(on[CODED_ENCOUNTERS] + to_review) == sorted(wanted), "coded or to review: not exactly once"
    assert len(to_review) <= VISITS_IN_RUN // 20, "the engine sends most synthetic visits on without a person"
    coded = set(on[CODED_ENCOUNTERS])
    for topic in (CLAIMS, REMITTANCES):
        assert sorted(on[topic]) == sorted(coded), f"{topic}: not every coded visit exactly once"

    status = {row.key: row.value for row in await read_status(scope)}
    assert status["visits"] == VISITS_IN_RUN
    assert status["coded"] == status["claims"] == status["remitted"] == len(coded)
    assert status["remittance_exceptions"] == 0
    rows = await conn.fetch(
        """SELECT c.claim_id, c.total_charge_cents, c.paid_cents, c.patient_responsibility_cents, c.adjustment_cents,
                  (SELECT count(*) FROM biller.postings p WHERE p.claim_id = c.claim_id) AS postings,
                  (SELECT coalesce(sum(amount_cents), 0) FROM biller.posting_adjustments a
                     JOIN biller.postings p USING (remittance_event_id) WHERE p.claim_id = c.claim_id) AS cas_total
           FROM biller.claims c WHERE c.visit_id = ANY($1::text[])""",
        list(wanted),
    )
    assert len(rows) == len(coded)
    for r in rows:
        assert r["postings"] == 1, r["claim_id"]
        # billed = paid + adjustments + patient share, and the CAS rows add up to what was not paid
        assert r["total_charge_cents"] == r["paid_cents"] + r["adjustment_cents"] + r["patient_responsibility_cents"]
        assert r["cas_total"] == r["total_charge_cents"] - r["paid_cents"]
    assert sum(r["paid_cents"] for r in rows) > 0
