"""Topic `coding-review`: encounters the coder would not code alone, with reasons and suggestions."""

from __future__ import annotations

from pydantic import Field

from shared.schemas.common import Envelope, Model
from shared.schemas.visit import Visit

TOPIC = "coding-review"


class ReviewReason(Model):
    code: str = Field(description="machine-readable reason, e.g. icd-not-billable")
    message: str
    suggestions: list[str] = Field(default_factory=list)


class CodingReviewRequested(Envelope):
    visit: Visit
    coder_version: str
    reasons: list[ReviewReason] = Field(min_length=1)
