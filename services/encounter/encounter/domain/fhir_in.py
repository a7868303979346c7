"""FHIR R4 in: a Bundle (transaction or collection) of Patient, Coverage, Encounter, Condition,
Procedure, Practitioner, Organization/Location, parsed with fhir.resources' R4B models and
mapped to visits. Every problem is reported with its element path; one bad Encounter rejects
the whole bundle, so nothing is published from it."""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B.bundle import Bundle
from pydantic import ValidationError

from encounter.domain import text_policy
from encounter.domain.fhir_read import Index, address, coding, day, identifier, is_resource_type, loc, minutes, name
from encounter.domain.intake import MAX_BUNDLE_ENTRIES, MAX_ERRORS, FieldError, IntakeRejected, loads
from encounter.domain.payers import Identifier, PayerDirectory, looked_for
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
CLASS_TO_VISIT_TYPE = {"AMB": "office", "VR": "telehealth"}
TELEHEALTH_PLACE = "10"
RELATIONSHIP = {"self": "self", "spouse": "spouse", "child": "child", "other": "other", "parent": "other",
                "common": "spouse", "injured": "other"}  # fmt: skip
GENDER_TO_SEX = {"female": "F", "male": "M"}
SUBSCRIBER_RELATIONSHIP = {"http://terminology.hl7.org/CodeSystem/subscriber-relationship"}
COVERAGE_CLASS = {"http://terminology.hl7.org/CodeSystem/coverage-class"}


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


def _rejected(field: str, message: str, status: int = 422) -> OperationOutcomeError:
    return OperationOutcomeError([FieldError(field, message)], status=status)


def _refers_to(reference: Any, encounter_refs: set[str]) -> bool:
    return reference is not None and reference.reference in encounter_refs


def _visit_dict(
    i: int, encounter: Any, entry_url: str | None, index: Index, bundle: Bundle, payers: PayerDirectory
) -> tuple[dict[str, Any], list[FieldError]]:
    where = f"Bundle.entry[{i}].resource"
    errors: list[FieldError] = []
    patient = index.get(encounter.subject)
    if patient is None or patient.get_resource_type() != "Patient":
        errors.append(FieldError(f"{where}.subject", "does not resolve to a Patient in the bundle"))
        return {}, errors
    refs = {r for r in (entry_url, f"Encounter/{encounter.id}" if encounter.id else None) if r}
    practitioner: Any = next(
        (p for part in encounter.participant or [] if (p := index.get(part.individual)) is not None
         and p.get_resource_type() == "Practitioner"), None)  # fmt: skip
    if practitioner is None:
        errors.append(
            FieldError(f"{where}.participant", "no participant resolves to a Practitioner (the rendering provider)")
        )
    organization: Any = index.get(encounter.serviceProvider)
    if organization is None:
        errors.append(
            FieldError(f"{where}.serviceProvider", "does not resolve to an Organization (the billing provider)")
        )
    resources: list[Any] = [e.resource for e in bundle.entry or [] if e.resource is not None]
    covered: list[dict[str, Any]] = []  # every active Coverage of the patient; Coverage.order: 1 primary ...
    for coverage in (r for r in resources if r.get_resource_type() == "Coverage" and r.status in (None, "active")
                     and index.get(r.beneficiary) is patient):  # fmt: skip
        one, problem = _coverage(coverage, index, patient, payers)
        errors += [problem] if problem is not None else []
        covered.append({**one, "order": coverage.order})
    if errors:
        return {}, errors
    start, end = (encounter.period.start, encounter.period.end) if encounter.period else (None, None)
    kind = CLASS_TO_VISIT_TYPE.get(encounter.class_fhir.code if encounter.class_fhir else "", "office")
    type_text = " ".join(
        " ".join(filter(None, [t.text, *[c.display or "" for c in t.coding or []]])) for t in encounter.type or []
    ).lower()
    if "preventive" in type_text or "well" in type_text or "annual" in type_text:
        kind = "preventive"
    given, family = name(patient)
    p_given, p_family = name(practitioner)
    visit_id = next((idf.value for idf in encounter.identifier or [] if idf.value), None) or encounter.id
    diagnoses, procedures = [], []
    for r in resources:
        if r.get_resource_type() == "Condition" and _refers_to(r.encounter, refs):
            code = coding(r.code, ICD10CM_SYSTEMS)
            diagnoses.append({"code": code} if code else {"text": r.code.text if r.code else None})
        elif r.get_resource_type() == "Procedure" and _refers_to(r.encounter, refs):
            code = coding(r.code, PROCEDURE_SYSTEMS)
            procedures.append({"code": code} if code else {"text": r.code.text if r.code else None})
    visit: dict[str, Any] = {
        "visit_id": visit_id,
        "patient": {"id": patient.id or identifier(patient, set()) or "", "first_name": given, "last_name": family,
                    "birth_date": patient.birthDate.isoformat() if patient.birthDate else None,
                    "sex": GENDER_TO_SEX.get(patient.gender or "", "U"), "address": address(patient)},
        "provider": {"npi": identifier(practitioner, NPI_SYSTEM), "first_name": p_given, "last_name": p_family},
        "facility": {"npi": identifier(organization, NPI_SYSTEM), "name": organization.name,
                     "tax_id": identifier(organization, EIN_SYSTEMS), "address": address(organization),
                     "place_of_service": TELEHEALTH_PLACE if kind == "telehealth" else "11"},
        "service_date": day(start),
        "visit_type": kind,
        "patient_status": "new" if "new patient" in type_text else "established",
        "total_minutes": minutes(start, end),
        "diagnoses": diagnoses,
        "procedures": procedures,
        "coverages": covered,
    }  # fmt: skip
    return visit, errors


