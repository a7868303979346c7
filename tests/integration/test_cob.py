"""Coordination of benefits on the running stack: a Medicare + Medigap visit paid by both, the
secondary paying what its plan owes after Medicare and the patient owing only the rest; a
tertiary claim after two employer plans; a replayed 835 builds no second secondary claim; the
secondary 837P and its 835 valid under pyx12 and openx12."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from bench.synthetic import VisitFactory
from biller.domain.claim_validation import validate_837
from payer_sim.adapters.reference import load_reference
from payer_sim.domain.remittance_advice import remittance_advice
from shared import kafka, x12
from shared.schemas import REMITTANCES, ClaimSubmitted, RemittanceIssued, Visit
from tests.helpers import SENDER, as_person, intake_url, wait_for, web
from tests.integration.test_fhir_hl7_intake import hl7_ready
from tests.integration.test_intake_http import post
from tests.property import readers
from tests.samples.fhir import bundle
from tests.samples.hl7 import message

COVERED_BY_PLAN_G = {"2", "3"}  # Medigap plan G pays Part B coinsurance and copays, not the deductible


def visit_with(factory: VisitFactory, n: int, coverages: list[dict[str, Any]], patient: dict | None = None) -> dict:
    visit = orjson.loads(factory.visit(n).model_dump_json())
    visit.pop("coverage", None)
    visit["coverages"] = coverages
    if patient is not None:
        visit["patient"] = patient
    visit.update(visit_type="office", patient_status="new", total_minutes=65, mdm=None)
    visit["diagnoses"] = [{"code": "I10"}]
    visit["procedures"] = [{"code": "93000"}, {"code": "36415"}, {"code": "80053"}]
    return visit


async def claims_of(conn, visit_id: str) -> list[dict]:  # type: ignore[no-untyped-def]
    rows = await conn.fetch(
        """SELECT claim_id, status, paid_cents, patient_responsibility_cents, claim::text AS claim
           FROM biller.claims WHERE visit_id = $1""",
        visit_id,
    )
    return [dict(r) for r in rows]


async def settled(conn, visit_id: str, claims: int) -> bool:  # type: ignore[no-untyped-def]
    rows = await claims_of(conn, visit_id)
    return len(rows) == claims and all(r["status"] not in ("submitted",) for r in rows)


async def answer_to(conn, claim_id: str) -> RemittanceIssued:  # type: ignore[no-untyped-def]
    row = await conn.fetchrow(
        "SELECT remittance::text FROM biller.postings WHERE claim_id = $1 ORDER BY posted_at DESC LIMIT 1", claim_id
    )
    return RemittanceIssued.model_validate_json(row[0])


async def ledger(conn, visit_id: str) -> int:  # type: ignore[no-untyped-def]
    return int(await conn.fetchval(
        "SELECT coalesce(sum(amount_cents), 0) FROM biller.patient_ledger WHERE visit_id = $1", visit_id
    ))  # fmt: skip


def by_sequence(rows: list[dict]) -> dict[str, tuple[ClaimSubmitted, dict]]:
    out = {}
    for r in rows:
        claim = ClaimSubmitted.model_validate_json(r["claim"])
        out[claim.payer_sequence] = (claim, r)
    return out


def pr_of(remittance: RemittanceIssued, carcs: set[str] | None = None) -> int:
    return sum(
        a.amount_cents
        for ln in remittance.service_lines
        for a in ln.adjustments
        if a.group == "PR" and (carcs is None or a.carc in carcs)
    )


def check_files(claim: ClaimSubmitted, remittance: RemittanceIssued) -> None:
    """The 837P under pyx12 (X222A1) and openx12; the 835 under pyx12 (X221A1) and openx12."""
    assert claim.x12_837 is not None
    assert validate_837(claim.x12_837) == []
    parsed = readers.read_837(claim.x12_837)
    assert parsed is not None
    text_835 = remittance_advice(load_reference().payers[remittance.payer_id], [remittance], 1, datetime.now(UTC))
    assert x12.validate(text_835) == []
    assert readers.read_835(text_835) is not None


async def test_medicare_and_medigap_both_pay_and_the_patient_owes_the_rest(factory: VisitFactory, conn) -> None:  # type: ignore[no-untyped-def]
    member = f"1EG{factory.token}"[:11]
    coverages = [
        {"payer_id": "MEDIGAP", "plan_id": "MG-G", "member_id": f"MG{factory.token}", "insurance_kind": "medigap"},
        {"payer_id": "MEDICARE", "member_id": member, "insurance_kind": "medicare"},  # no order: MSP rules
    ]
    first = visit_with(factory, 0, coverages)
    assert post(orjson.dumps(first)).status_code == 202, intake_url()
    # the first visit goes toward the Part B deductible; the second, the same patient, is paid by Medicare
    assert await wait_for(lambda: settled(conn, first["visit_id"], 2), timeout=120)
    second = visit_with(factory, 1, coverages, patient=first["patient"])
    second["procedures"] = [{"code": "93000"}, {"code": "36415"}, {"code": "85025"}, {"code": "80061"}]
    second["patient_status"] = "established"
    assert post(orjson.dumps(second)).status_code == 202
    assert await wait_for(lambda: settled(conn, second["visit_id"], 2), timeout=120)

    claims = by_sequence(await claims_of(conn, second["visit_id"]))
    (primary, _), (secondary, secondary_row) = claims["P"], claims["S"]
    assert (primary.payer_id, secondary.payer_id) == ("MEDICARE", "MEDIGAP")
    assert secondary.primary_claim_id == primary.claim_id and secondary.claim_id != primary.claim_id
    medicare = await answer_to(conn, primary.claim_id)
    medigap = await answer_to(conn, secondary.claim_id)
    assert medicare.paid_cents > 0, "Medicare pays once the deductible is met"
    assert medigap.claim_status_code == "2" and medigap.paid_cents > 0
    # plan G: what Medicare left as coinsurance and copay, never more than Medicare left
    assert medigap.paid_cents == pr_of(medicare, COVERED_BY_PLAN_G)
    assert medigap.paid_cents <= medicare.patient_responsibility_cents
    assert medigap.patient_responsibility_cents == medicare.patient_responsibility_cents - medigap.paid_cents
    assert secondary_row["patient_responsibility_cents"] == medigap.patient_responsibility_cents
    assert await ledger(conn, second["visit_id"]) == medigap.patient_responsibility_cents
    # the secondary carries Medicare's answer: AMT*D, AMT*EAF, the lines' SVD and DTP*573
    assert secondary.prior_payers[0].paid_cents == medicare.paid_cents
    text = secondary.x12_837 or ""
    assert f"AMT*D*{x12.money(medicare.paid_cents)}~" in text and "SVD*00999*" in text and "DTP*573*D8*" in text
    assert "*OA*23*" not in text and any(a.carc == "23" for ln in medigap.service_lines for a in ln.adjustments)
    check_files(secondary, medigap)

    # a replayed 835 of Medicare builds no second secondary claim
    producer = kafka.make_producer()
    await producer.start()
    try:
        await producer.send_and_wait(REMITTANCES, kafka.encode(medicare), key=medicare.key)
    finally:
        await producer.stop()

    async def replay_posted() -> bool:
        return bool(await conn.fetchval(
            "SELECT count(*) FROM biller.postings WHERE claim_id = $1", secondary.claim_id
        ))  # fmt: skip

    assert await wait_for(replay_posted, timeout=30)
    rows = await claims_of(conn, second["visit_id"])
    assert len(rows) == 2
    assert (
        await conn.fetchval("SELECT count(*) FROM biller.cob_claims WHERE primary_claim_id = $1", primary.claim_id) == 1
    )


async def test_tertiary_after_two_employer_plans(factory: VisitFactory, conn, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    since = datetime.now(UTC).isoformat()
    coverages = [
        {"payer_id": "MEDICAID", "member_id": f"MC{factory.token}", "order": 3, "insurance_kind": "medicaid"},
        {"payer_id": "BLUEPEAK", "plan_id": "BP-PPO", "member_id": f"BP{factory.token}", "order": 1},
        {"payer_id": "NORTHSTAR", "plan_id": "NS-HMO", "member_id": f"NS{factory.token}", "order": 2},
    ]
    visit = visit_with(factory, 2, coverages)
    visit["patient_status"] = "established"
    assert post(orjson.dumps(visit)).status_code == 202, intake_url()
    assert await wait_for(lambda: settled(conn, visit["visit_id"], 3), timeout=180)
    claims = by_sequence(await claims_of(conn, visit["visit_id"]))
    assert [claims[s][0].payer_id for s in "PST"] == ["BLUEPEAK", "NORTHSTAR", "MEDICAID"]
    answers = {s: await answer_to(conn, claims[s][0].claim_id) for s in "PST"}
    tertiary = claims["T"][0]
    assert [p.payer_id for p in tertiary.prior_payers] == ["BLUEPEAK", "NORTHSTAR"]
    assert answers["T"].claim_status_code == "3"
    left_by_secondary = answers["S"].patient_responsibility_cents
    assert 0 < answers["T"].paid_cents <= left_by_secondary
    assert answers["T"].patient_responsibility_cents == left_by_secondary - answers["T"].paid_cents
    assert await ledger(conn, visit["visit_id"]) == answers["T"].patient_responsibility_cents
    check_files(tertiary, answers["T"])

    # `rcm export 837` writes the secondary and the tertiary claims with the primary, each to its payer
    command = [sys.executable, "-m", "shared.cli.root", "export", "837", "--out", str(tmp_path), "--since", since]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, env=as_person("biller"))
    assert result.returncode == 0, result.stdout + result.stderr
    for sequence, payer in (("S", "NORTHSTAR"), ("T", "MEDICAID")):
        texts = [p.read_text() for p in tmp_path.glob(f"{payer}-*.837")]
        claim_id = claims[sequence][0].claim_id
        assert any(f"CLM*{claim_id}*" in t and f"SBR*{sequence}*" in t for t in texts), payer


def medicare_and_medigap(visit: Visit, token: str) -> Visit:
    # an office visit: a Medicare preventive visit without its wellness history goes to a person, and so does
    # a vaccine Medicare covers under Part D (the synthetic visits give some a Tdap): keep the supplied codes
    fields = {**visit.model_dump(exclude={"coverage"}), "visit_type": "office"}
    fields["procedures"] = [p for p in fields["procedures"] if p["code"] and not p["code"].startswith("90")]
    return Visit.model_validate({**fields, "coverages": [
        {"payer_id": "MEDICARE", "member_id": f"1EG{token}"[:11], "insurance_kind": "medicare", "order": 1},
        {"payer_id": "MEDIGAP", "plan_id": "MG-F", "member_id": f"MG{token}", "insurance_kind": "medigap",
         "order": 2},
    ]})  # fmt: skip


async def primary_names_medigap(conn, visit_id: str) -> bool:  # type: ignore[no-untyped-def]
    rows = await claims_of(conn, visit_id)
    claims = [ClaimSubmitted.model_validate_json(r["claim"]) for r in rows]
    return any(c.payer_sequence == "P" and [p.payer_id for p in c.later_payers] == ["MEDIGAP"] for c in claims)


async def test_fhir_and_hl7_carry_both_coverages_in_order(factory: VisitFactory, conn) -> None:  # type: ignore[no-untyped-def]
    """Both channels' visits reach the biller with Medigap named on the primary claim."""
    fhir_visit, hl7_visit = (medicare_and_medigap(hl7_ready(v), factory.token) for v in factory.visits(2))
    response = web().post(auth=SENDER, url=intake_url("/fhir"), content=orjson.dumps(bundle([fhir_visit])), timeout=30)
    assert response.status_code in (200, 202), response.text
    text = message(hl7_visit, f"{factory.token}-COB")
    response = web().post(auth=SENDER, url=intake_url("/hl7v2"), content=text.encode(), timeout=30)
    assert response.status_code == 200 and f"MSA|AA|{factory.token}-COB" in response.text, response.text
    for visit in (fhir_visit, hl7_visit):
        assert await wait_for(lambda v=visit: primary_names_medigap(conn, v.visit_id), timeout=120), visit.visit_id

    # two IN1 with the same coordination of benefits priority: refused, naming IN1-22
    twice = medicare_and_medigap(hl7_ready(factory.visit(2)), factory.token)
    segments = [seg.split("|") for seg in message(twice, f"{factory.token}-DUP").split("\r")]
    for fields in segments:
        if fields[0] == "IN1":
            fields[22] = "1"
    bad = "\r".join("|".join(fields) for fields in segments)
    response = web().post(auth=SENDER, url=intake_url("/hl7v2"), content=bad.encode(), timeout=30)
    assert f"MSA|AE|{factory.token}-DUP" in response.text and "IN1-22" in response.text, response.text
