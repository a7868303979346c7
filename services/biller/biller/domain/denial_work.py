"""A person working a denied claim: correct and resubmit it (a replacement claim, frequency 7),
write the denied amount off, or mark it for appeal. Pure: the request as the biller's API takes
it, the checks on it, and what each action makes. Refusals name a field, never its value."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from biller.domain.claims import render_checked_837
from biller.domain.denials import replacement_claim
from biller.domain.model import PayerInfo, Submitter
from biller.domain.scrubber import ScrubContext, scrub
from shared import ids
from shared.schemas import ClaimSubmitted, DenialAction, DenialWorked, Producer

# Claim statuses a person can work: the payer answered and some of it is denied.
WORKABLE_STATUSES = frozenset({"denied", "partially_paid"})
FRONT_END_REJECTED = "front_end_rejected"
ICD10_SHAPE = re.compile(r"^[A-TV-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$")
MODIFIER_SHAPE = re.compile(r"^[0-9A-Z]{2}$")
AUTHORIZATION_SHAPE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-]{0,49}$")  # REF*G1, X12 basic characters

__all__ = ["DenialWork", "LineChange", "ValidationError", "WorkRefused", "plan_work"]


class LineChange(BaseModel):
    """What a person changes on one line of the claim (absent: unchanged)."""

    model_config = ConfigDict(extra="forbid")

    line_number: int = Field(ge=1, le=50)
    modifiers: list[str] | None = Field(default=None, max_length=4)
    units: int | None = Field(default=None, ge=1, le=999)
    diagnosis_pointers: list[int] | None = Field(default=None, min_length=1, max_length=4)

    @field_validator("modifiers")
    @classmethod
    def _modifier_shape(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and not all(MODIFIER_SHAPE.fullmatch(m) for m in value):
            raise ValueError("a modifier is two letters or digits")
        return value


class DenialWork(BaseModel):
    """POST /claims/{claim_id}/denial-work: the action, who signs it and why; for `correct`, what changes."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    action: DenialAction
    worked_by: str = Field(min_length=1, max_length=80)
    reason: str = Field(min_length=1, max_length=500)
    prior_authorization: str | None = None
    diagnoses: list[str] | None = Field(default=None, min_length=1, max_length=12)
    lines: list[LineChange] = Field(default_factory=list, max_length=50)

    @field_validator("prior_authorization")
    @classmethod
    def _authorization_shape(cls, value: str | None) -> str | None:
        if value is not None and not AUTHORIZATION_SHAPE.fullmatch(value):
            raise ValueError("an authorization number: letters, digits and -, 50 at most")
        return value

    @field_validator("diagnoses")
    @classmethod
    def _diagnosis_shape(cls, value: list[str] | None) -> list[str] | None:
        if value is not None:
            value = [d.upper() for d in value]
            if not all(ICD10_SHAPE.fullmatch(d) for d in value):
                raise ValueError("an ICD-10-CM code such as E11.9")
        return value

    @property
    def changes_claim(self) -> bool:
        return self.prior_authorization is not None or self.diagnoses is not None or bool(self.lines)


class WorkRefused(Exception):
    """The action cannot be taken; the message names the field and the rule, never a value."""

    def __init__(self, field: str, message: str, status: int = 422) -> None:
        super().__init__(f"{field}: {message}")
        self.field, self.message, self.status = field, message, status


@dataclass(frozen=True)
class StandingClaim:
    """The claim as it stands, with what the payer last said of it."""

    claim: ClaimSubmitted
    status: str
    payer_claim_control_number: str | None
    denied_cents: int  # the open denials on it


@dataclass(frozen=True)
class Work:
    worked: DenialWorked
    replacement: ClaimSubmitted | None  # correct: the frequency-7 claim to send


def plan_work(
    standing: StandingClaim,
    request: DenialWork,
    payer: PayerInfo | None,
    submitter: Submitter,
    producer: Producer,
    now: datetime,
) -> Work:
    """What the action makes, or WorkRefused. One action of a kind per submission of the claim:
    the event id follows from the submission it works, so a second click is the same action."""
    claim = standing.claim
    # a claim the payer's front end turned back (rejected work queue) may be written off whole
    front_end_write_off = standing.status == FRONT_END_REJECTED and request.action == "write_off"
    if not front_end_write_off and (standing.status not in WORKABLE_STATUSES or standing.denied_cents <= 0):
        raise WorkRefused("claim", "has no open denial to work", status=409)
    if request.action != "correct" and request.changes_claim:
        raise WorkRefused("action", "only a correction changes the claim")
    work_id = ids.event_id("denial-work", claim.claim_id, claim.event_id, request.action)
    replacement = None
    if request.action == "correct":
        replacement = _corrected(standing, request, work_id, payer, submitter, now)
    worked = DenialWorked(
        event_id=work_id,
        visit_id=claim.visit_id,
        patient_id=claim.patient_id,
        producer=producer,
        received_at=claim.received_at,
        occurred_at=now,
        claim_id=claim.claim_id,
        action=request.action,
        worked_by=request.worked_by,
        reason=request.reason,
        denied_cents=standing.denied_cents,
        written_off_cents=(claim.total_charge_cents if front_end_write_off else standing.denied_cents)
        if request.action == "write_off"
        else 0,
        replacement_claim_event_id=replacement.event_id if replacement else None,
    )
    return Work(worked, replacement)


def _corrected(
    standing: StandingClaim,
    request: DenialWork,
    work_id: uuid.UUID,
    payer: PayerInfo | None,
    submitter: Submitter,
    now: datetime,
) -> ClaimSubmitted:
    claim = standing.claim
    if not standing.payer_claim_control_number:
        raise WorkRefused("claim", "the payer's claim number (CLP07) is unknown: a replacement needs it", 409)
    if payer is None:
        raise WorkRefused("claim", "the payer is not one this practice bills", 409)
    lines = {ln.line_number: ln for ln in claim.service_lines}
    for change in request.lines:
        line = lines.get(change.line_number)
        if line is None:
            raise WorkRefused(f"lines.{change.line_number}", "the claim has no such line")
        update = {k: v for k, v in change.model_dump(exclude={"line_number"}).items() if v is not None}
        lines[change.line_number] = line.model_copy(update=update)
    changes: dict = {"service_lines": [lines[n] for n in sorted(lines)]}
    if request.diagnoses is not None:
        changes["diagnoses"] = request.diagnoses
    if request.prior_authorization is not None:
        changes["prior_authorization"] = request.prior_authorization
    draft = replacement_claim(claim, standing.payer_claim_control_number, work_id, now, changes)
    errors = scrub(draft, ScrubContext(today=now.date(), payer=payer))
    # the window a replacement answers to runs from the payer's answer, which the biller checked
    # when it sent the original; the scrubber's window from the service date does not apply
    errors = [e for e in errors if e.code != "S09"]
    if errors:
        raise WorkRefused("claim", "; ".join(f"{e.code} {e.message}" for e in errors))
    try:
        checked = ClaimSubmitted.model_validate(draft.model_dump())
    except ValidationError as exc:
        fields = sorted({".".join(str(p) for p in e["loc"]) for e in exc.errors(include_input=False)})
        raise WorkRefused("claim", "the corrected claim breaks its contract at " + ", ".join(fields)) from None
    rendered, reasons = render_checked_837(checked, payer, submitter)
    if reasons:
        raise WorkRefused("claim", "; ".join(reasons))
    return rendered
