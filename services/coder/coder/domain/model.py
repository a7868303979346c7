"""What coding a visit produces: either claim-ready codes or reasons a person must look."""

from __future__ import annotations

from dataclasses import dataclass, field

from coder.domain.text_index import DiagnosisIndex
from shared.schemas import CodedDiagnosis, CodedServiceLine, ReviewReason
from shared.versions import RCMFLOW_VERSION


@dataclass(frozen=True)
class CatalogEntry:
    """A procedure as the catalog (services/coder/coder/data/procedure_catalog.csv) knows it."""

    code: str
    label: str  # our own short label (no AMA descriptor)
    default_units: int
    global_days: str  # 000 / 010 / 090 surgical package, XXX none, ZZZ add-on
    supports: tuple[str, ...]  # diagnosis prefixes that justify it; empty: any diagnosis

    @property
    def minor_procedure(self) -> bool:
        return self.global_days in ("000", "010")


@dataclass(frozen=True)
class EditPair:
    column1: str
    column2: str
    modifier_indicator: int  # 0: never together; 1: together only with a distinct-service modifier


@dataclass(frozen=True)
class ReferenceTables:
    """The coder's data tables (services/coder/coder/data), loaded by an adapter."""

    diagnosis_index: DiagnosisIndex  # phrase table, then the official descriptions
    procedure_phrases: dict[str, str]  # normalised phrase -> CPT/HCPCS code
    catalog: dict[str, CatalogEntry]
    edit_pairs: tuple[EditPair, ...]
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
