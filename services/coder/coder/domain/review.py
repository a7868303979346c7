"""A person's coding of an encounter the engine sent to review: validated like the engine's own."""

from __future__ import annotations

from pydantic import Field, ValidationError, model_validator

from coder.domain import icd10
from shared.schemas import CodedDiagnosis, CodedEncounter, CodedServiceLine, CodingReviewRequested, Producer
from shared.schemas.common import Model

MAX_DIAGNOSES = 12


class ReviewLine(Model):
    procedure_code: str = Field(pattern=r"^([0-9]{4}[0-9FTU]|[A-V][0-9]{4})$")
    modifiers: list[str] = Field(default_factory=list, max_length=4)
    units: int = Field(default=1, ge=1, le=999)
    diagnosis_pointers: list[int] = Field(min_length=1, max_length=4)


class ReviewDecision(Model):
    """What a person sends to POST /review/{visit_id}."""

    coder: str = Field(min_length=1, max_length=80, description="who coded it")
    diagnoses: list[str] = Field(min_length=1, max_length=MAX_DIAGNOSES)
    service_lines: list[ReviewLine] = Field(min_length=1)
    place_of_service: str | None = Field(default=None, pattern=r"^\d{2}$")

    @model_validator(mode="after")
    def _codes_valid(self) -> ReviewDecision:
        problems = []
        normalised = [icd10.normalise(c) for c in self.diagnoses]
        for n, code in enumerate(normalised):
            if not icd10.is_code(code):
                problems.append(f"diagnoses[{n}]: {code} is not an ICD-10-CM code")
            elif not icd10.is_billable(code):
                problems.append(
                    f"diagnoses[{n}]: {code} is not billable; use one of {icd10.billable_children(code, 6)}"
                )
        if len(set(normalised)) != len(normalised):
            problems.append("diagnoses: a code is listed twice")
        for n, line in enumerate(self.service_lines):
            if any(p > len(normalised) for p in line.diagnosis_pointers) or len(set(line.diagnosis_pointers)) != len(
                line.diagnosis_pointers
            ):
                problems.append(f"service_lines[{n}].diagnosis_pointers: must point at listed diagnoses, once each")
        if problems:
            raise ValueError("; ".join(problems))
        self.diagnoses = normalised
        return self


def coded_by_person(request: CodingReviewRequested, decision: ReviewDecision, producer: Producer) -> CodedEncounter:
    visit = request.visit
    return CodedEncounter.of(
        request,
        producer,
        f"{request.coder_version}+person:{decision.coder}",
        coded_by="person",
        place_of_service=decision.place_of_service or visit.facility.place_of_service,
        diagnoses=[
            CodedDiagnosis(
                code=c,
                description=icd10.description(c),
                source="person",
                confidence=1.0,
                evidence=[f"coded by {decision.coder}"],
            )
            for c in decision.diagnoses
        ],
        service_lines=[
            CodedServiceLine(
                procedure_code=ln.procedure_code,
                modifiers=ln.modifiers,
                units=ln.units,
                diagnosis_pointers=ln.diagnosis_pointers,
                source="person",
                evidence=[f"coded by {decision.coder}"],
            )
            for ln in decision.service_lines
        ],
    )


__all__ = ["ReviewDecision", "ValidationError", "coded_by_person"]
