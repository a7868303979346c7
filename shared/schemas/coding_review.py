"""Topic `coding-review`: encounters the coder would not code alone, with reasons and suggestions."""

from __future__ import annotations

from pydantic import Field

from shared import ids
from shared.schemas.coded_encounter import CodedDiagnosis, CodedServiceLine
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
    # The engine's draft — what it would have coded, each code with its evidence and confidence —
    # for the person to start from. Added in version 1 as optional fields (older events lack them).
    draft_diagnoses: list[CodedDiagnosis] = Field(default_factory=list)
    draft_service_lines: list[CodedServiceLine] = Field(default_factory=list)

    @classmethod
    def of(
        cls,
        cause: VisitReceived,
        producer: Producer,
        coder_version: str,
        reasons: list[ReviewReason],
        draft_diagnoses: list[CodedDiagnosis] | None = None,
        draft_service_lines: list[CodedServiceLine] | None = None,
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
            draft_diagnoses=draft_diagnoses or [],
            draft_service_lines=draft_service_lines or [],
        )
