"""The payer's front-end answers as X12: the 999 005010X231A1 implementation acknowledgment of an
837P interchange, and the 277CA 005010X214 claim acknowledgment.

What the payer needs of the 837P it answers (control numbers, submitter, batch reference) is read
from the interchange itself (`Received837`). Every element goes through the X12 text policy; a 999
never copies the bad value (IK404 is left out), so it may be logged and stored."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from payer_sim.domain.model import PayerTerms
from shared import x12
from shared.schemas import ClaimSubmitted
from shared.schemas.acknowledgment import ClaimStatus277, FunctionalAckCode, SyntaxError999
from shared.x12 import code, element, money

IMPLEMENTATION_999 = "005010X231A1"
IMPLEMENTATION_277CA = "005010X214"
CLAIM_IMPLEMENTATION = "005010X222A1"
# STC03 action code: WQ accepted, U rejected (the claim comes back unprocessed)
ACTION = {True: "WQ", False: "U"}
RECEIPT = ClaimStatus277(category="A1", code="19", entity="PR", description="received by the payer")


@dataclass(frozen=True)
class Received837:
    """What an 837P interchange says of itself: who sent it and under which control numbers."""

    segments: list[list[str]]  # ST..SE of the first transaction set, split into elements
    sender_id: str  # ISA06
    group_control_number: str  # GS06
    transaction_control_number: str  # ST02
    batch_reference: str  # BHT03
    submitter_name: str  # NM1*41 NM103
    submitter_id: str  # NM1*41 NM109

    def position(self, segment_id: str, qualifier: str | None = None) -> int | None:
        """IK302: the 1-based position of the first such segment in the transaction set (ST = 1)."""
        for number, elements in enumerate(self.segments, start=1):
            if elements[0] == segment_id and (qualifier is None or (len(elements) > 1 and elements[1] == qualifier)):
                return number
        return None


def read_837(text: str | None) -> Received837 | None:
    """The envelope of a claim's interchange, or None when there is none to read."""
    if not text or not text.strip():
        return None
    found: dict[str, list[str]] = {}
    transaction: list[list[str]] = []
    inside = False
    for raw in text.split(x12.SEGMENT_TERMINATOR):
        elements = raw.strip().split(x12.ELEMENT_SEPARATOR)
        tag = elements[0]
        if tag == "ST":
            inside = True
        if inside and not (tag == "ST" and transaction):
            transaction.append(elements)
        if tag == "SE":
            inside = False
            break
        if tag == "NM1" and len(elements) > 1 and elements[1] == "41":
            found.setdefault("NM1*41", elements)
        elif tag in ("ISA", "GS", "ST", "BHT"):
            found.setdefault(tag, elements)

    def part(tag: str, index: int) -> str:
        elements = found.get(tag, [])
        return elements[index].strip() if len(elements) > index else ""

    if not part("ISA", 6) or not part("GS", 6) or not part("ST", 2):
        return None
    return Received837(
        segments=transaction,
        sender_id=part("ISA", 6),
        group_control_number=part("GS", 6),
        transaction_control_number=part("ST", 2),
        batch_reference=part("BHT", 3) or part("GS", 6),
        submitter_name=part("NM1*41", 3) or part("ISA", 6),
        submitter_id=part("NM1*41", 9) or part("ISA", 6),
    )


def control_number(claim_event_id: uuid.UUID, kind: str) -> int:
    """ISA13/GS06 of an acknowledgment: derived from the submission it answers, so a redelivered
    claim is answered with the same file."""
    return uuid.uuid5(claim_event_id, kind).int % x12.MAX_CONTROL_NUMBER + 1


def _envelope(
    payer: PayerTerms | None, payer_id: str, receiver: str, number: int, functional_id: str, ts: str, now: datetime
) -> x12.Envelope:
    return x12.Envelope(
        sender_id=payer.payer_id if payer else payer_id,
        receiver_id=receiver,
        interchange_control_number=number,
        group_control_number=number,
        functional_id=functional_id,
        implementation=IMPLEMENTATION_999 if ts == "999" else IMPLEMENTATION_277CA,
        transaction_set=ts,
        created=now,
    )


