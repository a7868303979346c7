"""Topic `remittances`: the payer's answer to one claim (one CLP loop of an 835)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

from pydantic import Field

from shared.schemas.common import AdjustmentGroup, Cents, Envelope, Model

TOPIC = "remittances"

# CLP02: 1 processed as primary, 2 as secondary, 4 denied, 22 reversal of a previous payment.
ClaimStatusCode = Literal["1", "2", "3", "4", "22"]


class Adjustment(Model):
    group: AdjustmentGroup
    carc: str = Field(pattern=r"^[A-Z0-9]{1,5}$")
    amount_cents: Cents
    rarc: str | None = None


class RemittanceLine(Model):
    line_control_number: str
    procedure_code: str
    modifiers: list[str] = Field(default_factory=list)
    units: int
    charge_cents: Cents
    allowed_cents: Cents
    paid_cents: Cents
    adjustments: list[Adjustment] = Field(default_factory=list)

    @property
    def balances(self) -> bool:
        """SVC02 - SVC03 = sum of the line's CAS amounts."""
        return self.charge_cents - self.paid_cents == sum(a.amount_cents for a in self.adjustments)


class Payee(Model):
    npi: str
    name: str
    tax_id: str


class RemittanceIssued(Envelope):
    claim_id: str
    claim_event_id: uuid.UUID
    patient_control_number: str = Field(description="CLP01")
    payer_id: str
    payer_claim_control_number: str = Field(description="CLP07")
    claim_status_code: ClaimStatusCode
    frequency_code: str = Field(default="1", description="CLP09: frequency of the claim this answers")
    reverses: str | None = Field(default=None, description="CLP07 of the adjudication a reversal (22) takes back")
    claim_filing_indicator: str = Field(default="CI", description="CLP06")
    member_id: str
    patient_first_name: str
    patient_last_name: str
    payee: Payee
    service_date: date
    adjudicated_on: date
    total_charge_cents: Cents = Field(description="CLP03")
    paid_cents: Cents = Field(description="CLP04")
    patient_responsibility_cents: Cents = Field(description="CLP05")
    claim_adjustments: list[Adjustment] = Field(default_factory=list, description="claim-level CAS")
    service_lines: list[RemittanceLine] = Field(default_factory=list)

    @property
    def balances(self) -> bool:
        """CLP03 - CLP04 = every CAS amount, claim and line level; CLP05 = total PR."""
        all_adjustments = self.claim_adjustments + [a for ln in self.service_lines for a in ln.adjustments]
        total = sum(a.amount_cents for a in all_adjustments)
        patient = sum(a.amount_cents for a in all_adjustments if a.group == "PR")
        return (
            self.total_charge_cents - self.paid_cents == total
            and patient == self.patient_responsibility_cents
            and all(ln.balances for ln in self.service_lines)
        )
