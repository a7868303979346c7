"""Topic `coding-review`: encounters the coder would not code alone, with reasons and suggestions."""

from __future__ import annotations

from pydantic import Field

from shared import ids
from shared.schemas.common import Envelope, Model, Producer
from shared.schemas.visit import Visit, VisitReceived

TOPIC = "coding-review"


class ReviewReason(Model):
    code: str = Field(description="machine-readable reason, e.g. icd-not-billable")
    message: str
    suggestions: list[str] = Field(default_factory=list)


class CodingReviewRequested(Envelope):
    visit: Visit
    coder_version: str
    reasons: list[ReviewReason] = Field(min_length=1)

    @classmethod
    def of(
        cls, cause: VisitReceived, producer: Producer, coder_version: str, reasons: list[ReviewReason]
    ) -> CodingReviewRequested:
        """The request for a person to code the visit `cause` carries; the same visit and coder
        version give the same event."""
        visit = cause.visit
        return cls(
            event_id=ids.event_id("review", visit.visit_id, coder_version),
            visit_id=visit.visit_id,
            patient_id=visit.patient.id,
            producer=producer,
            received_at=cause.received_at,
            occurred_at=cause.occurred_at,
            visit=visit,
            coder_version=coder_version,
            reasons=reasons,
        )
