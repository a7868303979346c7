"""Hand-made synthetic visits for unit tests (names and numbers invented)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from shared import ids
from shared.schemas import ClaimLine, ClaimSubmitted, Producer, Visit
from shared.schemas.visit import Coverage

BASE: dict[str, Any] = {
    "visit_id": "V-UNIT-1",
    "patient": {
        "id": "P-UNIT-1",
        "first_name": "Testa",
        "last_name": "Example",
        "birth_date": "1971-03-09",
        "sex": "F",
        "address": {"line1": "1 Main St", "city": "Springfield", "state": "IL", "zip": "62701"},
    },
    "coverage": {"payer_id": "BLUEPEAK", "member_id": "ZZT000111", "plan_id": "BP-PPO", "relationship": "self"},
    "provider": {"npi": "1234567893", "first_name": "Lee", "last_name": "Sample", "taxonomy": "207Q00000X"},
    "facility": {
        "npi": "1245319599",
        "name": "Springfield Family Medicine",
        "tax_id": "371234567",
        "place_of_service": "11",
        "address": {"line1": "9 Elm St", "city": "Springfield", "state": "IL", "zip": "62701"},
    },
    "service_date": "2026-11-20",
    "visit_type": "office",
    "patient_status": "established",
    "total_minutes": 32,
    "mdm": "moderate",
    "diagnoses": [{"text": "high blood pressure"}, {"code": "E11.9"}],
    "procedures": [{"code": "36415", "units": 1}, {"text": "ECG with interpretation and report"}],
    "notes": "synthetic",
}


def visit_dict(**overrides: Any) -> dict[str, Any]:
    return {**BASE, **overrides}


def make_visit(**overrides: Any) -> Visit:
    return Visit.model_validate(visit_dict(**overrides))


def make_claim(
    lines: list[tuple[str, int]],
    prior_authorization: str | None = None,
    diagnoses: list[str] | None = None,
    **coverage_overrides: Any,
) -> ClaimSubmitted:
    """A claim with the given (procedure code, charge in cents) lines; keywords change its coverage."""
    visit = make_visit()
    coverage = Coverage.model_validate({**visit.coverage.model_dump(), **coverage_overrides})  # type: ignore[union-attr]
    pcn = ids.patient_control_number(visit.visit_id)
    claim_lines = [
        ClaimLine(
            line_number=n,
            line_control_number=ids.line_control_number(pcn, n),
            procedure_code=code,
            units=1,
            charge_cents=charge,
            diagnosis_pointers=[1],
            service_date=visit.service_date,
        )
        for n, (code, charge) in enumerate(lines, start=1)
    ]
    return ClaimSubmitted(
        event_id=ids.event_id("claim", pcn, "unit"),
        visit_id=visit.visit_id,
        patient_id=visit.patient.id,
        producer=Producer(service="test"),
        received_at=datetime(2026, 11, 20, tzinfo=UTC),
        claim_id=pcn,
        patient_control_number=pcn,
        payer_id=coverage.payer_id,
        coverage=coverage,
        patient=visit.patient,
        billing_provider=visit.facility,
        rendering_provider=visit.provider,
        place_of_service="11",
        service_date=visit.service_date,
        diagnoses=diagnoses or ["I10"],
        service_lines=claim_lines,
        total_charge_cents=sum(c for _, c in lines),
        prior_authorization=prior_authorization,
        coded_encounter_event_id=ids.event_id("coded", visit.visit_id),
    )