def _coverage(
    coverage: Any, index: Index, patient: Any, payers: PayerDirectory
) -> tuple[dict[str, Any], FieldError | None]:
    """The visit's coverage, its payer resolved through the directory (or the error naming the
    Coverage and what was looked for)."""
    payor_ref = (coverage.payor or [None])[0]
    payor = index.get(payor_ref)
    identifiers = [Identifier(i.system, i.value) for i in (payor.identifier if payor is not None else None) or []
                   if i.value]  # fmt: skip
    if payor_ref is not None and payor_ref.identifier is not None and payor_ref.identifier.value:
        identifiers.append(Identifier(payor_ref.identifier.system, payor_ref.identifier.value))
    names = [n for n in (getattr(payor, "name", None), payor_ref.display if payor_ref else None) if n]
    payer_id = payers.resolve(identifiers, names)
    if payer_id is None:
        position = index.position(coverage)
        where = f"Bundle.entry[{position}].resource" if position is not None else f"Coverage/{coverage.id}"
        return {}, FieldError(
            f"{where}.payor", f"no payer in the payer directory matches {looked_for(identifiers, names)}"
        )
    relationship = coding(coverage.relationship, SUBSCRIBER_RELATIONSHIP)
    plan = next((c.value for c in coverage.class_fhir or [] if c.type and coding(c.type, COVERAGE_CLASS) == "plan"),
                None)  # fmt: skip
    period = coverage.period
    out: dict[str, Any] = {
        "payer_id": payer_id,
        "member_id": coverage.subscriberId,
        "plan_id": plan,
        "relationship": RELATIONSHIP.get(relationship or "self", "other"),
        "effective_date": day(period.start) if period else None,
        "termination_date": day(period.end) if period else None,
    }  # fmt: skip
    subscriber = index.get(coverage.subscriber)
    if subscriber is not None and subscriber is not patient:
        given, family = name(subscriber)
        out["subscriber"] = {"first_name": given, "last_name": family,
                             "birth_date": subscriber.birthDate.isoformat() if subscriber.birthDate else None,
                             "sex": GENDER_TO_SEX.get(subscriber.gender or "", "U")}  # fmt: skip
    return out, None


def _check_structure(raw: Any) -> None:
    """What fhir.resources must not be handed: anything but a Bundle of resources FHIR defines."""
    if not isinstance(raw, dict) or raw.get("resourceType") != "Bundle":
        raise _rejected("Bundle.resourceType", "expected a Bundle", status=400)
    if raw.get("type") not in ("transaction", "collection", "batch", "message", "document"):
        raise _rejected("Bundle.type", "expected a transaction or collection bundle")
    entries = raw.get("entry", [])
    if not isinstance(entries, list):
        raise _rejected("Bundle.entry", "expected a list of entries")
    if len(entries) > MAX_BUNDLE_ENTRIES:
        raise _rejected("Bundle.entry", f"more than {MAX_BUNDLE_ENTRIES} entries in one bundle", status=413)
    errors: list[FieldError] = []
    for i, entry in enumerate(entries):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(entry, dict):
            errors.append(FieldError(f"Bundle.entry[{i}]", "expected an entry (a JSON object)"))
        elif resource is not None and not isinstance(resource, dict):
            errors.append(FieldError(f"Bundle.entry[{i}].resource", "expected a resource (a JSON object)"))
        elif resource is not None and not is_resource_type(resource.get("resourceType")):
            errors.append(FieldError(f"Bundle.entry[{i}].resource.resourceType", "is not a FHIR R4 resource type"))
        if len(errors) > MAX_ERRORS:
            break
    errors += [FieldError(p.field, p.message) for p in text_policy.refuse_controls(raw, "Bundle")]
    if errors:
        raise OperationOutcomeError(errors)


def parse_bundle(body: bytes, payers: PayerDirectory) -> list[Visit]:
    """Visits in the bundle (one per Encounter), or OperationOutcomeError naming every bad element."""
    try:
        raw = loads(body, "Bundle")
    except IntakeRejected as exc:
        raise OperationOutcomeError(exc.errors, exc.status) from None
    _check_structure(raw)
    try:
        bundle = Bundle.model_validate(raw)
    except ValidationError as exc:
        errors = [FieldError(loc(e["loc"]), e["msg"]) for e in exc.errors(include_input=False)]
        raise OperationOutcomeError(errors) from None
    except Exception as exc:  # fhir.resources raises other kinds on odd input; its texts may quote values
        raise _rejected("Bundle", f"not a readable FHIR R4 Bundle ({type(exc).__name__})") from None
    index = Index.of(bundle)
    visits: list[Visit] = []
    errors = []
    encounters = [(i, e) for i, e in enumerate(bundle.entry or []) if e.resource is not None
                  and e.resource.get_resource_type() == "Encounter"]  # fmt: skip
    if not encounters:
        raise _rejected("Bundle.entry", "no Encounter in the bundle")
    for i, entry in encounters:
        data, problems = _visit_dict(i, entry.resource, entry.fullUrl, index, bundle, payers)
        where = f"Bundle.entry[{i}].resource"
        if not problems:
            data = drop_none(data)  # type: ignore[assignment]  # drop_none keeps a dict a dict
            problems = [FieldError(f"{where} (visit {p.field})", p.message) for p in text_policy.apply(data)]
        errors += problems
        if problems:
            continue
        try:
            visits.append(Visit.model_validate(data))
        except ValidationError as exc:
            for e in exc.errors(include_input=False):
                path = ".".join(str(p) for p in e["loc"])
                errors.append(FieldError(f"{where} (visit {path})", e["msg"]))
        if len(errors) > MAX_ERRORS:
            break
    if errors:
        raise OperationOutcomeError(errors)
    return visits
