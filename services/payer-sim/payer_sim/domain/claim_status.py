"""The payer's claim status answers: a 276 005010X212 inquiry read (one claim per subscriber loop,
found by its patient control number REF*EJ), each claim answered from what the payer did with it,
and the 277 005010X212 written.

STC01 category (code source 507) and status (508): finalized and paid F1:65, finalized and
denied F2:88 (see the remittance advice for why), in process P1:20 (accepted, not adjudicated
yet), rejected at the front end (the 277CA's own category and code), not found D0:35."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from payer_sim.domain.model import PayerTerms
from shared import x12
from shared.x12 import code, element, money

IMPLEMENTATION = "005010X212"


@dataclass(frozen=True)
class StatusInquiry:
    trace_number: str
    patient_control_number: str
    member_id: str
    last_name: str
    first_name: str
    provider: tuple[str, str]  # name, NPI of the service provider (2100C)
    service_date: date | None


@dataclass(frozen=True)
class Received276:
    sender_id: str
    reference: str
    submitter: tuple[str, str]  # 2100B name, id
    inquiries: list[StatusInquiry]


@dataclass(frozen=True)
class ClaimState:
    """What the payer knows of one claim: its standing answer or its front-end verdict."""

    category: str  # STC01-1
    status: str  # STC01-2
    entity: str | None = None
    total_charge_cents: int = 0
    paid_cents: int | None = None
    adjudicated_on: date | None = None
    payer_claim_control_number: str | None = None


NOT_FOUND = ClaimState("D0", "35")


def read_276(text: str) -> Received276:
    sender, reference, submitter, provider = "", "", ("", ""), ("", "")
    inquiries: list[StatusInquiry] = []
    cur: dict[str, str] = {}

    def close() -> None:
        if cur.get("pcn"):
            when = cur.get("date", "")
            inquiries.append(StatusInquiry(
                cur.get("trace", ""), cur["pcn"], cur.get("member", ""), cur.get("last", ""), cur.get("first", ""),
                provider, datetime.strptime(when, "%Y%m%d").date() if len(when) == 8 else None,
            ))  # fmt: skip

    for seg in x12.read_segments(text):
        tag, n = seg[0], len(seg)
        if tag == "ISA" and n > 6:
            sender = seg[6].strip()
        elif tag == "BHT" and n > 3:
            reference = seg[3]
        elif tag == "HL" and n > 3 and seg[3] in ("19", "22"):
            close()
            cur = {}
        elif tag == "NM1" and n > 9 and seg[1] == "41":
            submitter = (seg[3], seg[9])
        elif tag == "NM1" and n > 9 and seg[1] == "1P":
            provider = (seg[3], seg[9])
        elif tag == "NM1" and n > 9 and seg[1] == "IL":
            cur.update(member=seg[9], last=seg[3], first=seg[4] if n > 4 else "")
        elif tag == "TRN" and n > 2:
            cur["trace"] = seg[2]
        elif tag == "REF" and n > 2 and seg[1] == "EJ":
            cur["pcn"] = seg[2]
        elif tag == "DTP" and n > 3 and seg[1] == "472":
            cur["date"] = seg[3][:8]
    close()
    return Received276(sender, reference, submitter, inquiries)


def _stc(state: ClaimState, today: date) -> x12.Segment:
    composite = x12.COMPONENT_SEPARATOR.join(
        [code(state.category, "STC01-1", 2, 2), code(state.status, "STC01-2", 5)]
        + ([code(state.entity, "STC01-3", 3, 2)] if state.entity else [])
    )
    stc: list[object] = ["STC", composite, today.strftime("%Y%m%d"), "", money(state.total_charge_cents)]
    if state.paid_cents is not None:
        stc += [money(state.paid_cents), state.adjudicated_on.strftime("%Y%m%d") if state.adjudicated_on else ""]
    return stc


def answer_277(
    received: Received276,
    payer_id: str,
    terms: PayerTerms | None,
    states: dict[str, ClaimState],
    interchange_number: int,
    now: datetime,
) -> str:
    """One 277 answering every claim of the 276 (states by patient control number)."""
    today = now.date()
    name = terms.name if terms else payer_id
    body: list[x12.Segment] = [
        ["BHT", "0010", "08", element(received.reference or "0", "BHT03", 50), today.strftime("%Y%m%d"),
         now.strftime("%H%M"), "DG"],
        ["HL", "1", "", "20", "1"],
        ["NM1", "PR", "2", element(name, "2100A NM103", 60, truncate=True), "", "", "", "", "PI",
         element(payer_id or "PAYER", "2100A NM109", 80, 2)],
        ["HL", "2", "1", "21", "1"],
        ["NM1", "41", "2", element(received.submitter[0] or "SUBMITTER", "2100B NM103", 60, truncate=True), "", "",
         "", "", "46", element(received.submitter[1] or received.sender_id or "RCMFLOW", "2100B NM109", 80, 2)],
    ]  # fmt: skip
    hl = 2
    providers: dict[tuple[str, str], int] = {}
    for inquiry in received.inquiries:
        if inquiry.provider not in providers:
            hl += 1
            providers[inquiry.provider] = hl
            body += [
                ["HL", hl, "2", "19", "1"],
                ["NM1", "1P", "2", element(inquiry.provider[0] or "PROVIDER", "2100C NM103", 60, truncate=True),
                 "", "", "", "", "XX", code(inquiry.provider[1], "2100C NM109", 10, 10)],
            ]  # fmt: skip
        hl += 1
        state = states.get(inquiry.patient_control_number, NOT_FOUND)
        body += [
            ["HL", hl, providers[inquiry.provider], "22", "0"],
            ["NM1", "IL", "1", element(inquiry.last_name or "UNKNOWN", "2100D NM103", 60, truncate=True),
             element(inquiry.first_name, "2100D NM104", 35, required=False, truncate=True), "", "", "", "MI",
             element(inquiry.member_id or "UNKNOWN", "2100D NM109", 80, 2)],
            ["TRN", "2", element(inquiry.trace_number or "0", "2200D TRN02", 50)],
            _stc(state, today),
        ]  # fmt: skip
        if state.payer_claim_control_number:
            body.append(["REF", "1K", element(state.payer_claim_control_number, "2200D REF02", 50)])
        body.append(["REF", "EJ", element(inquiry.patient_control_number, "2200D REF02 patient account", 50)])
        if inquiry.service_date:
            body.append(["DTP", "472", "D8", inquiry.service_date.strftime("%Y%m%d")])
    envelope = x12.Envelope(
        sender_id=payer_id or "PAYER",
        receiver_id=received.sender_id or "RCMFLOW",
        interchange_control_number=interchange_number,
        group_control_number=interchange_number,
        functional_id="HN",
        implementation=IMPLEMENTATION,
        transaction_set="277",
        created=now,
    )
    return x12.interchange(envelope, [body])
