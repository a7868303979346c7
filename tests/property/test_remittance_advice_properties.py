"""Property: every 835 the payer simulator writes is valid X12 005010X221A1 under pyx12 (zero
errors), reads back through a second reader, and balances as written in the file:
CLP03 − CLP04 = Σ CAS (claim and line), CLP05 = Σ PR, SVC02 − SVC03 = Σ the line's CAS,
BPR02 = Σ CLP04 − Σ PLB04; whatever the names, ids and amounts (0 .. 10^9 cents, reversals
negative)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import event, given, settings
from hypothesis import strategies as st

from payer_sim.adapters.reference import load_reference
from payer_sim.domain.remittance_advice import remittance_advice
from shared import ids, x12
from shared.schemas import RemittanceIssued
from tests.property import readers
from tests.property.strategies import (
    CARCS,
    CREATED,
    MODIFIERS,
    PROCEDURE_CODES,
    REMARK_CODES,
    TODAY,
    cents,
    ein,
    examples,
    identifier,
    npi,
    person,
    text,
)  # fmt: skip

REFERENCE = load_reference()
GROUPS = ["CO", "PR", "OA", "PI"]


def _split(draw: st.DrawFn, total: int, most: int) -> list[int]:
    """total as 0..most non-negative parts (none when total is 0 and the draw says so)."""
    low = 0 if total == 0 else 1
    count = draw(st.integers(low, min(most, 3)) | st.integers(low, most))
    cuts = sorted(draw(st.lists(st.integers(0, total), min_size=max(count - 1, 0), max_size=max(count - 1, 0))))
    return [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)] if count else []


def _adjustments(draw: st.DrawFn, amounts: list[int], sign: int) -> list[dict[str, Any]]:
    groups = draw(st.sampled_from([GROUPS, ["CO"], ["PR"]]))  # one group only: more than six reasons in it
    return [{"group": draw(st.sampled_from(groups)), "carc": draw(st.sampled_from(CARCS)), "amount_cents": sign * a,
             "rarc": draw(st.none() | st.sampled_from(REMARK_CODES))} for a in amounts]  # fmt: skip


@st.composite
def remittance(draw: st.DrawFn, payer_id: str, payee: dict[str, str], n: int, statuses: list[str]) -> RemittanceIssued:
    status = draw(st.sampled_from(statuses))
    sign = -1 if status == "22" else 1  # a reversal takes back every amount
    lines: list[dict[str, Any]] = []
    for number in range(1, draw(st.integers(1, 6)) + 1):
        charge = draw(cents())
        paid = 0 if status == "4" else draw(st.integers(0, charge))
        adjustments = _adjustments(draw, _split(draw, charge - paid, 8), sign)  # 8: more than one CAS of 6
        lines.append({"line_control_number": f"RCL{n}L{number:02d}",
                      "procedure_code": draw(st.sampled_from(PROCEDURE_CODES)),
                      "modifiers": draw(st.lists(st.sampled_from(MODIFIERS), max_size=4)),
                      "units": draw(st.integers(1, 999)), "charge_cents": sign * charge,
                      "allowed_cents": sign * paid, "paid_cents": sign * paid,
                      "adjustments": adjustments})  # fmt: skip
    lines_paid = sum(abs(ln["paid_cents"]) for ln in lines)
    claim_level = _adjustments(draw, _split(draw, draw(st.integers(0, lines_paid)), 2), sign)
    everything = claim_level + [a for ln in lines for a in ln["adjustments"]]
    name = draw(person())
    pcn = draw(identifier(38))
    return RemittanceIssued.model_validate({
        "event_id": ids.event_id("remit", pcn, str(n)), "visit_id": "V-PROP-1", "patient_id": "P-PROP-1",
        "producer": {"service": "property"}, "received_at": CREATED, "claim_id": pcn,
        "claim_event_id": ids.event_id("claim", pcn), "patient_control_number": pcn, "payer_id": payer_id,
        "payer_claim_control_number": draw(identifier(50)), "claim_status_code": status,
        "reverses": draw(identifier(50)) if status == "22" else None,
        "claim_filing_indicator": REFERENCE.payers[payer_id].claim_filing_indicator, "member_id": draw(identifier(80)),
        "patient_first_name": name["first_name"], "patient_last_name": name["last_name"], "payee": payee,
        "service_date": TODAY, "adjudicated_on": TODAY,
        "total_charge_cents": sum(ln["charge_cents"] for ln in lines),
        "paid_cents": sum(ln["paid_cents"] for ln in lines) - sum(a["amount_cents"] for a in claim_level),
        "patient_responsibility_cents": sum(a["amount_cents"] for a in everything if a["group"] == "PR"),
        "claim_adjustments": claim_level, "service_lines": lines,
    })  # fmt: skip


@st.composite
def batches(draw: st.DrawFn) -> tuple[str, list[RemittanceIssued]]:
    payer_id = draw(st.sampled_from(sorted(REFERENCE.payers)))
    payees = [
        {"npi": draw(npi()), "name": draw(text(60)), "tax_id": draw(ein())} for _ in range(draw(st.integers(1, 2)))
    ]
    count = draw(st.integers(1, 4))
    # one batch in four takes back more than it pays (reversals): BPR pays nothing and PLB carries the balance
    statuses = draw(st.sampled_from([["1", "1", "2", "4", "22"]] * 3 + [["22", "22", "1"]]))
    return payer_id, [draw(remittance(payer_id, draw(st.sampled_from(payees)), n, statuses)) for n in range(count)]


def _balances(text: str) -> None:
    """The 835's own arithmetic, read from the file."""
    paid_total, plb_total, bpr = Decimal(0), Decimal(0), None
    clp: list[str] | None = None
    claim_cas, svc_cas, pr = Decimal(0), Decimal(0), Decimal(0)
    svc: list[str] | None = None

    def close_line() -> None:
        if svc is not None:
            assert readers.amount(svc[2]) - readers.amount(svc[3]) == svc_cas, svc

    def close_claim() -> None:
        close_line()
        if clp is not None:
            assert readers.amount(clp[3]) - readers.amount(clp[4]) == claim_cas, clp
            assert readers.amount(clp[5] if len(clp) > 5 else "") == pr, clp

    for seg in readers.segments(text):
        if seg[0] in ("CLP", "SE"):
            close_claim()
            clp, svc, claim_cas, svc_cas, pr = (
                (seg, None, Decimal(0), Decimal(0), Decimal(0))
                if seg[0] == "CLP"
                else (None, None, Decimal(0), Decimal(0), Decimal(0))
            )
            if seg[0] == "CLP":
                paid_total += readers.amount(seg[4])
        elif seg[0] == "SVC":
            close_line()
            svc, svc_cas = seg, Decimal(0)
        elif seg[0] == "CAS":
            amounts = sum(readers.amount(a) for a in seg[3::3])
            claim_cas += amounts
            pr += amounts if seg[1] == "PR" else 0
            if svc is not None:
                svc_cas += amounts
        elif seg[0] == "BPR":
            if bpr is not None:  # a new transaction set: the last one's payment balances
                assert bpr == paid_total - plb_total
            bpr, paid_total, plb_total = readers.amount(seg[2]), Decimal(0), Decimal(0)
        elif seg[0] == "PLB":
            plb_total += sum(readers.amount(a) for a in seg[4::2])
    assert bpr == paid_total - plb_total


