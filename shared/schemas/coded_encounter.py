"""Topic `coded-encounters`: a visit with its diagnoses and service lines coded."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field

from shared import ids
from shared.schemas.common import Envelope, Model, PlaceOfService, Producer
from shared.schemas.visit import Visit, VisitReceived

if TYPE_CHECKING:  # a review request carries the engine's draft, made of this module's models
    from shared.schemas.coding_review import CodingReviewRequested

TOPIC = "coded-encounters"


class CodedDiagnosis(Model):
    code: str = Field(pattern=r"^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$", description="ICD-10-CM, with the dot")
    description: str
    source: Literal["supplied", "text", "person"]
    confidence: float = Field(ge=0, le=1)
    evidence: list[str] = Field(default_factory=list, description="the words or code that produced it")


class CodedServiceLine(Model):
    procedure_code: str = Field(pattern=r"^([0-9]{4}[0-9FTU]|[A-V][0-9]{4})$")
    modifiers: list[str] = Field(default_factory=list, max_length=4)
    units: int = Field(ge=1)
    diagnosis_pointers: list[int] = Field(min_length=1, max_length=4, description="1-based, into diagnoses")
    source: Literal["supplied", "text", "em-rules", "person"]
    evidence: list[str] = Field(default_factory=list)


class CodedEncounter(Envelope):
    visit: Visit
    coder_version: str
    coded_by: Literal["engine", "person"] = "engine"
    place_of_service: PlaceOfService
    diagnoses: list[CodedDiagnosis] = Field(min_length=1, max_length=12)
    service_lines: list[CodedServiceLine] = Field(min_length=1)
    # The service date is past the newest loaded release of a code set (ICD-10-CM, NCCI, ...): coded with
    # that release; an operator loads the newer one (`rcm codesets`).
    code_set_stale: bool = False

    @classmethod
    def of(
        cls,
        cause: VisitReceived | CodingReviewRequested,
        producer: Producer,
        coder_version: str,
        *,
        place_of_service: str,
        diagnoses: list[CodedDiagnosis],
        service_lines: list[CodedServiceLine],
        coded_by: Literal["engine", "person"] = "engine",
        code_set_stale: bool = False,
    ) -> CodedEncounter:
        """The coding of the visit `cause` carries (the visit event, or the review request a
        person answered). Its id and times come from the cause, so coding the same visit again
        gives the same event: the engine's per coder version, a person's once per visit."""
        visit = cause.visit
        event_id = (
            ids.event_id("coded-by-person", visit.visit_id)
            if coded_by == "person"
            else ids.event_id("coded", visit.visit_id, coder_version)
        )
        return cls(
            event_id=event_id,
            visit_id=visit.visit_id,
            patient_id=visit.patient.id,
            producer=producer,
            received_at=cause.received_at,
            occurred_at=cause.occurred_at,
            visit=visit,
            coder_version=coder_version,
            coded_by=coded_by,
            place_of_service=place_of_service,
            diagnoses=diagnoses,
            service_lines=service_lines,
            code_set_stale=code_set_stale,
        )
