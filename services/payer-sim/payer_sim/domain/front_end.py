"""The payer's front end: what it does with a claim submission before adjudication.

1. Its translator reads the 837P interchange (pyx12 under 005010X222A1): errors make the 999
   reject the transaction set (IK5 R), and the claim stops there.
2. Its claim edits (the 277CA): a member id not in the payer's format (A7:164:IL), a billing
   provider the payer has not enrolled (A7:562:85), a date of service after the claim was received
   (A7:187), a payer it is not (A3:116). A rejected claim is
   not adjudicated; an accepted one is (A2:20, with the payer's claim number in REF*1K).
3. Seeded front-end rejections (`front_end_rejections.csv`), off unless a rate is set, drawn like
   the random denials: the same seed and claim always draw the same row.

Pure except for the pyx12 read of the text (as the biller's own check before sending)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from payer_sim.domain.model import PayerTerms
from payer_sim.domain.x12_acks import (
    Received837,
    acknowledgment_999,
    claim_acknowledgment_277ca,
    read_837,
)
from shared import ids
from shared.schemas import ClaimSubmitted, Producer
from shared.schemas.acknowledgment import ClaimAcknowledged, ClaimStatus277, FunctionalAckCode, SyntaxError999
from shared.x12_report import syntax_errors

ACCEPTED = ClaimStatus277(category="A2", code="20", entity=None, description="accepted for adjudication")
# A payer's member ids when its terms say nothing else: letters and digits, as X12's basic set writes them.
DEFAULT_MEMBER_ID = re.compile(r"^[A-Z0-9]{2,20}$")


@dataclass(frozen=True)
class FrontEndRejection:
    """A row of front_end_rejections.csv (see its source file beside it)."""

    level: str  # 999 or 277CA
    ack: str  # 999: R or E
    segment_id: str
    qualifier: str
    loop_id: str
    element_position: int | None
    element_reference: str
    segment_error: str
    element_error: str
    category: str
    status_code: str
    entity: str
    description: str


@dataclass(frozen=True)
class FrontEndKnobs:
    rejection_rate: float = 0.0
    seed: int = 0
    rejections: tuple[FrontEndRejection, ...] = field(default_factory=tuple)
    # the translator's pyx12 read of each 837P (~0.1 s a claim): off only for throughput runs,
    # where the biller's own pyx12 check before sending already holds
    syntax_check: bool = True


def seeded_rejection(knobs: FrontEndKnobs, claim_key: str) -> FrontEndRejection | None:
    if knobs.rejection_rate <= 0 or not knobs.rejections:
        return None
    digest = hashlib.sha256(f"front-end|{knobs.seed}|{claim_key}".encode()).digest()
    if int.from_bytes(digest[:8], "big") / 2**64 >= knobs.rejection_rate:
        return None
    return knobs.rejections[digest[8] % len(knobs.rejections)]


def _seeded_999(row: FrontEndRejection, received: Received837) -> SyntaxError999 | None:
    position = received.position(row.segment_id, row.qualifier or None)
    if position is None:  # the claim has no such segment: nothing to note
        return None
    return SyntaxError999(
        segment_id=row.segment_id,
        segment_position=position,
        loop_id=row.loop_id or None,
        segment_error=row.segment_error,
        element_position=row.element_position,
        element_reference=row.element_reference or None,
        element_error=row.element_error or None,
        description=f"{row.segment_id} at position {position} in loop {row.loop_id}: {row.description}",
    )


def claim_edits(claim: ClaimSubmitted, terms: PayerTerms | None, received_on: datetime) -> ClaimStatus277 | None:
    """The payer's own claim edits; the first that fails rejects the claim (None: all pass)."""
    if terms is None:
        return ClaimStatus277(category="A3", code="116", entity=None, description="claim submitted to the wrong payer")
    pattern = re.compile(terms.member_id_pattern) if terms.member_id_pattern else DEFAULT_MEMBER_ID
    if not pattern.fullmatch(claim.coverage.member_id):
        return ClaimStatus277(
            category="A7", code="164", entity="IL", description="subscriber's member id is not in the payer's format"
        )
    if claim.billing_provider.npi in terms.unenrolled_billing_npis:
        return ClaimStatus277(
            category="A7", code="562", entity="85", description="billing provider NPI is not enrolled with the payer"
        )
    if claim.service_date > received_on.date():
        return ClaimStatus277(category="A7", code="187", entity=None, description="date of service after receipt")
    return None


def acknowledge(
    claim: ClaimSubmitted,
    terms: PayerTerms | None,
    knobs: FrontEndKnobs,
    producer: Producer,
    now: datetime,
    checked: Mapping[str, list[SyntaxError999] | None] | None = None,
) -> ClaimAcknowledged:
    """The 999 and (unless it rejects) the 277CA for one claim submission. `checked`: pyx12's
    verdicts already taken for a batch's texts (`syntax_errors_each`), by text."""
    received = read_837(claim.x12_837)
    found: list[SyntaxError999] | None
    if received is None or not claim.x12_837:
        found = None
    elif not knobs.syntax_check:
        found = []
    else:
        found = checked[claim.x12_837] if checked and claim.x12_837 in checked else syntax_errors(claim.x12_837)
    errors: list[SyntaxError999] = list(found or [])
    ack: FunctionalAckCode = "R" if received is None or found is None or errors else "A"
    seeded = seeded_rejection(knobs, str(claim.event_id))
    status: ClaimStatus277 | None = None
    if ack == "A" and received is not None and seeded is not None and seeded.level == "999":
        note = _seeded_999(seeded, received)
        if note is not None:
            errors.append(note)
            ack = "R" if seeded.ack == "R" else "E"
    if ack != "R":
        status = claim_edits(claim, terms, claim.occurred_at)
        if status is None and seeded is not None and seeded.level == "277CA":
            status = ClaimStatus277(
                category=seeded.category,
                code=seeded.status_code,
                entity=seeded.entity or None,
                description=seeded.description,
            )
        status = status or ACCEPTED
    # REF*1K: the number the payer's 835 will carry as CLP07 (derived from the answer it will send)
    answer_id = ids.event_id("remittance", "answer", claim.event_id)
    payer_number = ids.payer_claim_control_number(claim.payer_id, answer_id) if status and status.accepted else None
    text_999 = acknowledgment_999(claim, received, terms, ack, errors, now)
    text_277 = (
        claim_acknowledgment_277ca(claim, received, terms, status, payer_number, now)
        if status is not None and received is not None
        else None
    )
    return ClaimAcknowledged.of(
        claim,
        producer,
        functional_ack=ack,
        syntax_errors=errors,
        claim_status=status,
        payer_claim_control_number=payer_number,
        x12_999=text_999,
        x12_277ca=text_277,
    )
