"""Eligibility before billing: the 270 005010X279A1 inquiry the biller sends a payer for a batch
of visits (one subscriber loop 2000C per visit, trace number TRN*1, date of service DTP*291,
service type 30 health benefit plan coverage), and the reading of the payer's 271 answer.

Asked by the biller, not the encounter: the biller owns the payer relationships (payer ids,
submitter, X12 envelopes) and asks right before the claim is built, so the answer is about the
claim it gates; intake stays fast and never waits for a payer. See docs/eligibility.md."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from biller.domain.model import PayerInfo, Submitter
from shared import x12
from shared.schemas import Visit
from shared.schemas.eligibility import EligibilityAnswer, trace_number
from shared.x12 import code, element

IMPLEMENTATION = "005010X279A1"
# AAA03 reject reasons a 271 may give at the subscriber level, in words (X279A1 code list)
REJECT_REASONS = {
    "42": "payer unable to respond now",
    "72": "invalid or missing member id",
    "73": "invalid or missing subscriber name",
    "75": "subscriber not found",
    "76": "duplicate subscriber id",
    "58": "invalid or missing date of birth",
}


def _date(value: date) -> str:
    return value.strftime("%Y%m%d")


def _subscriber(visit: Visit, hl: int, submitter: Submitter) -> list[x12.Segment]:
    assert visit.coverage is not None
    c, p = visit.coverage, visit.patient
    insured = c.subscriber if c.relationship != "self" and c.subscriber else None
    last, first = (insured.last_name, insured.first_name) if insured else (p.last_name, p.first_name)
    birth, sex = (insured.birth_date, insured.sex) if insured else (p.birth_date, p.sex)
    segments: list[x12.Segment] = [
        ["HL", hl, "2", "22", "0"],
        ["TRN", "1", trace_number(visit.visit_id), f"9{code(submitter.etin, 'TRN03 originator', 9)}"],
        ["NM1", "IL", "1", element(last, "2100C NM103 subscriber last name", 60, truncate=True),
         element(first, "2100C NM104 subscriber first name", 35, truncate=True), "", "", "",
         "MI", element(c.member_id, "2100C NM109 member id", 80, 2)],
    ]  # fmt: skip
    if birth is not None:
        segments.append(["DMG", "D8", _date(birth), sex or "U"])
    segments += [["DTP", "291", "D8", _date(visit.service_date)], ["EQ", "30"]]
    return segments


def inquiry_270(
    visits: Sequence[Visit], payer: PayerInfo, submitter: Submitter, interchange_number: int, now: datetime
) -> str:
    """One 270 for one payer: information source (payer), receiver (the visits' billing provider;
    one 2000B per facility), and a subscriber per visit."""
    body: list[x12.Segment] = [
        ["BHT", "0022", "13", f"EL{interchange_number:09d}", _date(now.date()), now.strftime("%H%M")],
        ["HL", "1", "", "20", "1"],
        ["NM1", "PR", "2", element(payer.name, "2100A NM103 payer name", 60, truncate=True), "", "", "", "",
         "PI", element(payer.x12_payer_id, "2100A NM109 payer id", 80, 2)],
    ]  # fmt: skip
    hl = 1
    by_facility: dict[str, list[Visit]] = {}
    for visit in visits:
        by_facility.setdefault(visit.facility.npi, []).append(visit)
    for group in by_facility.values():
        hl += 1
        receiver = hl
        f = group[0].facility
        body += [
            ["HL", receiver, "1", "21", "1"],
            ["NM1", "1P", "2", element(f.name, "2100B NM103 provider name", 60, truncate=True), "", "", "", "",
             "XX", code(f.npi, "2100B NM109 NPI", 10, 10)],
        ]  # fmt: skip
        for visit in group:
            hl += 1
            sub = _subscriber(visit, hl, submitter)
            sub[0] = ["HL", hl, receiver, "22", "0"]
            body += sub
    envelope = x12.Envelope(
        sender_id=submitter.etin,
        receiver_id=payer.x12_payer_id,
        interchange_control_number=interchange_number,
        group_control_number=interchange_number,
        functional_id="HS",
        implementation=IMPLEMENTATION,
        transaction_set="270",
        created=now,
    )
    return x12.interchange(envelope, [body])


def _cents(amount: str) -> int:
    whole, _, frac = amount.partition(".")
    sign = -1 if whole.startswith("-") else 1
    return sign * (abs(int(whole or "0")) * 100 + int((frac + "00")[:2]))


def _when(value: str) -> date | None:
    try:
        return datetime.strptime(value, "%Y%m%d").date()
    except ValueError:
        return None


def read_271(text: str) -> dict[str, EligibilityAnswer]:
    """The answers of a 271, by trace number (TRN02 of each subscriber loop)."""
    answers: dict[str, EligibilityAnswer] = {}
    current: dict[str, object] | None = None

    def close() -> None:
        if current is not None and current.get("trace_number"):
            answers[str(current["trace_number"])] = EligibilityAnswer.model_validate(current)

    for seg in x12.read_segments(text):
        tag = seg[0]
        if tag == "HL" and len(seg) > 3 and seg[3] == "22":
            close()
            current = {"status": "rejected", "member_id": "", "reason": "no benefit information"}
        if current is None:
            continue
        if tag == "TRN" and len(seg) > 2 and seg[1] == "2":
            current["trace_number"] = seg[2]
        elif tag == "NM1" and len(seg) > 9 and seg[1] == "IL":
            current["member_id"] = seg[9]
        elif tag == "AAA" and len(seg) > 3:
            current.update(status="rejected", rejection_code=seg[3],
                           reason=f"AAA {seg[3]}: {REJECT_REASONS.get(seg[3], 'rejected')}")  # fmt: skip
        elif tag == "DTP" and len(seg) > 3 and seg[1] in ("346", "347"):
            current["plan_begin" if seg[1] == "346" else "plan_end"] = _when(seg[3])
        elif tag == "EB" and len(seg) > 1:
            if seg[1] == "1":
                current.update(status="active", reason="active coverage")
                if len(seg) > 5 and seg[5]:
                    current["plan_id"] = seg[5]
            elif seg[1] == "6":
                current.update(status="inactive", reason="EB 6: coverage inactive on the date of service")
            elif seg[1] == "B" and len(seg) > 7 and seg[7]:
                current["copay_cents"] = _cents(seg[7])
            elif seg[1] == "C" and len(seg) > 7 and seg[7] and len(seg) > 6 and seg[6] == "29":
                current["deductible_remaining_cents"] = _cents(seg[7])
    close()
    return answers
