"""Property: whatever names, addresses, ids and amounts a visit carries, every 837P the biller
writes is valid X12 005010X222A1 under pyx12 (zero errors) and reads back the same through a
second reader; the only claims not written are those the intake's `check_text` would refuse,
and the reason names the element, never the value."""

from __future__ import annotations

import math
from typing import Any

from hypothesis import event, given, settings
from hypothesis import strategies as st

from biller.adapters.reference import load_payers, load_submitter
from biller.domain.claims import MAX_LINES_PER_CLAIM, decide
from biller.domain.model import ChargeMaster, Price
from biller.domain.x12_837 import claim_interchange
from shared import ids, x12
from shared.schemas import ClaimSubmitted, CodedEncounter, Producer
from tests.property import readers
from tests.property.strategies import (
    CREATED,
    DIAGNOSES,
    MODIFIERS,
    PROCEDURE_CODES,
    TODAY,
    cents,
    cob,
    examples,
    identifier,
    visit_parts,
)

PAYERS, SUBMITTER = load_payers(), load_submitter()
IDS_LIMITS = {"patient_control_number": (38, 1), "payer_claim_control_number": (50, 1)}


def intake_problems(parts: dict[str, Any]) -> list[str]:
    """The fields the intake's text check refuses (by x12.VISIT_TEXT_LIMITS), walking the visit."""
    found: list[str] = []

    def walk(value: Any, path: str) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if isinstance(item, str) and key in x12.VISIT_TEXT_LIMITS:
                    if x12.check_text(item, *x12.VISIT_TEXT_LIMITS[key]) is not None:
                        found.append(f"{path}.{key}")
                else:
                    walk(item, f"{path}.{key}")

    walk(parts, "visit")
    return found


@st.composite
def claims(draw: st.DrawFn) -> tuple[ClaimSubmitted, dict[str, Any]]:
    parts = draw(visit_parts())
    diagnoses = draw(st.lists(st.sampled_from(DIAGNOSES), min_size=1, max_size=12, unique=True))
    pcn = draw(identifier(38))
    frequency = draw(st.sampled_from(["1", "1", "7", "8"]))
    pointer = st.integers(1, len(diagnoses))
    lines = [
        {"line_number": n, "line_control_number": f"{pcn[:20]}L{n:02d}",
         "procedure_code": draw(st.sampled_from(PROCEDURE_CODES)),
         "modifiers": draw(st.lists(st.sampled_from(MODIFIERS), max_size=4)), "units": draw(st.integers(1, 999)),
         "charge_cents": draw(cents()),
         "diagnosis_pointers": draw(st.lists(pointer, min_size=1, max_size=4, unique=True)), "service_date": TODAY}
        for n in range(1, draw(st.integers(1, MAX_LINES_PER_CLAIM)) + 1)
    ]  # fmt: skip
    claim = ClaimSubmitted.model_validate({
        "event_id": ids.event_id("prop", pcn), "visit_id": "V-PROP-1", "patient_id": "P-PROP-1",
        "producer": {"service": "property"}, "received_at": CREATED, "claim_id": pcn, "patient_control_number": pcn,
        "frequency_code": frequency, "payer_claim_control_number": draw(identifier(50)) if frequency != "1" else None,
        "payer_id": parts["coverage"]["payer_id"], "coverage": parts["coverage"], "patient": parts["patient"],
        "billing_provider": parts["facility"], "rendering_provider": parts["provider"],
        "place_of_service": parts["facility"]["place_of_service"], "service_date": TODAY, "diagnoses": diagnoses,
        "service_lines": lines, "total_charge_cents": sum(ln["charge_cents"] for ln in lines),
        "prior_authorization": parts["prior_authorization"], "coded_encounter_event_id": ids.event_id("c", pcn),
        **draw(cob(lines, parts["coverage"])),  # other payers: loops 2320/2330A/2330B/2430
    })  # fmt: skip
    claim_ids = {"patient_control_number": pcn, "payer_claim_control_number": claim.payer_claim_control_number}
    return claim, {**parts, "claim": {k: v for k, v in claim_ids.items() if v}}


def _id_problems(claim_ids: dict[str, str]) -> list[str]:
    return [k for k, v in claim_ids.items() if x12.check_text(v, *IDS_LIMITS[k]) is not None]


