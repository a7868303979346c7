"""The rejected work queue closes on the running stack: a claim the payer's front end rejected is
sent again corrected (an enrolled billing provider) and accepted, which closes its item; another
is written off by a person (denial work, action write_off), which closes its item; `rcm rejections`
lists open items only unless --all."""

import subprocess
import sys

import orjson

from bench.synthetic import VisitFactory
from biller.adapters.reference import load_reference
from biller.domain.claims import render_837
from shared import ids, kafka
from shared.schemas import CLAIMS, ClaimSubmitted
from shared.schemas.common import utcnow
from shared.security.credentials import request_token
from tests.helpers import as_person, intake_url, wait_for, web
from tests.integration.test_acknowledgments import UNENROLLED_NPI, office_visit
from tests.integration.test_denial_work import work
from tests.integration.test_security import bearer, client_for


def rcm(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "shared.cli.root", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, env=as_person("biller"))


async def test_accepted_resubmission_and_write_off_close_rejected_items(factory: VisitFactory, conn) -> None:  # type: ignore[no-untyped-def]
    visits = [office_visit(factory, n, f"Q{n}{factory.token}") for n in range(2)]
    for visit in visits:
        visit["facility"]["npi"] = UNENROLLED_NPI
    sender = await client_for(conn, [UNENROLLED_NPI])
    answer = web().post(
        intake_url(),
        content=orjson.dumps(visits),
        headers={**bearer(request_token(sender)[0]), "content-type": "application/json"},
        timeout=30,
    )
    assert answer.status_code == 202, answer.text

    async def items(status: str) -> int:
        return int(await conn.fetchval(
            """SELECT count(*) FROM biller.front_end_rejections r JOIN biller.claims c USING (claim_id)
               WHERE c.visit_id = ANY($1::text[]) AND r.status = $2""",
            [v["visit_id"] for v in visits], status,
        ))  # fmt: skip

    async def both_open() -> bool:
        return await items("open") == 2

    assert await wait_for(both_open, timeout=90)
    fixed_row, other_row = [
        await conn.fetchrow("SELECT claim_id, claim::text FROM biller.claims WHERE visit_id = $1", v["visit_id"])
        for v in visits
    ]
    listed = rcm("rejections", "--json")
    assert listed.returncode == 0 and fixed_row["claim_id"] in listed.stdout, listed.stderr

    # corrected and sent again with an enrolled billing provider: accepted, the item closes
    stored = ClaimSubmitted.model_validate_json(fixed_row["claim"])
    enrolled = factory.visit(5).facility  # the synthetic practices are enrolled with every payer
    corrected = stored.model_copy(update={
        "event_id": ids.event_id("test-resubmission", stored.claim_id), "occurred_at": utcnow(),
        "billing_provider": enrolled, "x12_837": None,
    })  # fmt: skip
    reference = load_reference()
    corrected = render_837(corrected, reference.payers[corrected.payer_id], reference.submitter)
    producer = kafka.make_producer()
    await producer.start()
    try:
        await producer.send_and_wait(CLAIMS, kafka.encode(corrected), key=corrected.key)
    finally:
        await producer.stop()

    async def closed(claim_id: str, by: str) -> bool:
        row = await conn.fetchrow("SELECT status, closed_by FROM biller.front_end_rejections WHERE claim_id = $1",
                                  claim_id)  # fmt: skip
        return row is not None and row["status"] == "closed" and (row["closed_by"] or "").startswith(by)

    assert await wait_for(lambda: closed(stored.claim_id, "accepted resubmission"), timeout=90)

    # the other is written off by a person (denial work, as the console does it)
    done = work(other_row["claim_id"], action="write_off", worked_by="test-biller", reason="provider not enrolled")
    assert done.status_code == 202, done.text
    assert await closed(other_row["claim_id"], "write-off by ")
    status = await conn.fetchval("SELECT status FROM biller.claims WHERE claim_id = $1", other_row["claim_id"])
    assert status == "written_off"
    again = work(other_row["claim_id"], action="write_off", worked_by="test-biller", reason="twice")
    assert again.status_code == 409  # nothing open any more

    open_now = rcm("rejections", "--json")
    assert other_row["claim_id"] not in open_now.stdout and stored.claim_id not in open_now.stdout
    everything = rcm("rejections", "--all", "--json", "--limit", "1000")
    assert other_row["claim_id"] in everything.stdout and stored.claim_id in everything.stdout
