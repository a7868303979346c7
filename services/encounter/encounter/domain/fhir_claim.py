"""A visit's claims as FHIR R4 for its sender: the read model's summaries of the `claims` and
`remittances` events (no names, no addresses), and the Claim and ClaimResponse resources built
from them, checked against fhir.resources' R4B models (R4B changed neither resource from R4).

The pipeline's state of the visit rides on the ClaimResponse: `outcome` queued (billed, not yet
answered), complete (paid or denied), error (a later stage failed, with the reason in `error`);
`disposition` says the state in words. Before there is a claim the search answers say the state
in an OperationOutcome (domain/fhir_search.py)."""

from __future__ import annotations

from typing import Any

import orjson
from fhir.resources.R4B.claim import Claim
from fhir.resources.R4B.claimresponse import ClaimResponse
from pydantic import ValidationError

from shared.schemas import ClaimSubmitted, RemittanceIssued
from shared.schemas.common import drop_none

VISIT_SYSTEM = "urn:rcmflow:visit-id"  # the visit id the sender gave (JSON visit_id, Encounter.identifier, PV1-19)
PCN_SYSTEM = "urn:rcmflow:patient-control-number"  # CLM01, as the biller's FHIR export names it
PAYER_SYSTEM = "urn:rcmflow:payer-id"
PAYER_CLAIM_SYSTEM = "urn:rcmflow:payer-claim-number"
NPI = "http://hl7.org/fhir/sid/us-npi"
EIN = "urn:oid:2.16.840.1.113883.4.4"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
CPT = "http://www.ama-assn.org/go/cpt"
HCPCS = "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"
CARC = "https://x12.org/codes/claim-adjustment-reason-codes"
RARC = "https://x12.org/codes/remittance-advice-remark-codes"
CAS_GROUP = "https://x12.org/codes/claim-adjustment-group-codes"
PATIENT_PAY = {"system": "urn:rcmflow:adjudication", "code": "patient-responsibility"}  # CLP05; R4 has no code
ADJUDICATION = "http://terminology.hl7.org/CodeSystem/adjudication"
STATE_SYSTEM = "urn:rcmflow:visit-state"
CLAIM_TYPE = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/claim-type", "code": "professional"}]}
PRIORITY = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/processpriority", "code": "normal"}]}
PLACE = "https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set"
PATIENT_SHARE = {"1": "deductible", "3": "copay"}  # PR CARCs with a code of their own in FHIR's adjudication
DENIED, REVERSAL, VOID = "4", "22", "8"


def claim_summary(raw: bytes) -> dict[str, Any] | None:
    """What the read model keeps of a `claims` event; None when the event is not a readable claim."""
    try:
        c = ClaimSubmitted.model_validate_json(raw)
    except (ValidationError, ValueError):
        return None
    return {
        "claim_id": c.claim_id, "visit_id": c.visit_id, "patient_id": c.patient_id,
        "patient_control_number": c.patient_control_number, "frequency_code": c.frequency_code,
        "payer_id": c.payer_id, "member_id": c.coverage.member_id, "relationship": c.coverage.relationship,
        "billing_npi": c.billing_provider.npi, "billing_tin": c.billing_provider.tax_id,
        "billing_name": c.billing_provider.name, "rendering_npi": c.rendering_provider.npi,
        "place_of_service": c.place_of_service, "service_date": c.service_date.isoformat(),
        "diagnoses": c.diagnoses, "total_charge_cents": c.total_charge_cents,
        "created": c.occurred_at.isoformat(),
        "lines": [{"line_number": ln.line_number, "line_control_number": ln.line_control_number,
                   "procedure_code": ln.procedure_code, "modifiers": ln.modifiers, "units": ln.units,
                   "charge_cents": ln.charge_cents, "diagnosis_pointers": ln.diagnosis_pointers,
                   "service_date": ln.service_date.isoformat()} for ln in c.service_lines],
    }  # fmt: skip


