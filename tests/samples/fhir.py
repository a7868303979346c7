"""Synthetic FHIR R4 bundles made from synthetic visits (no real patient anywhere)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from shared.schemas import Visit
from shared.schemas.common import drop_none

SEX_TO_GENDER = {"F": "female", "M": "male", "U": "unknown"}


def _address(a: Any) -> dict | None:
    if a is None:
        return None
    return {"line": [a.line1], "city": a.city, "state": a.state, "postalCode": a.zip}


def entries_for(visit: Visit, n: int, text_only: bool = False) -> list[dict]:
    """The resources of one visit; references by fullUrl (urn:uuid) for some, Type/id for others."""
    tag = f"{n}-{visit.visit_id}"
    pat, enc, prac, org = (
        f"urn:uuid:patient-{tag}",
        f"urn:uuid:encounter-{tag}",
        f"Practitioner/pr-{n}",
        f"urn:uuid:org-{tag}",
    )
    start = datetime.combine(visit.service_date, datetime.min.time()).replace(hour=9)
    minutes = visit.total_minutes or 20
    kind = {"office": ("AMB", "ambulatory"), "telehealth": ("VR", "virtual"), "preventive": ("AMB", "ambulatory")}
    code, display = kind[visit.visit_type]
    types = []
    if visit.visit_type == "preventive":
        types.append({"text": "Annual preventive visit"})
    if visit.patient_status == "new":
        types.append({"text": "New patient visit"})
    entries: list[dict] = [
        {"fullUrl": pat, "resource": {"resourceType": "Patient", "id": visit.patient.id,
            "name": [{"family": visit.patient.last_name, "given": [visit.patient.first_name]}],
            "gender": SEX_TO_GENDER[visit.patient.sex], "birthDate": visit.patient.birth_date.isoformat(),
            "address": [_address(visit.patient.address)] if visit.patient.address else None}},
        {"fullUrl": f"http://example.org/fhir/Practitioner/pr-{n}", "resource": {"resourceType": "Practitioner", "id": f"pr-{n}",
            "identifier": [{"system": "http://hl7.org/fhir/sid/us-npi", "value": visit.provider.npi}],
            "name": [{"family": visit.provider.last_name, "given": [visit.provider.first_name]}]}},
        {"fullUrl": org, "resource": {"resourceType": "Organization", "name": visit.facility.name,
            "identifier": [{"system": "http://hl7.org/fhir/sid/us-npi", "value": visit.facility.npi},
                           {"system": "urn:oid:2.16.840.1.113883.4.4", "value": visit.facility.tax_id}],
            "address": [_address(visit.facility.address)] if visit.facility.address else None}},
        {"fullUrl": enc, "resource": {"resourceType": "Encounter", "status": "finished",
            "identifier": [{"system": "urn:example:visit", "value": visit.visit_id}],
            "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": code, "display": display},
            "type": types or None,
            "subject": {"reference": pat}, "participant": [{"individual": {"reference": prac}}],
            "period": {"start": start.isoformat() + "Z", "end": (start + timedelta(minutes=minutes)).isoformat() + "Z"},
            "serviceProvider": {"reference": org}}},
    ]  # fmt: skip
    concept: dict[str, Any]
    for i, dx in enumerate(visit.diagnoses):
        concept = {"text": dx.text} if (dx.text and (text_only or not dx.code)) else {
            "coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": dx.code}]}  # fmt: skip
        if text_only and not dx.text:
            concept = {"text": "high blood pressure" if i == 0 else "high cholesterol"}
        entries.append({"resource": {"resourceType": "Condition", "code": concept, "subject": {"reference": pat},
                                     "encounter": {"reference": enc}}})  # fmt: skip
    for proc in visit.procedures:
        concept = {"coding": [{"system": "http://www.ama-assn.org/go/cpt", "code": proc.code}]} if proc.code else {
            "text": proc.text}  # fmt: skip
        entries.append({"resource": {"resourceType": "Procedure", "status": "completed", "code": concept,
                                     "subject": {"reference": pat}, "encounter": {"reference": enc}}})  # fmt: skip
    # one Coverage each, Coverage.order the COB order (`coverage`, which tests set, is the primary)
    for cov in [visit.coverage, *visit.coverages[1:]] if visit.coverage else []:
        payer_url = f"urn:uuid:payer-{tag}-{cov.order}"
        relationship = {"self": "self", "spouse": "spouse", "child": "child", "other": "other"}[cov.relationship]
        coverage = {"resourceType": "Coverage", "status": "active", "beneficiary": {"reference": pat}, "order": cov.order,
                    "subscriberId": cov.member_id, "payor": [{"reference": payer_url}],
                    "relationship": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/subscriber-relationship",
                                                 "code": relationship}]},
                    "period": {"start": cov.effective_date.isoformat()} if cov.effective_date else None,
                    "class": [{"type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/coverage-class",
                                                    "code": "plan"}]}, "value": cov.plan_id}] if cov.plan_id else None}  # fmt: skip
        if cov.subscriber is not None:
            sub_url = f"urn:uuid:subscriber-{tag}-{cov.order}"
            coverage["subscriber"] = {"reference": sub_url}
            entries.append({"fullUrl": sub_url, "resource": {"resourceType": "RelatedPerson", "patient": {"reference": pat},
                "name": [{"family": cov.subscriber.last_name, "given": [cov.subscriber.first_name]}],
                "gender": SEX_TO_GENDER.get(cov.subscriber.sex or "U", "unknown"),
                "birthDate": cov.subscriber.birth_date.isoformat() if cov.subscriber.birth_date else None}})  # fmt: skip
        entries += [
            {"fullUrl": payer_url, "resource": {"resourceType": "Organization", "name": cov.payer_id,
                "identifier": [{"system": "urn:rcmflow:payer-id", "value": cov.payer_id}]}},
            {"resource": coverage},
        ]  # fmt: skip
    return entries


def bundle(visits: list[Visit], kind: str = "transaction", text_only: bool = False) -> dict[str, Any]:
    entries = [e for n, v in enumerate(visits) for e in entries_for(v, n, text_only)]
    if kind == "transaction":
        for e in entries:
            e["request"] = {"method": "POST", "url": e["resource"]["resourceType"]}
    out: dict[str, Any] = drop_none({"resourceType": "Bundle", "type": kind, "entry": entries})  # type: ignore[assignment]  # drop_none keeps a dict a dict
    return out
