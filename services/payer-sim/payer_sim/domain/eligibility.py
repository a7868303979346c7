"""The payer's eligibility answers: a 270 005010X279A1 inquiry read, each subscriber answered from
the roster, the payer's own enrolment and the member's accumulators, and the 271 written.

Active (EB*1 with the plan, EB*B copay, EB*C deductible remaining), inactive on the date of
service (EB*6: lapsed or not yet begun), or a rejection (AAA: 72 the member id is not in the
payer's format, 75 not found)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from payer_sim.domain.model import Accumulator, Enrollment, PayerTerms
from shared import x12
from shared.x12 import code, element, money

IMPLEMENTATION = "005010X279A1"
DEFAULT_MEMBER_ID = re.compile(r"^[A-Z0-9]{2,20}$")


@dataclass(frozen=True)
class Inquiry:
    """One subscriber loop (2000C) of a 270."""

    trace_number: str
    originator: str  # TRN03
    member_id: str
    last_name: str
    first_name: str
    service_date: date
    receiver: tuple[str, str]  # the information receiver (2100B): name, NPI


@dataclass(frozen=True)
class Received270:
    sender_id: str  # ISA06
    payer_id: str  # 2100A NM109
    reference: str  # BHT03
    inquiries: list[Inquiry]


def read_270(text: str) -> Received270:
    sender, payer, reference = "", "", ""
    inquiries: list[Inquiry] = []
    receiver = ("", "")
    current: dict[str, str] = {}

    def close() -> None:
        if current.get("member_id") and current.get("service_date"):
            inquiries.append(Inquiry(
                current.get("trace_number", ""), current.get("originator", ""), current["member_id"],
                current.get("last_name", ""), current.get("first_name", ""),
                datetime.strptime(current["service_date"], "%Y%m%d").date(), receiver,
            ))  # fmt: skip

    for seg in x12.read_segments(text):
        tag, n = seg[0], len(seg)
        if tag == "ISA" and n > 6:
            sender = seg[6].strip()
        elif tag == "BHT" and n > 3:
            reference = seg[3]
        elif tag == "HL" and n > 3 and seg[3] in ("21", "22"):
            close()
            current = {}
        elif tag == "NM1" and n > 9 and seg[1] == "PR":
            payer = seg[9]
        elif tag == "NM1" and n > 9 and seg[1] == "1P":
            receiver = (seg[3], seg[9])
        elif tag == "TRN" and n > 2:
            current.update(trace_number=seg[2], originator=seg[3] if n > 3 else "")
        elif tag == "NM1" and n > 9 and seg[1] == "IL":
            current.update(member_id=seg[9], last_name=seg[3], first_name=seg[4] if n > 4 else "")
        elif tag == "DTP" and n > 3 and seg[1] == "291":
            current["service_date"] = seg[3]
    close()
    return Received270(sender, payer, reference, inquiries)


@dataclass(frozen=True)
class Benefits:
    """What the payer knows of one inquired member on the date of service."""

    enrollment: Enrollment | None
    accumulator: Accumulator | None


def _subscriber(
    inquiry: Inquiry, terms: PayerTerms | None, benefits: Benefits, hl: int, parent: int
) -> list[x12.Segment]:
    segments: list[x12.Segment] = [
        ["HL", hl, parent, "22", "0"],
        ["TRN", "2", element(inquiry.trace_number, "2100C TRN02 trace", 50),
         element(inquiry.originator, "TRN03", 10, 10) if len(inquiry.originator) == 10 else "9RCMFLOW01"],
        ["NM1", "IL", "1", element(inquiry.last_name or "UNKNOWN", "2100C NM103", 60, truncate=True),
         element(inquiry.first_name, "2100C NM104", 35, required=False, truncate=True), "", "", "",
         "MI", element(inquiry.member_id, "2100C NM109 member id", 80, 2)],
    ]  # fmt: skip
    pattern = re.compile(terms.member_id_pattern) if terms and terms.member_id_pattern else DEFAULT_MEMBER_ID
    if terms is None or not pattern.fullmatch(inquiry.member_id):
        return [*segments, ["AAA", "Y", "", "72", "C"]]  # invalid member id: correct and resubmit
    enrollment = benefits.enrollment
    if enrollment is None:
        return [*segments, ["AAA", "Y", "", "75", "C"]]  # subscriber not found
    plan = terms.plans.get(enrollment.plan_id) or terms.plans.get(terms.default_plan)
    if enrollment.effective_date:
        segments.append(["DTP", "346", "D8", enrollment.effective_date.strftime("%Y%m%d")])
    if enrollment.termination_date:
        segments.append(["DTP", "347", "D8", enrollment.termination_date.strftime("%Y%m%d")])
    day = inquiry.service_date
    active = (enrollment.effective_date is None or enrollment.effective_date <= day) and (
        enrollment.termination_date is None or day <= enrollment.termination_date
    )
    if not active or plan is None:
        return [*segments, ["EB", "6", "IND", "30"]]
    met = benefits.accumulator.deductible_met_cents if benefits.accumulator else 0
    return [
        *segments,
        ["EB", "1", "IND", "30", "", element(plan.plan_id, "EB05 plan", 50)],
        ["EB", "B", "IND", "98", "", "", "27", money(plan.copay_cents.get("office", 0))],
        ["EB", "C", "IND", "30", "", "", "29", money(max(plan.deductible_cents - met, 0))],
    ]


def answer_271(
    received: Received270,
    terms: PayerTerms | None,
    benefits: dict[str, Benefits],
    interchange_number: int,
    now: datetime,
) -> str:
    """One 271 answering every subscriber of the 270 (benefits by member id)."""
    payer_name = terms.name if terms else received.payer_id
    body: list[x12.Segment] = [
        ["BHT", "0022", "11", element(received.reference or "0", "BHT03", 50), now.strftime("%Y%m%d"),
         now.strftime("%H%M")],
        ["HL", "1", "", "20", "1"],
        ["NM1", "PR", "2", element(payer_name, "2100A NM103", 60, truncate=True), "", "", "", "",
         "PI", element(received.payer_id or "UNKNOWN", "2100A NM109", 80, 2)],
    ]  # fmt: skip
    hl = 1
    receivers: dict[tuple[str, str], int] = {}
    for inquiry in received.inquiries:
        if inquiry.receiver not in receivers:
            hl += 1
            receivers[inquiry.receiver] = hl
            name, npi = inquiry.receiver
            body += [
                ["HL", hl, "1", "21", "1"],
                ["NM1", "1P", "2", element(name or "PROVIDER", "2100B NM103", 60, truncate=True), "", "", "", "",
                 "XX", code(npi, "2100B NM109", 10, 10)],
            ]  # fmt: skip
        hl += 1
        found = benefits.get(inquiry.member_id, Benefits(None, None))
        body += _subscriber(inquiry, terms, found, hl, receivers[inquiry.receiver])
    envelope = x12.Envelope(
        sender_id=received.payer_id or "PAYER",
        receiver_id=received.sender_id or "RCMFLOW",
        interchange_control_number=interchange_number,
        group_control_number=interchange_number,
        functional_id="HB",
        implementation=IMPLEMENTATION,
        transaction_set="271",
        created=now,
    )
    return x12.interchange(envelope, [body])
