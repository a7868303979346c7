"""The biller's view of the trade: what a coded encounter becomes, and what a remittance does to a claim."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from shared.schemas import Adjustment, ClaimSubmitted

ClaimStatus = Literal["submitted", "rejected", "paid", "partially_paid", "denied", "reversed", "written_off"]


@dataclass(frozen=True)
class PayerInfo:
    payer_id: str
    name: str
    x12_payer_id: str
    claim_filing_indicator: str = "CI"
    timely_filing_days: int = 90


@dataclass(frozen=True)
class Submitter:
    """Who sends the 837P (loop 1000A)."""

    name: str
    etin: str
    contact_name: str
    phone: str


@dataclass(frozen=True)
class Price:
    charge_cents: int
    self_pay_cents: int


@dataclass(frozen=True)
class ChargeMaster:
    """Prices per procedure code, per facility where one has its own (services/biller/biller/data/charge_master.csv)."""

    prices: dict[tuple[str, str], Price]  # (code, facility NPI or "") -> price

    def price(self, code: str, facility_npi: str) -> Price | None:
        return self.prices.get((code, facility_npi)) or self.prices.get((code, ""))

    @staticmethod
    def from_rows(rows: list[dict[str, str]]) -> ChargeMaster:
        def cents(usd: str) -> int:
            return int(Decimal(usd) * 100)

        return ChargeMaster(
            {
                (r["code"], r.get("facility_npi") or ""): Price(cents(r["charge_usd"]), cents(r["self_pay_usd"]))
                for r in rows
            }
        )


@dataclass(frozen=True)
class Reference:
    """The reference tables billing works from (loaded by biller.adapters.reference)."""

    charge_master: ChargeMaster
    payers: dict[str, PayerInfo]
    submitter: Submitter


@dataclass
class BillingDecision:
    """Claims to submit, or a self-pay statement, or the reasons the encounter cannot be billed."""

    claims: list[ClaimSubmitted] = field(default_factory=list)  # clean: to send
    rejected: list[tuple[ClaimSubmitted, list[str]]] = field(default_factory=list)  # scrubber failures, kept
    self_pay_cents: int | None = None
    problems: list[str] = field(default_factory=list)  # why no claim could be built at all

    @property
    def outcome(self) -> str:
        if self.problems:
            return "not_billable"
        if self.self_pay_cents is not None:
            return "self_pay"
        return "rejected" if self.rejected and not self.claims else "claimed"


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
    denials: list[tuple[str | None, Adjustment]]  # (line control number or None for the claim, adjustment)

    @property
    def denial_carcs(self) -> list[str]:
        return sorted({a.carc for _, a in self.denials})
