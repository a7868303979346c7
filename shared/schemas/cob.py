"""Coordination of benefits on a claim: what an earlier payer did with it, as a later payer's
837P carries it (loop 2320 claim level, 2330A/2330B who, 2430 per line)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from shared.schemas.common import Cents, Model
from shared.schemas.remittance import Adjustment
from shared.schemas.visit import Coverage

PayerSequence = Literal["P", "S", "T"]  # SBR01: primary, secondary, tertiary


class PriorPayerLine(Model):
    """Loop 2430: one service line as the earlier payer adjudicated it."""

    line_control_number: str
    procedure_code: str
    modifiers: list[str] = Field(default_factory=list, max_length=4)
    units: int = Field(ge=1)
    paid_cents: Cents = Field(description="SVD02")
    adjustments: list[Adjustment] = Field(default_factory=list, description="CAS")
    remaining_patient_cents: Cents = Field(description="AMT*EAF: what the patient still owes on the line")


class OtherPayer(Model):
    """Loops 2320/2330A/2330B: another payer of the visit and its member."""

    sequence: PayerSequence = Field(description="2320 SBR01")
    payer_id: str
    payer_name: str = Field(description="2330B NM103")
    x12_payer_id: str = Field(description="2330B NM109")
    claim_filing_indicator: str = Field(description="2320 SBR09")
    coverage: Coverage


class PriorPayer(OtherPayer):
    """An earlier payer with its answer to the claim (2320 CAS/AMT, 2330B DTP*573, 2430)."""

    payer_claim_control_number: str = Field(description="2330B REF*F8: the payer's CLP07")
    adjudicated_on: date = Field(description="DTP*573")
    paid_cents: Cents = Field(description="AMT*D")
    remaining_patient_cents: Cents = Field(description="AMT*EAF")
    claim_adjustments: list[Adjustment] = Field(default_factory=list, description="2320 CAS")
    lines: list[PriorPayerLine] = Field(default_factory=list)
