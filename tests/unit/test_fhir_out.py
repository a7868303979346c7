"""FHIR R4 Claim and ExplanationOfBenefit for a varied set of claims, valid under fhir.resources' R4B models."""

from datetime import date

from fhir.resources.R4B.claim import Claim
from fhir.resources.R4B.explanationofbenefit import ExplanationOfBenefit

from bench.synthetic import VisitFactory, synthetic_claims
from biller.domain.fhir_out import fhir_claim, fhir_explanation_of_benefit
from tests.unit.test_claim_837 import varied_claims
from tests.unit.test_remittance_advice import varied_remittances


def test_claims_and_explanations_are_valid_r4() -> None:
    claims = varied_claims(80)
    assert len(claims) >= 50
    remittances = {r.claim_id: r for r in varied_remittances(80) if r.claim_status_code != "22"}
    by_id = {c.claim_id: c for c in synthetic_claims(VisitFactory(seed=5, as_of=date(2026, 11, 27)).visits(80),
                                                      today=date(2026, 11, 27))}  # fmt: skip
    for claim in claims:
        resource = Claim.model_validate_json(fhir_claim(claim).model_dump_json())  # round trip through JSON
        assert [d.diagnosisCodeableConcept.coding[0].code for d in resource.diagnosis] == claim.diagnoses
        assert sum(round(i.net.value * 100) for i in resource.item) == claim.total_charge_cents
        assert [i.diagnosisSequence for i in resource.item] == [ln.diagnosis_pointers for ln in claim.service_lines]
    explained = 0
    for claim_id, remittance in remittances.items():
        eob = ExplanationOfBenefit.model_validate_json(
            fhir_explanation_of_benefit(by_id[claim_id], remittance).model_dump_json()
        )
        benefit = sum(round(a.amount.value * 100) for i in eob.item for a in i.adjudication
                      if a.category.coding[0].code == "benefit")  # fmt: skip
        assert benefit == remittance.paid_cents
        assert round(eob.payment.amount.value * 100) == remittance.paid_cents
        explained += 1
    assert explained >= 50
