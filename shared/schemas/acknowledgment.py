"""Topic `acknowledgments`: the payer's front end answering one claim submission, before any
adjudication. Each submission is its own 837P interchange, so one event carries both answers:

- the 999 (005010X231A1) implementation acknowledgment of the interchange: accepted (A),
  accepted with errors noted (E) or rejected (R), with the segment and element of every error;
- the 277CA (005010X214) claim acknowledgment, when the 999 let the claim through: accepted into
  adjudication (category A1/A2) or rejected (A3/A6/A7/A8) with its claim status code.

A claim rejected by either never reaches adjudication: the biller puts it on the rejected work
queue with the reason. The X12 texts are carried so `rcm export 999|277ca` can write them."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import Field

from shared import ids
from shared.schemas.claim import ClaimSubmitted
from shared.schemas.common import Cents, Envelope, Model, Producer

TOPIC = "acknowledgments"

# IK501 / AK901: accepted, accepted but errors were noted, rejected
FunctionalAckCode = Literal["A", "E", "R"]
# STC01-1 categories of the 277CA (code source 507) that mean the claim was accepted into adjudication
ACCEPTED_CATEGORIES = frozenset({"A1", "A2"})


class SyntaxError999(Model):
    """One IK3 (segment) note of a 999, with its IK4 (element) when the error is in an element.
    Never the value itself: IK404 (a copy of the bad data) is not written."""

    segment_id: str = Field(pattern=r"^[A-Z][A-Z0-9]{1,2}$", description="IK301")
    segment_position: int = Field(ge=1, description="IK302: position in the transaction set, ST = 1")
    loop_id: str | None = Field(
        default=None, max_length=6, description="the guide's loop (2010BA); IK303 carries it when it fits (4)"
    )
    segment_error: str = Field(description="IK304: code source 'Implementation Segment Syntax Error Code'")
    element_position: int | None = Field(default=None, ge=1, description="IK401-1")
    component_position: int | None = Field(default=None, ge=1, description="IK401-2")
    element_reference: str | None = Field(default=None, description="IK402: data element reference number")
    element_error: str | None = Field(default=None, description="IK403")
    description: str = Field(description="what is wrong and where, in words; no value")


class ClaimStatus277(Model):
    """STC01 of the 277CA's claim level (loop 2200D)."""

    category: str = Field(pattern=r"^[A-Z][0-9A-Z]$", description="STC01-1, code source 507")
    code: str = Field(pattern=r"^[0-9]{1,5}$", description="STC01-2, code source 508")
    entity: str | None = Field(default=None, description="STC01-3 entity identifier (IL subscriber, 85 billing)")
    description: str

    @property
    def accepted(self) -> bool:
        return self.category in ACCEPTED_CATEGORIES

    @property
    def composite(self) -> str:
        return ":".join(p for p in (self.category, self.code, self.entity) if p)


class ClaimAcknowledged(Envelope):
    claim_id: str
    claim_event_id: uuid.UUID
    patient_control_number: str = Field(description="CLM01, back in 2200D TRN02")
    payer_id: str
    total_charge_cents: Cents
    functional_ack: FunctionalAckCode = Field(description="IK501 of the 999")
    syntax_errors: list[SyntaxError999] = Field(default_factory=list)
    claim_status: ClaimStatus277 | None = Field(
        default=None, description="the 277CA's answer; none when the 999 rejected the transaction"
    )
    payer_claim_control_number: str | None = Field(default=None, description="REF*1K of an accepted claim")
    x12_999: str
    x12_277ca: str | None = None

    @property
    def accepted(self) -> bool:
        """Accepted into adjudication: the 999 let it through and the 277CA took it."""
        return self.functional_ack != "R" and self.claim_status is not None and self.claim_status.accepted

    @property
    def reason(self) -> str:
        """Why it was rejected, in words naming codes, segments and elements, never values."""
        if self.functional_ack == "R":
            notes = "; ".join(e.description for e in self.syntax_errors) or "transaction set rejected"
            return f"999 rejected: {notes}"
        if self.claim_status is not None and not self.claim_status.accepted:
            return f"277CA {self.claim_status.composite}: {self.claim_status.description}"
        return ""

    @classmethod
    def of(
        cls,
        claim: ClaimSubmitted,
        producer: Producer,
        *,
        functional_ack: FunctionalAckCode,
        syntax_errors: list[SyntaxError999],
        claim_status: ClaimStatus277 | None,
        payer_claim_control_number: str | None,
        x12_999: str,
        x12_277ca: str | None,
    ) -> ClaimAcknowledged:
        return cls(
            event_id=ids.event_id("acknowledgment", claim.event_id),
            visit_id=claim.visit_id,
            patient_id=claim.patient_id,
            producer=producer,
            received_at=claim.received_at,
            claim_id=claim.claim_id,
            claim_event_id=claim.event_id,
            patient_control_number=claim.patient_control_number,
            payer_id=claim.payer_id,
            total_charge_cents=claim.total_charge_cents,
            functional_ack=functional_ack,
            syntax_errors=syntax_errors,
            claim_status=claim_status,
            payer_claim_control_number=payer_claim_control_number,
            x12_999=x12_999,
            x12_277ca=x12_277ca,
        )
