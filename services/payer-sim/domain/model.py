"""A payer's terms and a member's running totals, as the adjudication rules read them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Plan:
    payer_id: str
    plan_id: str
    fee_multiplier: float
    deductible_cents: int
    coinsurance: float
    copay_cents: int
    out_of_pocket_max_cents: int | None
    timely_filing_days: int


@dataclass(frozen=True)
class PayerTerms:
    payer_id: str
    name: str
    default_plan: str
    plans: dict[str, Plan]


@dataclass
class Accumulator:
    """Per member, per plan year: what the member has paid toward deductible and out-of-pocket."""

    deductible_met_cents: int = 0
    out_of_pocket_met_cents: int = 0
