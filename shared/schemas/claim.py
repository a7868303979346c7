"""Topic `claims`: a professional claim (837P) as the biller submits it to a payer."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

from pydantic import Field, model_validator

from shared.schemas.cob import OtherPayer, PayerSequence, PriorPayer
from shared.schemas.common import Cents, Envelope, Model, PlaceOfService
from shared.schemas.visit import Coverage, Facility, Patient, Provider

TOPIC = "claims"


class ClaimLine(Model):
    line_number: int = Field(ge=1, le=50)
    line_control_number: str = Field(max_length=50, description="REF*6R")
    procedure_code: str
    modifiers: list[str] = Field(default_factory=list, max_length=4)
    units: int = Field(ge=1)
    charge_cents: Cents = Field(ge=0)
    diagnosis_pointers: list[int] = Field(min_length=1, max_length=4)
    service_date: date


class ClaimSubmitted(Envelope):
    claim_id: str
    patient_control_number: str = Field(max_length=38, description="CLM01")
    frequency_code: Literal["1", "7", "8"] = "1"
    payer_claim_control_number: str | None = Field(default=None, description="REF*F8 on 7 and 8")
    payer_id: str
    coverage: Coverage
    patient: Patient
    billing_provider: Facility
    rendering_provider: Provider
    place_of_service: PlaceOfService
    service_date: date
    diagnoses: list[str] = Field(min_length=1, max_length=12, description="ICD-10-CM, in claim order")
    service_lines: list[ClaimLine] = Field(min_length=1, max_length=50)
    total_charge_cents: Cents = Field(description="CLM02")
    prior_authorization: str | None = Field(default=None, description="REF*G1")
    coded_encounter_event_id: uuid.UUID
    x12_837: str | None = None
    # Coordination of benefits: which payer this claim is to (2000B SBR01), the primary claim a
    # secondary or tertiary claim follows, the earlier payers' answers (2320/2330/2430) and the
    # coverages still to be billed after this payer (2320/2330 without an adjudication).
    payer_sequence: PayerSequence = "P"
    primary_claim_id: str | None = None
    prior_payers: list[PriorPayer] = Field(default_factory=list, max_length=2)
    later_payers: list[OtherPayer] = Field(default_factory=list, max_length=2)

    @model_validator(mode="after")
    def _total_is_sum_of_lines(self) -> ClaimSubmitted:
        if self.total_charge_cents != sum(line.charge_cents for line in self.service_lines):
            raise ValueError("total_charge_cents (CLM02) must equal the sum of the line charges")
        return self
