"""Eligibility on the running stack: a visit of a member whose coverage lapsed (on the payer's
roster) never becomes a claim and lands in the eligibility work queue with the 271's answer; a
visit of an active member beside it is billed; `rcm export 271` writes files the 005010X279A1
structural check accepts."""

import csv
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import orjson

from bench.synthetic import VisitFactory
from payer_sim.adapters.reference import DATA_DIR
from shared.x12_structure import check_271
from tests.helpers import intake_url, wait_for
from tests.integration.test_intake_http import post


def roster_member(payer: str, kind: str) -> dict[str, str]:
    with (DATA_DIR / "enrollment_roster.csv").open(newline="") as fh:
        return next(r for r in csv.DictReader(fh) if r["payer_id"] == payer and r["kind"] == kind)


def visit_of(factory: VisitFactory, index: int, member: dict[str, str]) -> dict:
    visit = orjson.loads(factory.visit(index).model_dump_json())
    visit["coverage"] = {"payer_id": member["payer_id"], "plan_id": member["plan_id"],
                         "member_id": member["member_id"], "relationship": "self"}  # fmt: skip
    visit.update(visit_type="office", patient_status="established", total_minutes=25, mdm=None)
    visit["diagnoses"], visit["procedures"] = [{"code": "I10"}], [{"code": "36415"}]
    return visit


async def test_a_lapsed_members_visit_goes_to_the_eligibility_queue_and_never_becomes_a_claim(
    factory: VisitFactory,
    conn,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    since = datetime.now(UTC).isoformat()
    lapsed = visit_of(factory, 0, roster_member("BLUEPEAK", "lapsed"))
    active = visit_of(factory, 1, roster_member("BLUEPEAK", "active"))
    assert post(orjson.dumps([lapsed, active])).status_code == 202, intake_url()

    async def both_billed() -> bool:
        n = await conn.fetchval(
            "SELECT count(*) FROM biller.encounters WHERE visit_id = ANY($1::text[])",
            [lapsed["visit_id"], active["visit_id"]],
        )
        return bool(n == 2)

    assert await wait_for(both_billed, timeout=90)
    outcome = await conn.fetchval("SELECT outcome FROM biller.encounters WHERE visit_id = $1", lapsed["visit_id"])
    assert outcome == "ineligible"
    assert not await conn.fetchval("SELECT count(*) FROM biller.claims WHERE visit_id = $1", lapsed["visit_id"])
    queued = await conn.fetchrow(
        "SELECT payer_id, status, reason, state FROM biller.eligibility_queue WHERE visit_id = $1", lapsed["visit_id"]
    )
    assert (queued["payer_id"], queued["status"], queued["state"]) == ("BLUEPEAK", "inactive", "open")
    kept = await conn.fetchrow("SELECT status, answer FROM biller.eligibility WHERE visit_id = $1", lapsed["visit_id"])
    assert kept["status"] == "inactive" and "EB*6*IND*30" in kept["answer"]["x12_271"]

    good = await conn.fetchrow(
        """SELECT e.outcome, x.status, x.plan_id, x.copay_cents FROM biller.encounters e
           JOIN biller.eligibility x USING (visit_id) WHERE e.visit_id = $1""",
        active["visit_id"],
    )
    assert (good["outcome"], good["status"]) == ("claimed", "active")
    assert good["plan_id"] == active["coverage"]["plan_id"] and good["copay_cents"] is not None

    out = tmp_path / "271"
    result = subprocess.run([sys.executable, "-m", "shared.cli.root", "export", "271", "--out", str(out),
                             "--since", since], capture_output=True, text=True, timeout=300)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    files = sorted(out.glob("*.271"))
    assert files and any(lapsed["coverage"]["member_id"] in f.read_text() for f in files)
    for path in files:
        assert check_271(path.read_text()) == [], path.name

    listed = subprocess.run([sys.executable, "-m", "shared.cli.root", "eligibility-queue", "--json"],
                            capture_output=True, text=True, timeout=120)  # fmt: skip
    assert listed.returncode == 0, listed.stderr
    assert lapsed["visit_id"] in {r["visit_id"] for r in orjson.loads(listed.stdout)}