@settings(max_examples=examples(60))
@given(claims())
def test_every_837p_written_is_valid_and_reads_back(case: tuple[ClaimSubmitted, dict[str, Any]]) -> None:
    claim, parts = case
    try:
        text = claim_interchange([claim], PAYERS[claim.payer_id], SUBMITTER, 1, CREATED)
    except x12.X12ElementError as refused:
        event(f"refused: {refused.problem}")
        event(f"refused: {refused.element}")
        # refused only what the intake refuses too, and the reason names no value
        assert intake_problems(parts) or _id_problems(parts["claim"]), refused.element
        for value in (claim.patient.last_name, claim.patient.first_name, claim.coverage.member_id):
            assert len(value) < 4 or value not in str(refused)
        return
    event("written")
    assert text.isascii()
    assert x12.validate(text) == []
    assert readers.counts_hold(text)
    [read] = readers.read_837(text).claims
    assert read["claim_number"] == x12.element(claim.patient_control_number, "CLM01", 38)
    assert readers.cents(read["amount"]) == claim.total_charge_cents
    assert [readers.cents(s["charge"]) for s in read["services"]] == [ln.charge_cents for ln in claim.service_lines]
    assert [s["cpt_code"] for s in read["services"]] == [ln.procedure_code for ln in claim.service_lines]
    assert [d["diagnosis_code"] for d in read["diagnoses"]] == [d.replace(".", "") for d in claim.diagnoses]
    segs = readers.segments(text)
    # one 2320 (SBR after the claim) per other payer, one 2430 (SVD) per line per payer that answered
    assert sum(1 for s in segs if s[0] == "SBR") == 1 + len(claim.prior_payers) + len(claim.later_payers)
    assert sum(1 for s in segs if s[0] == "SVD") == len(claim.service_lines) * len(claim.prior_payers)
    for prior in claim.prior_payers:
        event("secondary claim with the primary's answer")
        assert ["AMT", "D", x12.money(prior.paid_cents)] in segs
        paid = [readers.cents(float(s[2])) for s in segs if s[0] == "SVD"]
        assert paid == [ln.paid_cents for ln in prior.lines]
    if claim.coverage.relationship == "self":
        subscriber = readers.read_837(text).patients[0]
        assert subscriber["last_name"] == x12.element(claim.patient.last_name, "NM103", 60, truncate=True)


@st.composite
def coded_encounters(draw: st.DrawFn) -> tuple[CodedEncounter, ChargeMaster, dict[str, Any]]:
    parts = draw(visit_parts())
    diagnoses = draw(st.lists(st.sampled_from(DIAGNOSES), min_size=1, max_size=12, unique=True))
    count = draw(st.integers(1, 50) | st.integers(51, 60))  # claims past 50 lines (split in two) come up often
    codes = draw(st.lists(st.sampled_from(PROCEDURE_CODES), min_size=count, max_size=count))
    pointer = st.integers(1, len(diagnoses))
    visit = {"visit_id": "V-PROP-2", "service_date": TODAY.isoformat(), **parts}
    coded = CodedEncounter.model_validate({
        "event_id": ids.event_id("coded", "prop"), "visit_id": "V-PROP-2", "patient_id": "P-PROP-1",
        "producer": {"service": "property"}, "received_at": CREATED, "visit": visit, "coder_version": "property",
        "place_of_service": parts["facility"]["place_of_service"],
        "diagnoses": [{"code": d, "description": "", "source": "supplied", "confidence": 1} for d in diagnoses],
        "service_lines": [{"procedure_code": c, "units": draw(st.integers(1, 99)), "source": "supplied",
                           "modifiers": draw(st.lists(st.sampled_from(MODIFIERS), max_size=2, unique=True)),
                           "diagnosis_pointers": draw(st.lists(pointer, min_size=1, max_size=4, unique=True))}
                          for c in codes],
    })  # fmt: skip
    prices = {(c, ""): Price(p, p) for c in set(codes) for p in [draw(st.integers(1, 10**9))]}
    return coded, ChargeMaster(prices), parts


@settings(max_examples=examples(30))
@given(coded_encounters())
def test_the_biller_sends_every_claim_the_intake_would_accept(case: tuple[CodedEncounter, ChargeMaster, Any]) -> None:
    coded, charge_master, parts = case
    decision = decide(coded, charge_master, PAYERS, Producer(service="property"), SUBMITTER, TODAY)
    lines = len(coded.service_lines)
    assert len(decision.claims) + len(decision.rejected) == math.ceil(lines / MAX_LINES_PER_CLAIM)  # split at 50
    event(f"claims sent: {len(decision.claims)}, rejected: {len(decision.rejected)}")
    event(f"lines: {'over 50, split' if lines > MAX_LINES_PER_CLAIM else 'up to 50'}")
    if not intake_problems(parts):
        assert decision.rejected == []
    for claim in decision.claims:  # checked with pyx12 by decide; here the second reader and the sums
        assert 1 <= len(claim.service_lines) <= MAX_LINES_PER_CLAIM
        [read] = readers.read_837(claim.x12_837 or "").claims
        assert (
            readers.cents(read["amount"])
            == claim.total_charge_cents
            == sum(ln.charge_cents for ln in claim.service_lines)
        )
        assert len(read["services"]) == len(claim.service_lines)
    for _, reasons in decision.rejected:
        assert reasons and all(r.startswith("X12 ") for r in reasons), reasons
