"""What coding a visit produces: either claim-ready codes or reasons a person must look."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from coder.domain.imaging import Imaging
from coder.domain.procedure_text import Term
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
    # em, preventive, wellness, prolonged, injection, vaccine-admin, vaccine, drug, lab, procedure, other
    kind: str = "other"
    group: str = ""  # vaccines: influenza, pneumococcal, hepatitis-b (Medicare's own administration codes)
    waived_qw: str = ""  # Y: a CLIA-waived test that takes QW where the payer asks; POC: only on a waived analyzer
    sided: bool = False  # RT/LT/50 (or a digit modifier) apply
    components: int = 0  # vaccines: antigens (90461 for each one after the first, with counselling)
    source: str = ""

    @property
    def minor_procedure(self) -> bool:
        return self.global_days in ("000", "010")

    @property
    def add_on(self) -> bool:
        return self.global_days == "ZZZ"


@dataclass(frozen=True)
class EditPair:
    column1: str
    column2: str
    modifier_indicator: int  # 0: never together; 1: together only with a distinct-service modifier; 9: deleted
    effective: date = date.min
    deleted: date | None = None  # the edit no longer applies from this date
    rationale: str = ""  # NCCI's PTP edit rationale ("Mutually exclusive procedures", ...)
    source: str = ""

    def in_force(self, on: date) -> bool:
        return self.modifier_indicator != 9 and self.effective <= on and (self.deleted is None or on < self.deleted)

    @property
    def same_site_rule(self) -> bool:
        """CPT names which one is reported when both are done at the same site (e.g. 69210 over 69209)."""
        return self.rationale.lower().startswith("cpt: at the same site")

    @property
    def mutually_exclusive(self) -> bool:
        """Only one of the two was done: a person decides which; otherwise column 2 is part of column 1."""
        return "mutually exclusive" in self.rationale.lower()


@dataclass(frozen=True)
class UnitLimit:
    """A medically unlikely edit (MUE): the most units of a code for one patient on one day."""

    code: str
    units: int
    adjudication_indicator: int  # 1 per line, 2 per day (policy), 3 per day (clinical)
    rationale: str
    source: str


@dataclass(frozen=True)
class AddOnCode:
    code: str
    primaries: tuple[str, ...]  # billed only on a claim that carries one of these
    source: str


@dataclass(frozen=True)
class FluVaccineProduct:
    """Influenza vaccine product code in force for a flu season (Medicare seasons run Aug 1 - Jul 31)."""

    season: str
    effective_from: date
    effective_to: date
    product: str  # standard, multi-dose, high-dose, adjuvanted, cell-culture, recombinant, nasal
    code: str


@dataclass(frozen=True)
class PayerRules:
    """What a payer asks of a claim beyond CPT (services/coder/coder/data/payer_rules.yaml)."""

    payer_id: str
    medicare_wellness: bool = False  # IPPE G0402 / AWV G0438-G0439 instead of 99381-99397
    not_covered: tuple[str, ...] = ()
    vaccine_administration: dict[str, str] = field(default_factory=dict)  # vaccine group -> admin code
    prolonged_code: str = "99417"
    telehealth_place: str = "10"
    telehealth_modifier: str | None = "95"
    waived_test_modifier: str | None = None
    ippe_ecg: str | None = None  # the screening ECG billed with the IPPE (Medicare G0403)
    part_d_vaccines: tuple[str, ...] = ()  # vaccines this payer covers under Part D, not on the Part B claim
    part_b_for_injury: tuple[str, ...] = ()  # ... unless given for an injury (tetanus after a wound)


@dataclass(frozen=True)
class IcdChange:
    """One ICD-10-CM addenda entry: what a release changed against the one before it."""

    release: str  # FY2026: the release that made the change
    code: str
    change: str  # added, expanded (billable before, a category from this release), deleted
    prior_code: str  # added: the code it expanded, billable in the release before (blank: none)
    prior_title: str  # expanded / deleted: the code's title before


@dataclass(frozen=True)
class CodeSet:
    """One dated release of a code set or edit table (services/coder/coder/data/code_sets.csv)."""

    name: str
    version: str
    effective_from: date
    effective_to: date
    source: str


@dataclass(frozen=True)
class ReferenceTables:
    """The coder's data tables (services/coder/coder/data), loaded by an adapter."""

    diagnosis_index: DiagnosisIndex  # phrase table, then the official descriptions
    procedure_phrases: dict[str, str]  # normalised phrase -> CPT/HCPCS code
    catalog: dict[str, CatalogEntry]
    edit_pairs: tuple[EditPair, ...]
    version: str  # fingerprint of the tables, part of coder_version
    unit_limits: dict[str, UnitLimit] = field(default_factory=dict)
    add_ons: dict[str, AddOnCode] = field(default_factory=dict)
    flu_products: tuple[FluVaccineProduct, ...] = ()
    payers: dict[str, PayerRules] = field(default_factory=dict)  # "*" holds the default
    code_sets: tuple[CodeSet, ...] = ()
    edits_by_column1: dict[str, tuple[EditPair, ...]] = field(default_factory=dict)
    procedure_terms: dict[tuple[str, ...], Term] = field(default_factory=dict)  # procedure text words -> term
    icd_changes: dict[str, tuple[IcdChange, ...]] = field(default_factory=dict)  # code -> its addenda entries
    longest_term: int = 1
    procedure_words: dict[tuple[str, ...], tuple[str, ...]] = field(default_factory=dict)  # "inj" -> injection
    digit_modifiers: dict[tuple[str, str], str] = field(default_factory=dict)  # (great toe, LT) -> TA
    lab_panels: dict[str, tuple[tuple[str, bool], ...]] = field(default_factory=dict)  # panel -> (test, required)
    age_forms: dict[str, tuple[str, int]] = field(default_factory=dict)  # adult vaccine -> (child form, through age)
    imaging: Imaging = field(default_factory=dict)  # radiographs by body part and views (imaging_views.csv)
    side_required: frozenset[str] = frozenset()  # paid by side (MPFS bilateral indicator, bilateral_indicators.csv)
    separate_em: frozenset[str] = frozenset()  # services beside which an E/M needs 25 (separate_em_services.csv)

    def payer(self, payer_id: str | None) -> PayerRules:
        found = self.payers.get(payer_id or "") or self.payers.get("*")
        return found if found is not None else PayerRules("*")

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
    code_sets: dict[str, str] = field(default_factory=dict)  # code set name -> version used
    stale_code_sets: list[str] = field(default_factory=list)  # sets whose newest release ends before the visit

    @property
    def code_set_stale(self) -> bool:
        return bool(self.stale_code_sets)

    @property
    def needs_review(self) -> bool:
        return bool(self.review_reasons)
