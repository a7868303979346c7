"""People working denials against the running stack: a claim denied for a missing authorization
(CO-197) is corrected with the number and resubmitted (frequency 7) and the payer pays it; another
is written off and leaves A/R; every action is booked once, published on `denial-work`, and
refused with the field named when it cannot be taken."""

from __future__ import annotations

from typing import Any

import httpx
import orjson

from bench.synthetic import VisitFactory
from shared.schemas import DENIAL_WORK
from shared.settings import get_settings
from shared.topic_reader import end_offsets
from tests.helpers import BILLER, CODER, read_since, service_url, wait_for, web
from tests.integration.test_intake_http import post


def biller_url(path: str) -> str:
    s = get_settings()
    return service_url(s.biller_port, path)


def work(claim_id: str, auth: httpx.Auth | None = BILLER, **fields: Any) -> httpx.Response:
    body = {"worked_by": "Someone Else", "reason": "integration test", **fields}  # the token says who
    return web().post(biller_url(f"/claims/{claim_id}/denial-work"), content=orjson.dumps(body), auth=auth, timeout=60)


async def denied_claim(factory: VisitFactory, index: int, conn) -> str:  # type: ignore[no-untyped-def]
    """A knee injection (20610) for a plan that needs prior authorization, sent without it, beside
    an office visit for another problem too (so the E/M is separately identifiable: modifier 25)."""
    visit = orjson.loads(factory.visit(index).model_dump_json())
    visit["coverage"] = (visit["coverage"] or {}) | {"payer_id": "BLUEPEAK", "plan_id": "BP-PPO"}
    visit |= {"visit_type": "office", "patient_status": "established", "total_minutes": 30, "mdm": "moderate"}
    visit["diagnoses"] = [{"code": "M17.11"}, {"code": "I10"}]
    visit["procedures"] = [{"code": "20610", "units": 1}]
    visit["prior_authorization"] = None
    assert post(orjson.dumps(visit)).status_code == 202

    async def answered() -> bool:
        status = await conn.fetchval("SELECT status FROM biller.claims WHERE visit_id = $1", visit["visit_id"])
        return status in ("paid", "partially_paid", "denied")

    assert await wait_for(answered, timeout=120)
    row = await conn.fetchrow(
        """SELECT c.claim_id, c.status, array_agg(d.carc) AS carcs FROM biller.claims c
           JOIN biller.denials d USING (claim_id) WHERE c.visit_id = $1 AND d.status = 'open'
           GROUP BY c.claim_id, c.status""",
        visit["visit_id"],
    )
    assert row is not None and row["carcs"] == ["197"], row
    return str(row["claim_id"])


async def test_a_corrected_denial_is_resubmitted_and_paid(factory: VisitFactory, conn) -> None:  # type: ignore[no-untyped-def]
    claim_id = await denied_claim(factory, 0, conn)
    before = await end_offsets(DENIAL_WORK)

    # nobody, or a person without the biller's scope, changes nothing
    assert work(claim_id, auth=None, action="write_off").status_code == 401
    assert work(claim_id, auth=CODER, action="write_off").status_code == 403
    # refused, naming the field: a malformed authorization; a change on a write-off; an unknown claim
    bad = work(claim_id, action="correct", prior_authorization="PA*1~")
    assert bad.status_code == 422 and "prior_authorization" in bad.text and "PA*1" not in bad.text
    assert work(claim_id, action="write_off", prior_authorization="PA1").status_code == 422
    assert work("RCNOSUCHCLAIM", action="appeal").status_code == 404

    done = work(claim_id, action="correct", prior_authorization="AUTH-20610-1")
    assert done.status_code == 202, done.text
    assert done.json()["replacement_claim_event_id"]
    again = work(claim_id, action="correct", prior_authorization="AUTH-20610-1")
    assert again.status_code == 409  # resubmitted: nothing open to work until the payer answers

    async def paid() -> bool:
        return await conn.fetchval("SELECT status FROM biller.claims WHERE claim_id = $1", claim_id) == "paid"

    assert await wait_for(paid, timeout=120)
    claim = orjson.loads(await conn.fetchval("SELECT claim::text FROM biller.claims WHERE claim_id = $1", claim_id))
    assert claim["frequency_code"] == "7" and claim["prior_authorization"] == "AUTH-20610-1"
    assert "REF*G1*AUTH-20610-1" in claim["x12_837"]
    booked = await conn.fetch("SELECT action, worked_by FROM biller.denial_work WHERE claim_id = $1", claim_id)
    assert [(r["action"], r["worked_by"]) for r in booked] == [("correct", "test-biller")]
    assert await conn.fetchval(
        "SELECT count(*) FROM biller.denials WHERE claim_id = $1 AND status = 'open'", claim_id
    ) == 0  # fmt: skip

    events = [orjson.loads(e["raw"]) for e in await read_since(DENIAL_WORK, before)]
    mine = [e for e in events if e["claim_id"] == claim_id]
    assert [(e["action"], e["worked_by"]) for e in mine] == [("correct", "test-biller")]
    # and on the access log: who changed which patient's claim
    logged = await conn.fetchval(
        """SELECT count(*) FROM security.access_log WHERE who = 'test-biller' AND action = 'U'
           AND what = 'POST /claims/{claim_id}/denial-work' AND detail->>'claim_id' = $1""",
        claim_id,
    )
    assert logged == 1

    # the console reads it: the claim leaves its denial queue, and its history says who did what
    async def console_saw() -> bool:
        return bool(await conn.fetchval(
            "SELECT count(*) FROM console.claim_history WHERE claim_id = $1 AND status = 'corrected by a person'",
            claim_id,
        ))  # fmt: skip

    assert await wait_for(console_saw, timeout=60)


async def test_a_written_off_denial_leaves_the_queue_and_ar(factory: VisitFactory, conn) -> None:  # type: ignore[no-untyped-def]
    claim_id = await denied_claim(factory, 1, conn)
    assert work(claim_id, action="appeal").status_code == 202
    assert work(claim_id, action="appeal").status_code == 409  # the same action, once per submission
    done = work(claim_id, action="write_off", reason="authorization not obtainable")
    assert done.status_code == 202, done.text
    assert work(claim_id, action="write_off").status_code == 409  # nothing open any more
    row = await conn.fetchrow("SELECT status FROM biller.claims WHERE claim_id = $1", claim_id)
    assert row["status"] == "written_off"
    denied = await conn.fetchval(
        "SELECT sum(denied_cents) FROM biller.denial_work WHERE claim_id = $1 AND action = 'write_off'", claim_id
    )
    assert denied and denied > 0

    async def console_closed() -> bool:
        written = await conn.fetchval(
            "SELECT sum(written_off_cents) FROM console.denial_work WHERE claim_id = $1", claim_id
        )
        return written == denied

    assert await wait_for(console_closed, timeout=60)