def remittance_summary(raw: bytes) -> dict[str, Any] | None:
    """What the read model keeps of a `remittances` event; None for a reversal (the corrected
    adjudication follows it) or an unreadable event. The patient's name on it is not kept."""
    try:
        r = RemittanceIssued.model_validate_json(raw)
    except (ValidationError, ValueError):
        return None
    if r.claim_status_code == REVERSAL:
        return None
    dumped = orjson.loads(r.model_dump_json(include={"claim_adjustments", "service_lines"}))
    return {
        "claim_id": r.claim_id, "visit_id": r.visit_id, "claim_status_code": r.claim_status_code,
        "payer_id": r.payer_id, "payer_claim_control_number": r.payer_claim_control_number,
        "adjudicated_on": r.adjudicated_on.isoformat(), "created": r.occurred_at.isoformat(),
        "total_charge_cents": r.total_charge_cents, "paid_cents": r.paid_cents,
        "patient_responsibility_cents": r.patient_responsibility_cents, **dumped,
    }  # fmt: skip


def _money(cents: int) -> dict[str, Any]:
    return {"value": cents / 100, "currency": "USD"}


def _amount(category: str, cents: int, reason: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"category": {"coding": [{"system": ADJUDICATION, "code": category}]}, "reason": reason,
            "amount": _money(cents)}  # fmt: skip


def _service(code: str) -> dict[str, Any]:
    return {"coding": [{"system": HCPCS if code[:1].isalpha() else CPT, "code": code}]}


def _patient(claim: dict[str, Any]) -> dict[str, Any]:
    return {"reference": f"Patient/{claim['patient_id']}", "identifier": {"value": claim["patient_id"]}}


def _payer(payer_id: str) -> dict[str, Any]:
    return {"identifier": {"system": PAYER_SYSTEM, "value": payer_id}, "display": payer_id}


def _identifiers(claim: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"system": VISIT_SYSTEM, "value": claim["visit_id"]},
            {"system": PCN_SYSTEM, "value": claim["patient_control_number"]}]  # fmt: skip


def claim_resource(claim: dict[str, Any]) -> dict[str, Any]:
    """The claim as the biller sent it to the payer, as a FHIR Claim (checked)."""
    coverage = {"resourceType": "Coverage", "id": "coverage", "status": "active", "subscriberId": claim["member_id"],
                "beneficiary": _patient(claim), "payor": [_payer(claim["payer_id"])],
                "relationship": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/subscriber-relationship",
                                             "code": claim["relationship"]}]}}  # fmt: skip
    data = {
        "resourceType": "Claim", "id": claim["claim_id"], "identifier": _identifiers(claim),
        "status": "cancelled" if claim["frequency_code"] == VOID else "active",
        "type": CLAIM_TYPE, "use": "claim", "patient": _patient(claim), "created": claim["created"],
        "insurer": _payer(claim["payer_id"]), "priority": PRIORITY, "contained": [coverage],
        "provider": {"identifier": {"system": NPI, "value": claim["billing_npi"]}, "display": claim["billing_name"]},
        "careTeam": [{"sequence": 1, "provider": {"identifier": {"system": NPI, "value": claim["rendering_npi"]}}}],
        "insurance": [{"sequence": 1, "focal": True, "coverage": {"reference": "#coverage"}}],
        "diagnosis": [{"sequence": n, "diagnosisCodeableConcept": {"coding": [{"system": ICD10CM, "code": code}]}}
                      for n, code in enumerate(claim["diagnoses"], start=1)],
        "item": [{"sequence": ln["line_number"], "careTeamSequence": [1], "diagnosisSequence": ln["diagnosis_pointers"],
                  "productOrService": _service(ln["procedure_code"]),
                  "modifier": [{"coding": [{"system": CPT, "code": m}]} for m in ln["modifiers"]] or None,
                  "servicedDate": ln["service_date"], "quantity": {"value": ln["units"]},
                  "net": _money(ln["charge_cents"]),
                  "locationCodeableConcept": {"coding": [{"system": PLACE, "code": claim["place_of_service"]}]}}
                 for ln in claim["lines"]],
        "total": _money(claim["total_charge_cents"]),
    }  # fmt: skip
    return checked(Claim, data)