def acknowledgment_999(
    claim: ClaimSubmitted,
    received: Received837 | None,
    payer: PayerTerms | None,
    ack: FunctionalAckCode,
    errors: list[SyntaxError999],
    now: datetime,
) -> str:
    """One 999 for the claim's interchange (one functional group, one transaction set)."""
    group = received.group_control_number if received else "0"
    st02 = received.transaction_control_number if received else "0001"
    body: list[x12.Segment] = [
        ["AK1", "HC", code(group, "AK102 group control number", 9), CLAIM_IMPLEMENTATION],
        ["AK2", "837", code(st02, "AK202 transaction set control number", 9, 4), CLAIM_IMPLEMENTATION],
    ]
    for e in errors:
        loop = (
            e.loop_id if e.loop_id and len(e.loop_id) <= 4 else ""
        )  # IK303 is AN 1-4: the guide's 2010BA does not fit
        body.append(["IK3", e.segment_id, e.segment_position, loop, e.segment_error])
        if e.element_position is not None and e.element_error is not None:
            position = str(e.element_position)
            if e.component_position is not None:
                position += f"{x12.COMPONENT_SEPARATOR}{e.component_position}"
            body.append(["IK4", position, e.element_reference or "", e.element_error])
    if received is None:
        body.append(["IK5", "R", "2"])  # the transaction set could not be read (trailer missing)
    else:
        body.append(["IK5", ack, "I5"] if errors else ["IK5", ack])
    body.append(["AK9", ack, "1", "1", "0" if ack == "R" else "1"])
    receiver = received.sender_id if received else "RCMFLOW"
    number = control_number(claim.event_id, "999")
    return x12.interchange(_envelope(payer, claim.payer_id, receiver, number, "FA", "999", now), [body])


def _stc(status: ClaimStatus277, on: date, charge_cents: int, *, with_date: bool = True) -> x12.Segment:
    composite = x12.COMPONENT_SEPARATOR.join(
        [code(status.category, "STC01-1 category", 2, 2), code(status.code, "STC01-2 status", 5)]
        + ([code(status.entity, "STC01-3 entity", 3, 2)] if status.entity else [])
    )
    return ["STC", composite, on.strftime("%Y%m%d") if with_date else "", ACTION[status.accepted], money(charge_cents)]


def claim_acknowledgment_277ca(
    claim: ClaimSubmitted,
    received: Received837,
    payer: PayerTerms | None,
    status: ClaimStatus277,
    payer_claim_control_number: str | None,
    now: datetime,
) -> str:
    """One 277CA for one claim: information source (payer), receiver (submitter), billing
    provider, patient and the claim's status (loops 2000A-2200D)."""
    today = now.date()
    received_on = claim.occurred_at.date()
    accepted = status.accepted
    payer_name = payer.name if payer else claim.payer_id
    trace = f"{control_number(claim.event_id, '277CA'):09d}"
    p = claim.patient
    body: list[x12.Segment] = [
        ["BHT", "0085", "08", trace, today.strftime("%Y%m%d"), now.strftime("%H%M"), "TH"],
        ["HL", "1", "", "20", "1"],
        ["NM1", "PR", "2", element(payer_name, "2100A NM103 payer name", 60, truncate=True), "", "", "", "",
         "PI", element(claim.payer_id, "2100A NM109 payer id", 80, 2)],
        ["TRN", "1", trace],
        ["DTP", "050", "D8", received_on.strftime("%Y%m%d")],
        ["DTP", "009", "D8", today.strftime("%Y%m%d")],
        ["HL", "2", "1", "21", "1"],
        ["NM1", "41", "2", element(received.submitter_name, "2100B NM103 submitter name", 60, truncate=True),
         "", "", "", "", "46", element(received.submitter_id, "2100B NM109 submitter id", 80, 2)],
        ["TRN", "2", element(received.batch_reference, "2200B TRN02 batch reference", 50)],
        _stc(RECEIPT, today, claim.total_charge_cents),
        ["QTY", "90" if accepted else "AA", "1"],
        ["AMT", "YU" if accepted else "YY", money(claim.total_charge_cents)],
        ["HL", "3", "2", "19", "1"],
        ["NM1", "85", "2", element(claim.billing_provider.name, "2100C NM103 billing provider", 60, truncate=True),
         "", "", "", "", "XX", code(claim.billing_provider.npi, "2100C NM109 NPI", 10, 10)],
        ["TRN", "1", "0"],
        _stc(RECEIPT, today, claim.total_charge_cents, with_date=False),
        ["QTY", "QA" if accepted else "QC", "1"],
        ["AMT", "YU" if accepted else "YY", money(claim.total_charge_cents)],
        ["HL", "4", "3", "PT"],
        ["NM1", "QC", "1", element(p.last_name, "2100D NM103 patient last name", 60, truncate=True),
         element(p.first_name, "2100D NM104 patient first name", 35, truncate=True), "", "", "",
         "MI", element(claim.coverage.member_id, "2100D NM109 member id", 80, 2)],
        ["TRN", "2", element(claim.patient_control_number, "2200D TRN02 patient control number", 50)],
        _stc(status, today, claim.total_charge_cents),
    ]  # fmt: skip
    if accepted and payer_claim_control_number:
        body.append(["REF", "1K", element(payer_claim_control_number, "2200D REF02 payer claim number", 50)])
    body.append(["DTP", "472", "D8", claim.service_date.strftime("%Y%m%d")])
    number = control_number(claim.event_id, "277CA")
    return x12.interchange(_envelope(payer, claim.payer_id, received.sender_id, number, "HN", "277", now), [body])
