"""Topic `denial-work`: what a person did with a denied claim — corrected and resubmitted it
(a replacement claim, frequency 7, follows on `claims`), wrote the denied amount off, or marked
it for appeal. The biller publishes one event per action it accepted; it is the record of who
worked the denial, and the console's queue reads it."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import Field

from shared.schemas.common import Cents, Envelope

TOPIC = "denial-work"

DenialAction = Literal["correct", "write_off", "appeal"]


class DenialWorked(Envelope):
    claim_id: str
    action: DenialAction
    worked_by: str = Field(min_length=1, max_length=80, description="the person, as they signed the action")
    reason: str = Field(max_length=500)
    denied_cents: Cents = Field(ge=0, description="what the open denials on the claim came to")
    written_off_cents: Cents = Field(default=0, ge=0, description="write_off: the amount taken off A/R")
    replacement_claim_event_id: uuid.UUID | None = Field(default=None, description="correct: the frequency-7 claim")