def _adjudication(adjustments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per CAS adjustment: its group (CO, PR, OA, PI) as the category, with the FHIR
    code where one fits (PR-1 deductible, PR-3 copay), and the CARC (and RARC) as the reason."""
    out = []
    for a in adjustments:
        category = [{"system": CAS_GROUP, "code": a["group"]}]
        if a["group"] == "PR" and a["carc"] in PATIENT_SHARE:
            category.append({"system": ADJUDICATION, "code": PATIENT_SHARE[a["carc"]]})
        reason = [{"system": CARC, "code": a["carc"], "display": f"{a['group']}-{a['carc']}"}]
        if a.get("rarc"):
            reason.append({"system": RARC, "code": a["rarc"]})
        out.append(
            {"category": {"coding": category}, "reason": {"coding": reason}, "amount": _money(a["amount_cents"])}
        )
    return out


def claim_response_resource(
    claim: dict[str, Any], remittance: dict[str, Any] | None, state: str, reason: str | None
) -> dict[str, Any]:
    """Where the claim stands and, once the payer answered, its adjudication (checked)."""
    if state == "failed":
        outcome, words = "error", f"failed: {reason or 'no reason recorded'}"
    elif remittance is not None:
        denied = remittance["claim_status_code"] == DENIED
        outcome, words = "complete", "denied by the payer" if denied else "paid by the payer"
    else:
        outcome, words = "queued", f"{state.replace('_', ' ')}; the payer has not answered yet"
    data: dict[str, Any] = {
        "resourceType": "ClaimResponse", "id": claim["claim_id"], "identifier": _identifiers(claim),
        "status": "active", "type": CLAIM_TYPE, "use": "claim", "patient": _patient(claim),
        "created": (remittance or claim)["created"], "insurer": _payer(claim["payer_id"]),
        "requestor": {"identifier": {"system": NPI, "value": claim["billing_npi"]}},
        "request": {"reference": f"Claim/{claim['claim_id']}"}, "outcome": outcome,
        "disposition": words,
        "processNote": [{"number": 1, "type": "display", "text": f"visit state: {state}"}],
    }  # fmt: skip
    if state == "failed":
        data["error"] = [{"code": {"coding": [{"system": STATE_SYSTEM, "code": "failed"}], "text": reason or "failed"}}]
    if remittance is not None:
        lines = {ln["line_control_number"]: ln for ln in claim["lines"]}
        data["identifier"].append({"system": PAYER_CLAIM_SYSTEM, "value": remittance["payer_claim_control_number"]})
        data["item"] = [
            {"itemSequence": lines[ln["line_control_number"]]["line_number"] if ln["line_control_number"] in lines
             else n,
             "adjudication": [_amount("submitted", ln["charge_cents"]), _amount("eligible", ln["allowed_cents"]),
                              _amount("benefit", ln["paid_cents"]), *_adjudication(ln["adjustments"])]}
            for n, ln in enumerate(remittance["service_lines"], start=1)
        ] or None  # fmt: skip
        claim_level = _adjudication(remittance["claim_adjustments"])
        if claim_level:
            data["adjudication"] = claim_level
        data["total"] = [_amount("submitted", remittance["total_charge_cents"]),
                         _amount("benefit", remittance["paid_cents"]),
                         {"category": {"coding": [PATIENT_PAY], "text": "patient responsibility"},
                          "amount": _money(remittance["patient_responsibility_cents"])}]  # fmt: skip
        paid_in_full = {"system": "http://terminology.hl7.org/CodeSystem/ex-paymenttype", "code": "complete"}
        data["payment"] = {"type": {"coding": [paid_in_full]}, "date": remittance["adjudicated_on"],
                           "amount": _money(remittance["paid_cents"])}  # fmt: skip
    return checked(ClaimResponse, data)


def checked(model: Any, data: dict[str, Any]) -> dict[str, Any]:
    """The resource as JSON, after the FHIR model accepted it (an error here is ours, not the sender's)."""
    resource = model.model_validate(drop_none(data))
    return dict(orjson.loads(resource.model_dump_json()))
