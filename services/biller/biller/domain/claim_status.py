"""Claim status (276/277 005010X212): the inquiry the biller sends for claims with no answer yet,
one subscriber loop per claim found by its patient control number (REF*EJ), and the reading of
the payer's 277. `rcm claim-status` and the biller's timer (claims past an age) ask."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from biller.domain.model import PayerInfo, Submitter
from shared import x12
from shared.schemas import ClaimSubmitted
from shared.x12 import code, element, money

IMPLEMENTATION = "005010X212"
# STC01-1 categories (code source 507) by what they tell the billing office
CATEGORY_WORDS = {"F": "finalized", "P": "pending", "A": "acknowledged", "D": "not found", "R": "request for info",
                  "E": "response not possible"}  # fmt: skip


@dataclass(frozen=True)
class StatusAnswer:
    patient_control_number: str
    category: str
    status: str
    entity: str | None
    paid_cents: int | None
    payer_claim_control_number: str | None

    @property
    def pending(self) -> bool:
        return self.category.startswith("P")

    @property
    def reason(self) -> str:
        where = ":".join(p for p in (self.category, self.status, self.entity) if p)
        return f"277 {where}: {CATEGORY_WORDS.get(self.category[:1], 'status')}"


def trace_of(claim: ClaimSubmitted) -> str:
    return f"CS{claim.patient_control_number}"[:50]


def inquiry_276(
    claims: Sequence[ClaimSubmitted], payer: PayerInfo, submitter: Submitter, interchange_number: int, now: datetime
) -> str:
    body: list[x12.Segment] = [
        ["BHT", "0010", "13", f"CS{interchange_number:09d}", now.strftime("%Y%m%d"), now.strftime("%H%M")],
        ["HL", "1", "", "20", "1"],
        ["NM1", "PR", "2", element(payer.name, "2100A NM103", 60, truncate=True), "", "", "", "", "PI",
         element(payer.x12_payer_id, "2100A NM109", 80, 2)],
        ["HL", "2", "1", "21", "1"],
        ["NM1", "41", "2", element(submitter.name, "2100B NM103", 60, truncate=True), "", "", "", "", "46",
         element(submitter.etin, "2100B NM109", 80, 2)],
    ]  # fmt: skip
    hl, providers = 2, dict[str, int]()
    for claim in claims:
        f = claim.billing_provider
        if f.npi not in providers:
            hl += 1
            providers[f.npi] = hl
            body += [["HL", hl, "2", "19", "1"],
                     ["NM1", "1P", "2", element(f.name, "2100C NM103", 60, truncate=True), "", "", "", "", "XX",
                      code(f.npi, "2100C NM109", 10, 10)]]  # fmt: skip
        hl += 1
        c, p = claim.coverage, claim.patient
        insured = c.subscriber if c.relationship != "self" and c.subscriber else None
        last, first = (insured.last_name, insured.first_name) if insured else (p.last_name, p.first_name)
        body += [
            ["HL", hl, providers[f.npi], "22", "0"],
            ["NM1", "IL", "1", element(last, "2100D NM103", 60, truncate=True),
             element(first, "2100D NM104", 35, truncate=True), "", "", "", "MI",
             element(c.member_id, "2100D NM109 member id", 80, 2)],
            ["TRN", "1", element(trace_of(claim), "2200D TRN02", 50)],
            ["REF", "EJ", element(claim.patient_control_number, "2200D REF02", 50)],
            ["AMT", "T3", money(claim.total_charge_cents)],
            ["DTP", "472", "D8", claim.service_date.strftime("%Y%m%d")],
        ]  # fmt: skip
    envelope = x12.Envelope(
        sender_id=submitter.etin,
        receiver_id=payer.x12_payer_id,
        interchange_control_number=interchange_number,
        group_control_number=interchange_number,
        functional_id="HR",
        implementation=IMPLEMENTATION,
        transaction_set="276",
        created=now,
    )
    return x12.interchange(envelope, [body])


def _cents(amount: str) -> int:
    whole, _, frac = amount.partition(".")
    return int(whole or "0") * 100 + (int((frac + "00")[:2]) if frac else 0) * (-1 if whole.startswith("-") else 1)


def read_277(text: str) -> dict[str, StatusAnswer]:
    """The answers of a 277 by patient control number."""
    answers: dict[str, StatusAnswer] = {}
    cur: dict[str, str] = {}

    def close() -> None:
        if cur.get("pcn") and cur.get("stc"):
            parts = cur["stc"].split(x12.COMPONENT_SEPARATOR)
            answers[cur["pcn"]] = StatusAnswer(
                cur["pcn"], parts[0], parts[1] if len(parts) > 1 else "", parts[2] if len(parts) > 2 else None,
                _cents(cur["paid"]) if cur.get("paid") else None, cur.get("icn"),
            )  # fmt: skip

    for seg in x12.read_segments(text):
        tag, n = seg[0], len(seg)
        if tag == "HL" and n > 3 and seg[3] == "22":
            close()
            cur = {}
        elif tag == "STC" and n > 1 and not cur.get("stc"):
            cur["stc"] = seg[1]
            if n > 5 and seg[5]:
                cur["paid"] = seg[5]
        elif tag == "REF" and n > 2 and seg[1] in ("EJ", "1K"):
            cur["pcn" if seg[1] == "EJ" else "icn"] = seg[2]
    close()
    return answers


def older_than(
    claims: Sequence[tuple[ClaimSubmitted, datetime]], now: datetime, age_seconds: float
) -> list[ClaimSubmitted]:
    """The claims submitted more than `age_seconds` ago (the timer's pick)."""
    return [c for c, sent in claims if (now - sent).total_seconds() > age_seconds]
