"""Topic `eligibility`: the payer's answer to the biller's eligibility inquiry for one visit
(270/271 005010X279A1), asked before any claim is built. The answer is kept with the visit; an
inactive or unknown member sends the visit to the eligibility work queue instead of a claim."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from shared import ids
from shared.schemas.common import Cents, Envelope, Model, Producer
from shared.schemas.visit import Visit

TOPIC = "eligibility"

# active: EB*1; inactive: EB*6 (coverage lapsed or not yet begun); rejected: AAA (the payer could
# not answer for this member: AAA03 says why); unverified: the payer could not be asked.
EligibilityStatus = Literal["active", "inactive", "rejected", "unverified"]
BILLABLE = frozenset({"active", "unverified"})


class EligibilityAnswer(Model):
    """What a 271 says of one subscriber (loop 2000C)."""

    trace_number: str = Field(description="TRN02: the inquiry's trace, echoed back")
    member_id: str
    status: EligibilityStatus
    plan_id: str | None = Field(default=None, description="EB05 plan coverage description")
    plan_begin: date | None = Field(default=None, description="DTP*346")
    plan_end: date | None = Field(default=None, description="DTP*347")
    copay_cents: Cents | None = Field(default=None, description="EB*B, per office visit")
    deductible_remaining_cents: Cents | None = Field(default=None, description="EB*C with EB06 29 (remaining)")
    rejection_code: str | None = Field(default=None, description="AAA03 reject reason (72 invalid id, 75 not found)")
    reason: str = Field(default="", description="in words, no value")


class EligibilityChecked(Envelope):
    payer_id: str
    service_date: date
    answer: EligibilityAnswer
    x12_270: str | None = None
    x12_271: str | None = None

    @property
    def billable(self) -> bool:
        return self.answer.status in BILLABLE

    @classmethod
    def of(
        cls,
        visit: Visit,
        received_at: object,
        producer: Producer,
        answer: EligibilityAnswer,
        x12_270: str | None,
        x12_271: str | None,
    ) -> EligibilityChecked:
        assert visit.coverage is not None
        return cls.model_validate(
            {
                "event_id": ids.event_id(
                    "eligibility", visit.visit_id, visit.coverage.payer_id, visit.coverage.member_id
                ),
                "visit_id": visit.visit_id,
                "patient_id": visit.patient.id,
                "producer": producer,
                "received_at": received_at,
                "payer_id": visit.coverage.payer_id,
                "service_date": visit.service_date,
                "answer": answer,
                "x12_270": x12_270,
                "x12_271": x12_271,
            }
        )


def trace_number(visit_id: str) -> str:
    """TRN02 of the inquiry for a visit (at most 50 characters; the visit id may be longer)."""
    return "EL" + ids.event_id("eligibility-trace", visit_id).hex[:20].upper()