@settings(max_examples=examples(60))
@given(batches())
def test_every_835_written_is_valid_balances_and_reads_back(case: tuple[str, list[RemittanceIssued]]) -> None:
    payer_id, remittances = case
    try:
        text = remittance_advice(REFERENCE.payers[payer_id], remittances, 1, CREATED)
    except x12.X12ElementError as refused:
        event(f"refused: {refused.element}")
        return
    event("written")
    event(f"net payment {'negative: PLB' if sum(r.paid_cents for r in remittances) < 0 else 'zero or more'}")
    assert text.isascii()
    assert x12.validate(text) == []
    assert readers.counts_hold(text)
    _balances(text)
    read = readers.read_835(text)
    in_file = sorted(remittances, key=lambda r: r.payee.npi)  # a transaction set per payee, in NPI order
    assert [c["patient_control_number"] for c in read.claims] == [
        x12.element(r.patient_control_number, "CLP01", 38) for r in in_file
    ]
    for claim, r in zip(read.claims, in_file, strict=True):
        assert readers.cents(claim["claim_payment_amount"]) == r.paid_cents
        assert readers.cents(claim["total_claim_charge"]) == r.total_charge_cents
        assert readers.cents(claim["patient_responsibility"]) == r.patient_responsibility_cents
        assert [s["line_item_control_number"] for s in claim["services"]] == [
            ln.line_control_number for ln in r.service_lines
        ]
