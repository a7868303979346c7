"""The payer's front end on the running stack: a claim with a front-end error (a billing provider
the payer has not enrolled) is rejected by the 277CA, never adjudicated, and lands in the biller's
rejected work queue with the reason; a clean claim is accepted (999 A, 277CA A2) and remitted;
`rcm export 999|277ca` writes files pyx12 accepts."""

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import orjson

from bench.synthetic import VisitFactory
from shared import x12
from shared.security.credentials import request_token
from shared.x12_structure import check_277
from tests.helpers import intake_url, wait_for, web
from tests.integration.test_security import bearer, client_for

UNENROLLED_NPI = "1234567893"  # payers.yaml: BluePeak has not enrolled this billing provider


def office_visit(factory: VisitFactory, index: int, member_id: str) -> dict:
    visit = orjson.loads(factory.visit(index).model_dump_json())
    visit["coverage"] = {"payer_id": "BLUEPEAK", "plan_id": "BP-PPO", "member_id": member_id, "relationship": "self"}
    visit.update(visit_type="office", patient_status="established", total_minutes=25, mdm=None)
    visit["diagnoses"], visit["procedures"] = [{"code": "I10"}], [{"code": "36415"}]
    return visit


async def test_a_front_end_rejection_reaches_the_rejected_queue_and_is_never_adjudicated(
    factory: VisitFactory,
    conn,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    since = datetime.now(UTC).isoformat()
    rejected = office_visit(factory, 0, f"M{factory.token}")
    rejected["facility"]["npi"] = UNENROLLED_NPI
    accepted = office_visit(factory, 1, f"N{factory.token}")
    # a sender registered for both billing providers (the demo sender's practices are all enrolled)
    sender = await client_for(conn, [UNENROLLED_NPI, accepted["facility"]["npi"]])
    answer = web().post(
        intake_url(),
        content=orjson.dumps([rejected, accepted]),
        headers={**bearer(request_token(sender)[0]), "content-type": "application/json"},
        timeout=30,
    )
    assert answer.status_code == 202, answer.text

    async def settled() -> bool:
        statuses = await conn.fetch(
            "SELECT status FROM biller.claims WHERE visit_id = ANY($1::text[])",
            [rejected["visit_id"], accepted["visit_id"]],
        )
        return len(statuses) == 2 and all(r["status"] != "submitted" for r in statuses)

    assert await wait_for(settled, timeout=90)
    claim = await conn.fetchrow("SELECT claim_id, status FROM biller.claims WHERE visit_id = $1", rejected["visit_id"])
    assert claim["status"] == "front_end_rejected"
    [queued] = await conn.fetch(
        "SELECT source, reason, status FROM biller.front_end_rejections WHERE claim_id = $1", claim["claim_id"]
    )
    assert (queued["source"], queued["status"]) == ("277CA", "open")
    assert queued["reason"].startswith("277CA A7:562:85") and UNENROLLED_NPI not in queued["reason"]
    history = await conn.fetch(
        "SELECT status FROM biller.claim_status_history WHERE claim_id = $1 ORDER BY id", claim["claim_id"]
    )
    assert [r["status"] for r in history] == ["submitted", "front_end_rejected"]
    # the payer never adjudicated it: no remittance, no posting
    for table in ("payer_sim.adjudications", "biller.postings"):
        assert not await conn.fetchval(f"SELECT count(*) FROM {table} WHERE claim_id = $1", claim["claim_id"])

    good = await conn.fetchrow(
        """SELECT c.status, a.functional_ack, a.status_category, a.payer_claim_control_number,
                  c.payer_claim_control_number AS clp07
           FROM biller.claims c JOIN biller.acknowledgments a USING (claim_id) WHERE c.visit_id = $1""",
        accepted["visit_id"],
    )
    assert good["status"] in ("paid", "partially_paid", "denied")
    assert (good["functional_ack"], good["status_category"]) == ("A", "A2")
    assert good["payer_claim_control_number"] == good["clp07"]  # 277CA REF*1K = the 835's CLP07

    for kind, transaction in (("999", "ST*999*"), ("277ca", "ST*277*")):
        out = tmp_path / kind
        command = [sys.executable, "-m", "shared.cli.root", "export", kind, "--out", str(out), "--since", since]
        result = subprocess.run(command, capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, result.stdout + result.stderr
        files = sorted(out.glob(f"*.{kind}"))
        assert len(files) >= 2
        for path in files:
            text = path.read_text()
            assert transaction in text and x12.validate(text) == [], path.name

    listed = subprocess.run([sys.executable, "-m", "shared.cli.root", "rejections", "--json"],
                            capture_output=True, text=True, timeout=120)  # fmt: skip
    assert listed.returncode == 0, listed.stderr
    assert claim["claim_id"] in {r["claim_id"] for r in orjson.loads(listed.stdout)}

    # claim status (276/277): the payer answers each claim from its state
    accepted_claim = await conn.fetchval("SELECT claim_id FROM biller.claims WHERE visit_id = $1", accepted["visit_id"])
    asked = subprocess.run([sys.executable, "-m", "shared.cli.root", "claim-status", claim["claim_id"], accepted_claim,
                            "--json"], capture_output=True, text=True, timeout=120)  # fmt: skip
    assert asked.returncode == 0, asked.stdout + asked.stderr
    by_claim = {a["claim_id"]: a for a in orjson.loads(asked.stdout)}
    assert (by_claim[claim["claim_id"]]["category"], by_claim[claim["claim_id"]]["status"]) == ("A7", "562")
    assert by_claim[accepted_claim]["category"] in ("F1", "F2") and not by_claim[accepted_claim]["pending"]
    kept = await conn.fetchval("SELECT count(*) FROM biller.claim_status_answers WHERE claim_id = $1", accepted_claim)
    assert kept >= 1
    out = tmp_path / "277"
    exported = subprocess.run([sys.executable, "-m", "shared.cli.root", "export", "277", "--out", str(out),
                               "--since", since], capture_output=True, text=True, timeout=120)  # fmt: skip
    assert exported.returncode == 0, exported.stdout + exported.stderr
    files = sorted(out.glob("*.277"))
    assert files and all(check_277(f.read_text()) == [] for f in files)
