"""The encounter's FHIR Claim / ClaimResponse lookups (issue 12), pure parts: the read model's
summaries of claims and remittances, the resources built from them (valid under fhir.resources'
R4B models, amounts and CARCs as the payer sent them, no names), the search parameters and the
searchset Bundle, and who may read which visit."""

from __future__ import annotations

from datetime import date

import orjson
import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.claim import Claim
from fhir.resources.R4B.claimresponse import ClaimResponse

from bench.synthetic import VisitFactory, synthetic_claims
from encounter.domain.fhir_claim import (
    PCN_SYSTEM,
    VISIT_SYSTEM,
    claim_resource,
    claim_response_resource,
    claim_summary,
    remittance_summary,
)
from encounter.domain.fhir_search import ClaimQuery, SearchRefused, parse_query, searchset, visit_note
from encounter.entrypoints.security import may_read_visit
from shared.security.policy import Principal
from tests.unit.test_claim_837 import varied_claims
from tests.unit.test_remittance_advice import varied_remittances


def _cents(money: object) -> int:
    return round(money.value * 100)  # type: ignore[attr-defined]


def test_claims_become_valid_claims_with_the_visit_identifier_and_no_names() -> None:
    claims = varied_claims(60)
    assert len(claims) >= 40
    for claim in claims:
        summary = claim_summary(claim.model_dump_json().encode())
        assert summary is not None
        kept = orjson.dumps(summary).decode()
        assert claim.patient.last_name not in kept and claim.patient.first_name not in kept
        resource = Claim.model_validate(claim_resource(summary))
        assert {(i.system, i.value) for i in resource.identifier} == {
            (VISIT_SYSTEM, claim.visit_id), (PCN_SYSTEM, claim.patient_control_number)
        }  # fmt: skip
        assert sum(_cents(i.net) for i in resource.item) == claim.total_charge_cents == _cents(resource.total)
        assert [d.diagnosisCodeableConcept.coding[0].code for d in resource.diagnosis] == claim.diagnoses
        assert resource.status == ("cancelled" if claim.frequency_code == "8" else "active")


def test_claim_responses_carry_the_adjudication_the_payer_sent() -> None:
    visits = VisitFactory(seed=5, as_of=date(2026, 11, 27)).visits(80)  # the claims varied_remittances answers
    claims = {c.claim_id: claim_summary(c.model_dump_json().encode())
              for c in synthetic_claims(visits, today=date(2026, 11, 27))}  # fmt: skip
    answered = 0
    for remittance in varied_remittances(80):
        summary = remittance_summary(remittance.model_dump_json().encode())
        if remittance.claim_status_code == "22":
            assert summary is None  # a reversal: the corrected adjudication follows it
            continue
        claim = claims.get(remittance.claim_id)
        assert summary is not None and claim is not None
        assert remittance.patient_last_name not in orjson.dumps(summary).decode()
        state = "denied" if remittance.claim_status_code == "4" else "paid"
        response = ClaimResponse.model_validate(claim_response_resource(claim, summary, state, None))
        assert response.outcome == "complete" and response.request.reference == f"Claim/{remittance.claim_id}"
        assert response.disposition == ("denied by the payer" if state == "denied" else "paid by the payer")
        benefit = sum(_cents(a.amount) for i in response.item or [] for a in i.adjudication
                      if a.category.coding[0].code == "benefit")  # fmt: skip
        assert benefit == remittance.paid_cents == _cents(response.payment.amount)
        totals = {t.category.coding[0].code: _cents(t.amount) for t in response.total}
        assert totals["patient-responsibility"] == remittance.patient_responsibility_cents
        sent = sorted((a.group, a.carc, a.amount_cents) for ln in remittance.service_lines for a in ln.adjustments)
        shown = sorted((a.category.coding[0].code, a.reason.coding[0].code, _cents(a.amount))
                       for i in response.item or [] for a in i.adjudication if a.reason is not None)  # fmt: skip
        assert shown == sent
        answered += 1
    assert answered >= 40


def test_a_claim_not_yet_answered_is_queued_and_a_failed_visit_says_why() -> None:
    claim = claim_summary(varied_claims(5)[0].model_dump_json().encode())
    assert claim is not None
    queued = ClaimResponse.model_validate(claim_response_resource(claim, None, "billed", None))
    assert queued.outcome == "queued" and queued.item is None and "not answered yet" in queued.disposition
    failed = ClaimResponse.model_validate(
        claim_response_resource(claim, None, "failed", "dead-lettered by payer-sim: ValidationError")
    )
    assert failed.outcome == "error" and failed.error[0].code.text == "dead-lettered by payer-sim: ValidationError"


