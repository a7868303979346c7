"""What coding a visit produces: either claim-ready codes or reasons a person must look."""

from __future__ import annotations

from dataclasses import dataclass, field

from rcmflow.coder.domain.text_index import DiagnosisIndex
from rcmflow.shared.schemas import CodedDiagnosis, CodedServiceLine, ReviewReason
from rcmflow.shared.versions import RCMFLOW_VERSION


@dataclass(frozen=True)
class ReferenceTables:
    """The coder's data tables (services/coder/data), loaded by an adapter."""

    diagnosis_index: DiagnosisIndex  # phrase table, then the official descriptions
    procedure_phrases: dict[str, str]  # normalised phrase -> CPT/HCPCS code
    procedure_labels: dict[str, str]  # code -> our own short label
    version: str  # fingerprint of the tables, part of coder_version

    @property
    def coder_version(self) -> str:
        """What produced a coding: the code's release and the tables it read."""
        return f"{RCMFLOW_VERSION}+tables.{self.version}"


@dataclass
class CodingResult:
    place_of_service: str
    diagnoses: list[CodedDiagnosis] = field(default_factory=list)
    service_lines: list[CodedServiceLine] = field(default_factory=list)
    review_reasons: list[ReviewReason] = field(default_factory=list)

    @property
    def needs_review(self) -> bool:
        return bool(self.review_reasons)
