"""FHIR R4 out: a claim as a FHIR Claim, and the payer's answer as an ExplanationOfBenefit with
the adjudication per item (fhir.resources' R4B models check both as they are built)."""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B.claim import Claim
from fhir.resources.R4B.explanationofbenefit import ExplanationOfBenefit

from shared.schemas import ClaimSubmitted, RemittanceIssued
from shared.schemas.common import drop_none

NPI = "http://hl7.org/fhir/sid/us-npi"
EIN = "urn:oid:2.16.840.1.113883.4.4"
PCN = "urn:rcmflow:patient-control-number"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
CPT = "http://www.ama-assn.org/go/cpt"
HCPCS = "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"
CARC = "https://x12.org/codes/claim-adjustment-reason-codes"
ADJUDICATION = "http://terminology.hl7.org/CodeSystem/adjudication"
CLAIM_TYPE = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/claim-type", "code": "professional"}]}
SEX_TO_GENDER = {"F": "female", "M": "male", "U": "unknown"}
PATIENT_SHARE = {"1": "deductible", "3": "copay"}  # coinsurance has no code of its own: reported as a reason


def _money(cents: int) -> dict:
    return {"value": cents / 100, "currency": "USD"}


def _amount(category: str, cents: int, reason: dict | None = None) -> dict:
    """An adjudication (or total) entry: its category, and the reason where a CARC explains it."""
    return {"category": {"coding": [{"system": ADJUDICATION, "code": category}]}, "reason": reason,
            "amount": _money(cents)}  # fmt: skip


def _service(code: str) -> dict:
    return {"coding": [{"system": _code_system(code), "code": code}]}


def _code_system(code: str) -> str:
    return HCPCS if code[0].isalpha() else CPT


def _contained(claim: ClaimSubmitted) -> list[dict]:
    p, f, r, c = claim.patient, claim.billing_provider, claim.rendering_provider, claim.coverage
    return [
        {"resourceType": "Patient", "id": "patient", "identifier": [{"value": p.id}],
         "name": [{"family": p.last_name, "given": [p.first_name]}], "gender": SEX_TO_GENDER[p.sex],
         "birthDate": p.birth_date.isoformat()},
        {"resourceType": "Organization", "id": "provider", "name": f.name,
         "identifier": [{"system": NPI, "value": f.npi}, {"system": EIN, "value": f.tax_id}]},
        {"resourceType": "Practitioner", "id": "rendering", "identifier": [{"system": NPI, "value": r.npi}],
         "name": [{"family": r.last_name, "given": [r.first_name]}]},
        {"resourceType": "Organization", "id": "payer", "name": claim.payer_id,
         "identifier": [{"system": "urn:rcmflow:payer-id", "value": claim.payer_id}]},
        {"resourceType": "Coverage", "id": "coverage", "status": "active", "subscriberId": c.member_id,
         "beneficiary": {"reference": "#patient"}, "payor": [{"reference": "#payer"}],
         "relationship": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/subscriber-relationship",
                                      "code": c.relationship}]}},
    ]  # fmt: skip


def _common(claim: ClaimSubmitted) -> dict[str, Any]:
    return {
        "id": claim.claim_id,
        "identifier": [{"system": PCN, "value": claim.patient_control_number}],
        "status": "active",
        "type": CLAIM_TYPE,
        "use": "claim",
        "patient": {"reference": "#patient"},
        "created": claim.occurred_at.isoformat(),
        "provider": {"reference": "#provider"},
        "contained": _contained(claim),
    }


def fhir_claim(claim: ClaimSubmitted) -> Claim:
    data = {
        "resourceType": "Claim",
        **_common(claim),
        "priority": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/processpriority", "code": "normal"}]},
        "insurance": [{"sequence": 1, "focal": True, "coverage": {"reference": "#coverage"}}],
        "careTeam": [{"sequence": 1, "provider": {"reference": "#rendering"}}],
        "diagnosis": [
            {"sequence": n, "diagnosisCodeableConcept": {"coding": [{"system": ICD10CM, "code": code}]}}
            for n, code in enumerate(claim.diagnoses, start=1)
        ],
        "item": [
            {"sequence": ln.line_number, "careTeamSequence": [1], "diagnosisSequence": ln.diagnosis_pointers,
             "productOrService": _service(ln.procedure_code),
             "modifier": [{"coding": [{"system": CPT, "code": m}]} for m in ln.modifiers] or None,
             "servicedDate": ln.service_date.isoformat(), "quantity": {"value": ln.units},
             "net": _money(ln.charge_cents),
             "locationCodeableConcept": {"coding": [{"system": "https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set",
                                                     "code": claim.place_of_service}]}}
            for ln in claim.service_lines
        ],
        "total": _money(claim.total_charge_cents),
    }  # fmt: skip
    return Claim.model_validate(drop_none(data))


def fhir_explanation_of_benefit(claim: ClaimSubmitted, remittance: RemittanceIssued) -> ExplanationOfBenefit:
    items = []
    for n, line in enumerate(remittance.service_lines, start=1):
        adjudication = [
            _amount("submitted", line.charge_cents),
            _amount("eligible", line.allowed_cents),
            _amount("benefit", line.paid_cents),
        ]
        for a in line.adjustments:
            category = PATIENT_SHARE.get(a.carc, "noncovered" if a.group != "PR" else "submitted")
            reason = {"coding": [{"system": CARC, "code": a.carc, "display": f"{a.group}-{a.carc}"}]}
            adjudication.append(_amount(category, a.amount_cents, reason))
        matched = next((ln for ln in claim.service_lines if ln.line_control_number == line.line_control_number), None)
        items.append({
            "sequence": matched.line_number if matched else n,
            "productOrService": _service(line.procedure_code),
            "servicedDate": remittance.service_date.isoformat(),
            "adjudication": adjudication,
        })  # fmt: skip
    data = {
        "resourceType": "ExplanationOfBenefit",
        **_common(claim),
        "id": f"{claim.claim_id}-{remittance.payer_claim_control_number}",
        "identifier": [{"system": "urn:rcmflow:payer-claim-number", "value": remittance.payer_claim_control_number}],
        "insurer": {"reference": "#payer"},
        "insurance": [{"focal": True, "coverage": {"reference": "#coverage"}}],
        "claim": {"identifier": {"system": PCN, "value": claim.patient_control_number}},
        "outcome": "complete",
        "item": items,
        "total": [_amount("submitted", remittance.total_charge_cents), _amount("benefit", remittance.paid_cents)],
        "payment": {"amount": _money(remittance.paid_cents)},
    }  # fmt: skip
    return ExplanationOfBenefit.model_validate(drop_none(data))
