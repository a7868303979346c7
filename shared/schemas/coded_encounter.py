"""Topic `coded-encounters`: a visit with its diagnoses and service lines coded."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from shared.schemas.common import Envelope, Model, PlaceOfService
from shared.schemas.visit import Visit

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
