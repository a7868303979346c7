"""FHIR R4 in: a Bundle (transaction or collection) of Patient, Coverage, Encounter, Condition,
Procedure, Practitioner, Organization/Location, parsed with fhir.resources' R4B models and
mapped to visits. Every problem is reported with its element path; one bad Encounter rejects
the whole bundle, so nothing is published from it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from fhir.resources.R4B.bundle import Bundle
from pydantic import ValidationError

from encounter.domain.intake import FieldError, IntakeRejected
from shared.schemas import Visit
from shared.schemas.common import drop_none

NPI_SYSTEM = "http://hl7.org/fhir/sid/us-npi"
EIN_SYSTEMS = {"urn:oid:2.16.840.1.113883.4.4", "http://terminology.hl7.org/NamingSystem/USEIN"}
ICD10CM_SYSTEMS = {"http://hl7.org/fhir/sid/icd-10-cm", "http://hl7.org/fhir/sid/icd-10"}
PROCEDURE_SYSTEMS = {
    "http://www.ama-assn.org/go/cpt",  # CPT
    "urn:oid:2.16.840.1.113883.6.12",  # CPT, by OID
    "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",  # HCPCS Level II
    "urn:oid:2.16.840.1.113883.6.285",  # HCPCS, by OID
    "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",
}
PAYER_ID_SYSTEM = "urn:rcmflow:payer-id"  # Organization.identifier naming the payer as rcmflow knows it
CLASS_TO_VISIT_TYPE = {"AMB": "office", "VR": "telehealth"}
TELEHEALTH_PLACE = "10"
RELATIONSHIP = {"self": "self", "spouse": "spouse", "child": "child", "other": "other", "parent": "other",
                "common": "spouse", "injured": "other"}  # fmt: skip
GENDER_TO_SEX = {"female": "F", "male": "M"}


class OperationOutcomeError(IntakeRejected):
    """A rejected bundle, rendered as a FHIR OperationOutcome."""

    def outcome(self) -> dict[str, Any]:
        return {
            "resourceType": "OperationOutcome",
            "issue": [
                {"severity": "error", "code": "invalid" if self.status == 422 else "structure",
                 "diagnostics": e.message, "expression": [e.field]}
                for e in self.errors
            ],
        }  # fmt: skip


def _loc(loc: tuple[int | str, ...]) -> str:
    path = "Bundle"
    for part in loc:
        if part in ("root",) or (isinstance(part, str) and part.startswith("function-")):
            continue
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path.replace(".class_fhir", ".class")


@dataclass
class _Index:
    """Resources of the bundle by fullUrl and by Type/id, so references resolve either way."""

    by_ref: dict[str, tuple[int, Any]]

    @staticmethod
    def of(bundle: Bundle) -> _Index:
        by_ref: dict[str, tuple[int, Any]] = {}
        for i, entry in enumerate(bundle.entry or []):
            resource = entry.resource
            if resource is None:
                continue
            if entry.fullUrl:
                by_ref[entry.fullUrl] = (i, resource)
            if resource.id:
                by_ref[f"{resource.get_resource_type()}/{resource.id}"] = (i, resource)
        return _Index(by_ref)

    def get(self, reference: Any) -> Any | None:
        if reference is None or not reference.reference:
            return None
        found = self.by_ref.get(reference.reference)
        return found[1] if found else None


def _identifier(resource: Any, systems: set[str] | str) -> str | None:
    wanted = {systems} if isinstance(systems, str) else systems
    for identifier in resource.identifier or []:
        if identifier.system in wanted and identifier.value:
            return identifier.value
    return None


def _name(resource: Any) -> tuple[str | None, str | None]:
    for name in resource.name or []:
        return (name.given[0] if name.given else None), name.family
    return None, None


def _address(resource: Any) -> dict | None:
    addresses = resource.address if isinstance(resource.address, list) else [resource.address]
    for a in addresses:
        if a is None:
            continue
        lines = [*(a.line or []), None, None]
        return {"line1": lines[0], "line2": lines[1], "city": a.city, "state": a.state,
                "zip": (a.postalCode or "").replace("-", "")}  # fmt: skip
    return None


def _coding(concept: Any, systems: set[str]) -> str | None:
    for coding in (concept.coding if concept else None) or []:
        if coding.system in systems and coding.code:
            return coding.code
    return None


def _day(value: Any) -> str | None:
    """FHIR dateTime may be a date alone."""
    if value is None:
        return None
    return (value.date() if isinstance(value, datetime) else value).isoformat()


def _minutes(start: Any, end: Any) -> int | None:
    if isinstance(start, datetime) and isinstance(end, datetime):
        return int((end - start).total_seconds() // 60)
    return None


def _refers_to(reference: Any, encounter_refs: set[str]) -> bool:
    return reference is not None and reference.reference in encounter_refs


def _visit_dict(
    i: int, encounter: Any, entry_url: str | None, index: _Index, bundle: Bundle
) -> tuple[dict, list[FieldError]]:
    where = f"Bundle.entry[{i}].resource"
    errors: list[FieldError] = []
    patient = index.get(encounter.subject)
    if patient is None or patient.get_resource_type() != "Patient":
        errors.append(FieldError(f"{where}.subject", "does not resolve to a Patient in the bundle"))
        return {}, errors
    refs = {r for r in (entry_url, f"Encounter/{encounter.id}" if encounter.id else None) if r}
    practitioner = next(
        (p for part in encounter.participant or [] if (p := index.get(part.individual)) is not None
         and p.get_resource_type() == "Practitioner"), None)  # fmt: skip
    if practitioner is None:
        errors.append(
            FieldError(f"{where}.participant", "no participant resolves to a Practitioner (the rendering provider)")
        )
    organization = index.get(encounter.serviceProvider)
    if organization is None:
        errors.append(
            FieldError(f"{where}.serviceProvider", "does not resolve to an Organization (the billing provider)")
        )
    if errors:
        return {}, errors
    start, end = (encounter.period.start, encounter.period.end) if encounter.period else (None, None)
    kind = CLASS_TO_VISIT_TYPE.get(encounter.class_fhir.code if encounter.class_fhir else "", "office")
    type_text = " ".join(
        " ".join(filter(None, [t.text, *[c.display or "" for c in t.coding or []]])) for t in encounter.type or []
    ).lower()
    if "preventive" in type_text or "well" in type_text or "annual" in type_text:
        kind = "preventive"
    given, family = _name(patient)
    p_given, p_family = _name(practitioner)
    visit_id = next((idf.value for idf in encounter.identifier or [] if idf.value), None) or encounter.id
    diagnoses, procedures = [], []
    for entry in bundle.entry or []:
        r = entry.resource
        if r is None:
            continue
        if r.get_resource_type() == "Condition" and _refers_to(r.encounter, refs):
            code = _coding(r.code, ICD10CM_SYSTEMS)
            diagnoses.append({"code": code} if code else {"text": r.code.text if r.code else None})
        elif r.get_resource_type() == "Procedure" and _refers_to(r.encounter, refs):
            code = _coding(r.code, PROCEDURE_SYSTEMS)
            procedures.append({"code": code} if code else {"text": r.code.text if r.code else None})
    coverage = next(
        (r for e in bundle.entry or [] if (r := e.resource) is not None and r.get_resource_type() == "Coverage"
         and index.get(r.beneficiary) is patient), None)  # fmt: skip
    visit: dict[str, Any] = {
        "visit_id": visit_id,
        "patient": {"id": patient.id or _identifier(patient, set()) or "", "first_name": given, "last_name": family,
                    "birth_date": patient.birthDate.isoformat() if patient.birthDate else None,
                    "sex": GENDER_TO_SEX.get(patient.gender or "", "U"), "address": _address(patient)},
        "provider": {"npi": _identifier(practitioner, NPI_SYSTEM), "first_name": p_given, "last_name": p_family},
        "facility": {"npi": _identifier(organization, NPI_SYSTEM), "name": organization.name,
                     "tax_id": _identifier(organization, EIN_SYSTEMS), "address": _address(organization),
                     "place_of_service": TELEHEALTH_PLACE if kind == "telehealth" else "11"},
        "service_date": _day(start),
        "visit_type": kind,
        "patient_status": "new" if "new patient" in type_text else "established",
        "total_minutes": _minutes(start, end),
        "diagnoses": diagnoses,
        "procedures": procedures,
        "coverage": _coverage(coverage, index, patient) if coverage is not None else None,
    }  # fmt: skip
    return visit, errors


def _coverage(coverage: Any, index: _Index, patient: Any) -> dict:
    payor = index.get((coverage.payor or [None])[0])
    payer_id = (_identifier(payor, PAYER_ID_SYSTEM) if payor is not None else None) or (
        (coverage.payor or [None])[0].display if coverage.payor else None
    )
    relationship = _coding(coverage.relationship, {"http://terminology.hl7.org/CodeSystem/subscriber-relationship"})
    plan = next((c.value for c in coverage.class_fhir or [] if c.type and _coding(c.type, {
        "http://terminology.hl7.org/CodeSystem/coverage-class"}) == "plan"), None)  # fmt: skip
    period = coverage.period
    out: dict[str, Any] = {
        "payer_id": payer_id,
        "member_id": coverage.subscriberId,
        "plan_id": plan,
        "relationship": RELATIONSHIP.get(relationship or "self", "other"),
        "effective_date": _day(period.start) if period else None,
        "termination_date": _day(period.end) if period else None,
    }  # fmt: skip
    subscriber = index.get(coverage.subscriber)
    if subscriber is not None and subscriber is not patient:
        given, family = _name(subscriber)
        out["subscriber"] = {"first_name": given, "last_name": family,
                             "birth_date": subscriber.birthDate.isoformat() if subscriber.birthDate else None,
                             "sex": GENDER_TO_SEX.get(subscriber.gender or "", "U")}  # fmt: skip
    return out


def parse_bundle(body: bytes) -> list[Visit]:
    """Visits in the bundle (one per Encounter), or OperationOutcomeError naming every bad element."""
    try:
        raw = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise OperationOutcomeError([FieldError("Bundle", f"malformed JSON: {exc}")], status=400) from None
    if not isinstance(raw, dict) or raw.get("resourceType") != "Bundle":
        raise OperationOutcomeError([FieldError("Bundle.resourceType", "expected a Bundle")], status=400)
    if raw.get("type") not in ("transaction", "collection", "batch", "message", "document"):
        raise OperationOutcomeError([FieldError("Bundle.type", "expected a transaction or collection bundle")])
    try:
        bundle = Bundle.model_validate(raw)
    except ValidationError as exc:
        errors = [FieldError(_loc(e["loc"]), e["msg"]) for e in exc.errors(include_input=False)]
        raise OperationOutcomeError(errors) from None
    index = _Index.of(bundle)
    visits: list[Visit] = []
    errors: list[FieldError] = []
    encounters = [(i, e) for i, e in enumerate(bundle.entry or []) if e.resource is not None
                  and e.resource.get_resource_type() == "Encounter"]  # fmt: skip
    if not encounters:
        raise OperationOutcomeError([FieldError("Bundle.entry", "no Encounter in the bundle")])
    for i, entry in encounters:
        data, problems = _visit_dict(i, entry.resource, entry.fullUrl, index, bundle)
        errors += problems
        if problems:
            continue
        try:
            visits.append(Visit.model_validate(drop_none(data)))
        except ValidationError as exc:
            for e in exc.errors(include_input=False):
                path = ".".join(str(p) for p in e["loc"])
                errors.append(FieldError(f"Bundle.entry[{i}].resource (visit {path})", e["msg"]))
    if errors:
        raise OperationOutcomeError(errors)
    return visits