def test_unreadable_events_are_not_kept() -> None:
    assert claim_summary(b"{") is None and claim_summary(b'{"claim_id": 1}') is None
    assert remittance_summary(b"[]") is None


@pytest.mark.parametrize(
    ("kind", "params", "expected"),
    [
        ("Claim", {"identifier": ["V-1"]}, ClaimQuery(visit_id="V-1")),
        ("Claim", {"identifier": ["http://ehr.example/visits|V-1"]}, ClaimQuery(visit_id="V-1")),
        ("Claim", {"identifier": [f"{PCN_SYSTEM}|RCABC"]}, ClaimQuery(patient_control_number="RCABC")),
        ("Claim", {"_id": ["RCABC"]}, ClaimQuery(claim_id="RCABC")),
        ("ClaimResponse", {"request": ["Claim/RCABC"]}, ClaimQuery(claim_id="RCABC")),
        ("ClaimResponse", {"request": ["https://h/fhir/Claim/RCABC"], "identifier": ["|V-1"]},
         ClaimQuery(visit_id="V-1", claim_id="RCABC")),
    ],
)  # fmt: skip
def test_search_parameters(kind: str, params: dict[str, list[str]], expected: ClaimQuery) -> None:
    assert parse_query(kind, params) == expected


@pytest.mark.parametrize(
    ("kind", "params", "named"),
    [
        ("Claim", {}, None),
        ("Claim", {"patient": ["P-1"]}, "patient"),
        ("Claim", {"request": ["Claim/X"]}, "request"),  # a ClaimResponse parameter
        ("Claim", {"identifier": ["V-1", "V-2"]}, "identifier"),
        ("Claim", {"identifier": ["V-1,V-2"]}, "identifier"),
        ("Claim", {"identifier": ["sys|"]}, "identifier"),
        ("Claim", {"identifier": ["Jos\x00é Ñúñez"]}, "identifier"),
        ("Claim", {"_id": ["a_b"]}, "_id"),
        ("ClaimResponse", {"request": ["Patient/1"]}, "request"),
        ("Claim", {"\x00bad": ["1"]}, "(unreadable name)"),
    ],
)
def test_bad_searches_are_refused_naming_the_parameter_not_its_value(
    kind: str, params: dict[str, list[str]], named: str | None
) -> None:
    with pytest.raises(SearchRefused) as refused:
        parse_query(kind, params)
    outcome = refused.value.outcome()
    assert refused.value.status == 400 and outcome["resourceType"] == "OperationOutcome"
    assert (outcome["issue"][0].get("expression") or [None])[0] == named
    assert "Ñúñez" not in orjson.dumps(outcome).decode()


def test_searchset_bundle() -> None:
    claim = claim_summary(varied_claims(5)[0].model_dump_json().encode())
    assert claim is not None
    note = visit_note(claim["visit_id"], "billed", None, 1)
    bundle = Bundle.model_validate(searchset("https://h/fhir", "https://h/fhir/Claim?identifier=x",
                                             [claim_resource(claim)], note))  # fmt: skip
    assert bundle.type == "searchset" and bundle.total == 1
    assert [e.search.mode for e in bundle.entry] == ["match", "outcome"]
    assert bundle.entry[0].fullUrl == f"https://h/fhir/Claim/{claim['claim_id']}"
    empty = Bundle.model_validate(
        searchset("https://h/fhir", "https://h/fhir/Claim", [], visit_note("V", None, None, 0))
    )
    assert empty.total == 0 and empty.entry[0].resource.issue[0].code == "not-found"
    coded = visit_note("V-9", "coded", None, 0)["issue"][0]["diagnostics"]
    assert coded == "visit V-9: coded; no claim has been sent to a payer for it yet"


def test_a_sender_reads_only_its_facilities_visits_people_read_any() -> None:
    sender = Principal("ehr", "client", frozenset({"visits.read"}), facilities=frozenset({"1234567893"}))
    assert may_read_visit(sender, "1234567893", "111111111")
    assert not may_read_visit(sender, "1992753880", "222222222")
    assert may_read_visit(sender, None, None)  # facility never known: the state alone, no patient data
    biller = Principal("pat", "user", frozenset({"visits.read"}), roles=("biller",))
    assert may_read_visit(biller, "1992753880", "222222222")
