"""FHIR search on a visit's claims: the parameters `GET /fhir/Claim` and `GET /fhir/ClaimResponse`
understand, the searchset Bundle they answer and the OperationOutcome of a refusal. Pure.

Parameters (FHIR token and reference search): `identifier` — the visit id under any system (the
sender's own Encounter identifier system, `urn:rcmflow:visit-id`, or none), or the claim's
patient control number under `urn:rcmflow:patient-control-number`; `_id` — the claim id;
`request` (ClaimResponse only) — `Claim/{id}`. One value each (no comma lists, no modifiers); at
least one is needed (a search never lists every claim). Anything else is refused with an
OperationOutcome naming the parameter, never quoting its value."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.operationoutcome import OperationOutcome

from encounter.domain.fhir_claim import PCN_SYSTEM, checked

VISIT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:\-]{0,63}$")  # shared.schemas.common.IdStr
FHIR_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")
SYSTEM = re.compile(r"^[\x21-\x7e]{0,255}$")  # a URI: printable ASCII, bounded
PARAMETERS = {"Claim": ("identifier", "_id"), "ClaimResponse": ("identifier", "_id", "request")}
MAX_RESULTS = 100  # a visit has a few claims (split past 50 lines, replacements); a search returns at most this


class SearchRefused(Exception):
    """A search or read that cannot be answered as asked: 400 (invalid, not supported) or 404."""

    def __init__(self, status: int, code: str, diagnostics: str, where: str | None = None) -> None:
        super().__init__(diagnostics)
        self.status, self.code, self.diagnostics, self.where = status, code, diagnostics, where

    def outcome(self) -> dict[str, Any]:
        return operation_outcome("error", self.code, self.diagnostics, self.where)


@dataclass(frozen=True)
class ClaimQuery:
    """What to look for; every field given must match."""

    visit_id: str | None = None
    patient_control_number: str | None = None
    claim_id: str | None = None


def _one(params: Mapping[str, list[str]], name: str) -> str | None:
    values = params.get(name, [])
    if not values:
        return None
    if len(values) > 1 or "," in values[0]:
        raise SearchRefused(400, "not-supported", f"give one value of '{name}' (no repeats or comma lists)", name)
    return values[0]


def parse_query(resource_type: str, params: Mapping[str, list[str]]) -> ClaimQuery:
    """The query the parameters ask; SearchRefused when one is unknown, repeated or malformed."""
    allowed = PARAMETERS[resource_type]
    for name in params:
        if name not in allowed:
            shown = name if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.:\-]{0,40}", name) else "(unreadable name)"
            raise SearchRefused(400, "not-supported", f"{resource_type} search does not support the parameter "
                                                      f"'{shown}'; supported: {', '.join(allowed)}", shown)  # fmt: skip
    visit_id = pcn = None
    token = _one(params, "identifier")
    if token is not None:
        system, _, value = token.rpartition("|")
        if not value or not SYSTEM.match(system) or not VISIT_ID.match(value):
            raise SearchRefused(400, "invalid", "identifier must be [system|]value with a visit id or patient "
                                                "control number as the value", "identifier")  # fmt: skip
        visit_id, pcn = (None, value) if system == PCN_SYSTEM else (value, None)
    claim_id = _one(params, "_id")
    if claim_id is not None and not FHIR_ID.match(claim_id):
        raise SearchRefused(400, "invalid", "_id must be a claim id (letters, digits, '-' and '.')", "_id")
    request = _one(params, "request")
    if request is not None:
        found = re.fullmatch(r"(?:.*/)?Claim/([A-Za-z0-9\-.]{1,64})", request)
        if found is None:
            raise SearchRefused(400, "invalid", "request must reference a claim: Claim/{id}", "request")
        if claim_id is not None and claim_id != found.group(1):
            return ClaimQuery(claim_id="")  # two different claims asked: nothing matches both
        claim_id = found.group(1)
    if visit_id is None and pcn is None and claim_id is None:
        raise SearchRefused(400, "required", f"a {resource_type} search needs one of: {', '.join(allowed)}")
    return ClaimQuery(visit_id, pcn, claim_id)


def operation_outcome(severity: str, code: str, diagnostics: str, where: str | None = None) -> dict[str, Any]:
    issue: dict[str, Any] = {"severity": severity, "code": code, "diagnostics": diagnostics}
    if where is not None:
        issue["expression"] = [where]
    return checked(OperationOutcome, {"resourceType": "OperationOutcome", "issue": [issue]})


def visit_note(visit_id: str, state: str | None, reason: str | None, claims: int) -> dict[str, Any]:
    """The information entry of a search by visit: where the visit stands, even before any claim."""
    if state is None:
        return operation_outcome("information", "not-found", "no visit or claim with this identifier")
    text = f"visit {visit_id}: {state.replace('_', ' ')}"
    if reason:
        text += f" ({reason})"
    if claims == 0:
        text += "; no claim has been sent to a payer for it" + (" yet" if state != "failed" else "")
    return operation_outcome("information", "informational", text)


def searchset(
    base_url: str, self_url: str, resources: Iterable[dict[str, Any]], note: dict[str, Any] | None
) -> dict[str, Any]:
    """A searchset Bundle: the matches, then the note (search mode `outcome`) when there is one."""
    entries: list[dict[str, Any]] = [
        {"fullUrl": f"{base_url}/{r['resourceType']}/{r['id']}", "resource": r, "search": {"mode": "match"}}
        for r in resources
    ]
    total = len(entries)
    if note is not None:
        entries.append({"resource": note, "search": {"mode": "outcome"}})
    bundle = {"resourceType": "Bundle", "type": "searchset", "total": total,
              "link": [{"relation": "self", "url": self_url}], "entry": entries or None}  # fmt: skip
    return checked(Bundle, bundle)
