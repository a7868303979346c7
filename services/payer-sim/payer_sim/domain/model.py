"""A payer's terms, a member's enrollment and running totals, and what the payer remembers of
earlier claims: everything the adjudication rules read."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

from shared.schemas import RemittanceIssued

Member = tuple[str, str]  # payer id, member id
MemberYear = tuple[str, str, int]  # payer id, member id, plan year
MemberDay = tuple[str, str, date]  # payer id, member id, date of service
LineKey = tuple[str, ...]  # what makes two service lines the same service (adjudication.line_key)


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
    # How the plan pays as a secondary or tertiary payer (payer_sim.domain.cob): "standard" (its own
    # benefit, up to the balance), "non_duplication" (its own benefit less what earlier payers paid)
    # or "supplement" (Medigap: the earlier payer's cost sharing of the kinds it covers, by CARC)
    cob_method: str = "standard"
    supplement_covers: frozenset[str] = frozenset()  # CARCs of cost sharing a supplement pays: 1, 2, 3


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
    member_id_pattern: str | None = None  # the front end rejects other member ids (277CA A7:164)
    unenrolled_billing_npis: frozenset[str] = frozenset()  # providers the payer has not enrolled (277CA A7:562:85)


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
class Enrollment:
    """The member as the payer enrolled them when first seen."""

    plan_id: str
    effective_date: date | None
    termination_date: date | None


@dataclass(frozen=True)
class ReferenceData:
    payers: dict[str, PayerTerms]
    fee_schedule: dict[str, FeeScheduleEntry]
    edit_pairs: tuple[EditPair, ...]
    # the enrolment roster (enrollment_roster.csv): these members are enrolled by these dates, not
    # by what their first claim says
    roster: dict[Member, Enrollment] = field(default_factory=dict)


@dataclass
class Accumulator:
    """Per member, per plan year: what the member has paid toward deductible and out-of-pocket."""

    deductible_met_cents: int = 0
    out_of_pocket_met_cents: int = 0


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


@dataclass(frozen=True)
class AdjudicationRecord:
    """What the payer books for one claim submission: its answer and what it added to the
    member's accumulators (taken back when a replacement or void arrives)."""

    claim_event_id: uuid.UUID
    claim_id: str
    payer_id: str
    member_id: str
    plan_year: int
    frequency_code: str
    answer_event_id: uuid.UUID | None  # the remittance that answers it (none for a void)
    payer_claim_control_number: str | None
    claim_status_code: str | None
    deductible_cents: int
    out_of_pocket_cents: int
    active: bool  # false once reversed by a replacement (7) or void (8)


@dataclass(frozen=True)
class PaidLine:
    """A service line the payer paid, remembered to deny the same service billed again."""

    claim_event_id: uuid.UUID
    claim_id: str
    key: LineKey
    service_date: date


@dataclass
class Booking:
    """What answering a batch changes in the payer's books (written together)."""

    adjudications: list[AdjudicationRecord] = field(default_factory=list)
    paid_lines: list[PaidLine] = field(default_factory=list)
    remittances: list[RemittanceIssued] = field(default_factory=list)  # in the order sent
    taken_back: list[uuid.UUID] = field(default_factory=list)  # claim event ids whose answers no longer stand
