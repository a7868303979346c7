"""A payer's terms, a member's enrollment and running totals, and what the payer remembers of
earlier claims: everything the adjudication rules read."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from shared.schemas import RemittanceIssued


@dataclass(frozen=True)
class Plan:
    payer_id: str
    plan_id: str
    fee_multiplier: float
    deductible_cents: int
    coinsurance: float
    copay_cents: dict[str, int]  # by visit kind: office, telehealth, preventive
    out_of_pocket_max_cents: int | None
    timely_filing_days: int
    prior_authorization: frozenset[str] = frozenset()
    excluded: frozenset[str] = frozenset()


@dataclass(frozen=True)
class CoverageRule:
    """A procedure is supported only by diagnoses starting with one of these prefixes."""

    diagnosis_prefixes: tuple[str, ...]
    carc: str  # 11 (diagnosis inconsistent) or 50 (not medically necessary)


@dataclass(frozen=True)
class PayerTerms:
    payer_id: str
    name: str
    tax_id: str
    address: dict[str, str]
    claim_filing_indicator: str
    default_plan: str
    plans: dict[str, Plan]
    non_covered: frozenset[str] = frozenset()
    coverage_policy: dict[str, CoverageRule] = field(default_factory=dict)


@dataclass(frozen=True)
class FeeScheduleEntry:
    allowed_cents: int
    global_days: str  # 000, 010, 090, or XXX (no global period)


@dataclass(frozen=True)
class EditPair:
    """NCCI-style: column2 is not paid with column1 (indicator 0), or only with a distinct-service modifier (1)."""

    column1: str
    column2: str
    modifier_indicator: int


@dataclass(frozen=True)
class ReferenceData:
    payers: dict[str, PayerTerms]
    fee_schedule: dict[str, FeeScheduleEntry]
    edit_pairs: tuple[EditPair, ...]


@dataclass
class Accumulator:
    """Per member, per plan year: what the member has paid toward deductible and out-of-pocket."""

    deductible_met_cents: int = 0
    out_of_pocket_met_cents: int = 0


@dataclass(frozen=True)
class Enrollment:
    """The member as the payer enrolled them when first seen."""

    plan_id: str
    effective_date: date | None
    termination_date: date | None


@dataclass(frozen=True)
class PriorAdjudication:
    """The payer's standing answer to a claim, which a replacement (7) or void (8) takes back."""

    remittance: RemittanceIssued
    deductible_cents: int
    out_of_pocket_cents: int


@dataclass(frozen=True)
class ClaimHistory:
    """What the payer knows of a claim submission before adjudicating it."""

    submitted_on: date
    enrollment: Enrollment | None
    prior: PriorAdjudication | None  # the active adjudication of the same claim, if any
    paid_line_keys: frozenset[tuple[str, ...]]  # lines already paid on other claims (duplicates)
