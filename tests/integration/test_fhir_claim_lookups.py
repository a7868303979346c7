"""FHIR Claim and ClaimResponse lookups by the visit's identifier on the running encounter (issue
12): a sender follows its visit to the payer's answer — valid R4 resources with the lines, totals
and the adjudication the payer sent — only for its own facilities, every read on the access log,
a refusal as an OperationOutcome and never a 5xx."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import asyncpg
import httpx
import orjson
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.claim import Claim
from fhir.resources.R4B.claimresponse import ClaimResponse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.synthetic import VisitFactory
from shared.schemas import REMITTANCES, RemittanceIssued
from shared.security.credentials import request_token
from shared.topic_reader import end_offsets
from tests.helpers import SENDER, intake_url, read_since, wait_for, web
from tests.integration.test_security import bearer, client_for

VISIT_SYSTEM = "urn:rcmflow:visit-id"


def get(path: str, auth: Any = SENDER, **params: str) -> httpx.Response:
    return web().get(intake_url(path), params=params, auth=auth, timeout=30)


def cents(money: Any) -> int:
    return round(money.value * 100)


async def test_a_sender_follows_its_visit_to_the_payers_answer(factory: VisitFactory, conn: asyncpg.Connection) -> None:
    visit = next(v for v in factory.visits(6) if v.coverage is not None)
    before = await end_offsets(REMITTANCES)
    assert web().post(intake_url(), auth=SENDER, content=visit.model_dump_json(), timeout=30).status_code == 202

    # at once: no claim yet, and the bundle says where the visit stands
    early = get("/fhir/Claim", identifier=f"{VISIT_SYSTEM}|{visit.visit_id}")
    assert early.status_code == 200 and early.headers["content-type"].startswith("application/fhir+json")
    note = Bundle.model_validate(early.json()).entry[-1]
    assert note.search.mode == "outcome" and note.resource.issue[0].diagnostics.startswith(f"visit {visit.visit_id}: ")

    async def answered() -> bool:
        found = get("/fhir/ClaimResponse", identifier=visit.visit_id).json()
        return any(
            e["resource"].get("outcome") == "complete" for e in found.get("entry", []) if e["search"]["mode"] == "match"
        )

    assert await wait_for(answered, timeout=120)
    remittance = next(RemittanceIssued.model_validate_json(e["raw"]) for e in await read_since(REMITTANCES, before)
                      if orjson.loads(e["raw"]).get("visit_id") == visit.visit_id)  # fmt: skip

    claims = Bundle.model_validate(get("/fhir/Claim", identifier=f"{VISIT_SYSTEM}|{visit.visit_id}").json())
    assert claims.type == "searchset" and claims.total >= 1
    claim = Claim.model_validate(claims.entry[0].resource.model_dump())
    billed = await conn.fetchrow("SELECT total_charge_cents FROM biller.claims WHERE claim_id = $1", claim.id)
    assert billed is not None and cents(claim.total) == billed["total_charge_cents"] == remittance.total_charge_cents
    assert visit.patient.last_name not in get(f"/fhir/Claim/{claim.id}").text  # no names: ids, codes, amounts

    read = ClaimResponse.model_validate(get(f"/fhir/ClaimResponse/{claim.id}").json())
    by_request = Bundle.model_validate(get("/fhir/ClaimResponse", request=f"Claim/{claim.id}").json())
    assert by_request.total == 1 and by_request.entry[0].resource.id == read.id == claim.id
    assert read.outcome == "complete" and cents(read.payment.amount) == remittance.paid_cents
    totals = {t.category.coding[0].code: cents(t.amount) for t in read.total}
    assert totals["patient-responsibility"] == remittance.patient_responsibility_cents
    carcs = sorted(a.carc for ln in remittance.service_lines for a in ln.adjustments)
    assert sorted(a.reason.coding[0].code for i in read.item or [] for a in i.adjudication if a.reason) == carcs

    logged = await conn.fetch(
        "SELECT what FROM security.access_log WHERE $1 = ANY(patients) AND what LIKE 'GET /fhir/Claim%'",
        visit.patient.id,
    )
    assert {r["what"] for r in logged} >= {"GET /fhir/Claim", "GET /fhir/Claim/{id}", "GET /fhir/ClaimResponse",
                                            "GET /fhir/ClaimResponse/{id}"}  # fmt: skip

    # another sender, registered for another practice, finds nothing of it
    other = await client_for(conn, ["1234567893"])
    token, _ = request_token(other)
    theirs = web().get(
        intake_url("/fhir/Claim"), params={"identifier": visit.visit_id}, headers=bearer(token), timeout=30
    )
    assert theirs.status_code == 200 and theirs.json()["total"] == 0
    assert "entry" not in theirs.json() or theirs.json()["entry"][0]["resource"]["issue"][0]["code"] == "not-found"
    assert (
        web().get(intake_url(f"/fhir/ClaimResponse/{claim.id}"), headers=bearer(token), timeout=30).status_code == 404
    )
    assert web().get(intake_url(f"/visits/{visit.visit_id}"), headers=bearer(token), timeout=30).status_code == 404
    assert web().get(intake_url(f"/visits/{visit.visit_id}"), auth=SENDER, timeout=30).status_code == 200


def test_refusals_are_operation_outcomes() -> None:
    unauthenticated = web().get(intake_url("/fhir/Claim"), params={"identifier": "V-1"}, timeout=30)
    assert unauthenticated.status_code == 401 and unauthenticated.json()["resourceType"] == "OperationOutcome"
    for params in ({}, {"patient": "P-1"}, {"identifier": "Jos\x00é"}, {"_id": "a_b"}):
        answer = get("/fhir/Claim", **params)
        assert answer.status_code == 400 and answer.json()["resourceType"] == "OperationOutcome", params
    assert get("/fhir/ClaimResponse", request="Patient/1").status_code == 400
    assert get("/fhir/Claim/NO-SUCH-CLAIM").status_code == 404
    assert get("/fhir/Claim/not_an_id").json()["issue"][0]["code"] == "not-found"


hostile = st.text(max_size=80) | st.sampled_from(["\x00", "%", "|", "||", "Claim/", "José|Ñúñez", "x" * 5000])


@settings(max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(path=st.sampled_from(["/fhir/Claim", "/fhir/ClaimResponse", "/fhir/Claim/", "/fhir/ClaimResponse/"]),
       name=st.sampled_from(["identifier", "_id", "request", "_count"]) | hostile, value=hostile)  # fmt: skip
def test_no_query_gets_a_5xx(path: str, name: str, value: str) -> None:
    if path.endswith("/"):  # a read: the value as the id
        answer = web().get(intake_url(path + quote(value, safe="")), auth=SENDER, timeout=30)
    else:
        answer = web().get(intake_url(path), params={name: value}, auth=SENDER, timeout=30)
    assert answer.status_code < 500, answer.status_code
    if "json" in answer.headers.get("content-type", ""):  # ours (aiohttp's own 404 for an empty id is text)
        assert answer.json()["resourceType"] in ("Bundle", "OperationOutcome", "Claim", "ClaimResponse")
