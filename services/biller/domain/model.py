"""The biller's view of the trade: what a coded encounter becomes, and what a remittance does to a claim."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from rcmflow.shared.schemas import ClaimSubmitted

ClaimStatus = Literal["submitted", "rejected", "paid", "partially_paid", "denied", "reversed"]


@dataclass(frozen=True)
class PayerInfo:
    payer_id: str
    name: str
    x12_payer_id: str


@dataclass(frozen=True)
class ChargeMaster:
    """Price per procedure code, in cents (services/biller/data/charge_master.csv)."""

    prices_cents: dict[str, int]

    @staticmethod
    def from_dollars(rows: dict[str, str]) -> ChargeMaster:
        return ChargeMaster({code: int(Decimal(usd) * 100) for code, usd in rows.items()})


@dataclass
class BillingDecision:
    """Claims to submit, or a self-pay statement, or the reasons the encounter cannot be billed."""

    claims: list[ClaimSubmitted] = field(default_factory=list)
    self_pay_cents: int | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def outcome(self) -> str:
        if self.problems:
            return "not_billable"
        if self.self_pay_cents is not None:
            return "self_pay"
        return "claimed"


@dataclass(frozen=True)
class LinePosting:
    line_control_number: str
    allowed_cents: int
    paid_cents: int
    patient_cents: int
    adjustment_cents: int  # CO, OA and PI: not billable to the patient
    denied: bool


@dataclass(frozen=True)
class Posting:
    status: ClaimStatus
    paid_cents: int
    allowed_cents: int
    patient_cents: int
    adjustment_cents: int
    patient_by_kind: dict[str, int]  # deductible, coinsurance, copay, other
    lines: list[LinePosting]
    denial_carcs: list[str]
