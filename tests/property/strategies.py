"""Hypothesis strategies for what careless or hostile senders put in a visit: names, addresses
and ids in any Unicode (combining marks, emoji, NUL and other controls, the X12 delimiters
* ~ : ^ >), and the amounts, units, lines and diagnoses a claim or a remittance carries. Every
value fits the event contracts (which limit length, not characters), as the intake accepts today."""

from __future__ import annotations

import os
import unicodedata
from datetime import UTC, date, datetime
from typing import Any

from hypothesis import strategies as st

from bench.synthetic import DIAGNOSIS_CODES, EIN_PREFIXES, PROCEDURES, with_npi_check_digit
from shared.schemas.common import US_STATE_CODES

CREATED = datetime(2026, 11, 27, 9, 15, tzinfo=UTC)
TODAY = date(2026, 11, 27)
HOSTILE = list("*~:^>\x00\t\n\r\x7f\u0085\u0301\u0308\u200b\u200d\u00a0\u2028ßéñÑØŁ李ﬁ½😀👩‍⚕️\ufe0f")
PLAIN = list("ABCXYZ abcxyz'-.,&/0123456789")
PROCEDURE_CODES = sorted({code for code, _ in PROCEDURES} | {"99213", "99214", "99215", "99203"})
MODIFIERS = ["25", "59", "RT", "LT", "95", "QW", "XS", "76", "91"]
PLACES_OF_SERVICE = ["11", "02", "10", "22"]
REMARK_CODES = ["N130", "M15", "MA130", "M80", "N381", "M51"]
CARCS = ["1", "2", "3", "4", "11", "16", "18", "22", "27", "29", "45", "50", "96", "97", "109", "197", "204", "236"]
DIAGNOSES = sorted(set(DIAGNOSIS_CODES))

_NOT_TEXT = ("Cc", "Cs", "Co", "Cn")  # controls, surrogates, private use, unassigned: the intake refuses them
_plain = st.sampled_from(PLAIN)
_printable = st.one_of(  # half plain letters, so a name has some letters X12 can carry more often than not
    _plain,
    _plain,
    _plain,
    st.characters(exclude_categories=["Cc", "Cs", "Co", "Cn"]),
    st.sampled_from([c for c in HOSTILE if unicodedata.category(c) not in _NOT_TEXT]),
)
_anything = st.one_of(st.characters(), st.sampled_from(HOSTILE), st.sampled_from(PLAIN))


def _text(alphabet: st.SearchStrategy[str], max_size: int, min_size: int) -> st.SearchStrategy[str]:
    return (
        st.text(alphabet, min_size=min_size, max_size=max_size)
        .map(str.strip)
        .filter(lambda s: min_size <= len(s) <= max_size)
    )


def _decorated(max_size: int, min_size: int) -> st.SearchStrategy[str]:
    """Letters X12 carries, with any printable text before, inside and after them."""
    letters = st.text(
        st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyzéñÑßØ"), min_size=2, max_size=20
    )
    around = st.text(_printable, max_size=8)
    return (
        st.tuples(around, letters, around, letters, around)
        .map(lambda parts: "".join(parts)[:max_size].strip())
        .filter(lambda s: min_size <= len(s) <= max_size)
    )


def text(max_size: int, min_size: int = 1) -> st.SearchStrategy[str]:
    """Any text the contract lets through: min..max characters once stripped, as pydantic does.
    One field in sixty may hold control characters, half hold letters X12 can carry among
    other text, the rest anything printable; so most visits get past the first refusal and
    still meet every other kind of hostile text."""
    return st.integers(0, 59).flatmap(
        lambda n: (
            _text(_anything, max_size, min_size)
            if n == 0
            else _decorated(max_size, min_size)
            if n <= 30
            else _text(_printable, max_size, min_size)
        )
    )


def identifier(max_size: int) -> st.SearchStrategy[str]:
    """Mostly what our id generators make, sometimes anything at all."""
    alphabet = st.sampled_from("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789-")
    plain = st.text(alphabet, min_size=2, max_size=max_size).filter(lambda s: len(s.strip("-")) >= 2)
    return st.one_of(plain, plain, st.text(alphabet, min_size=1, max_size=max_size).filter(lambda s: s.strip("-")),
                     text(max_size))  # fmt: skip


def npi() -> st.SearchStrategy[str]:
    return st.tuples(st.sampled_from("12"), st.text("0123456789", min_size=8, max_size=8)).map(
        lambda t: with_npi_check_digit(t[0] + t[1])
    )


def ein() -> st.SearchStrategy[str]:
    return st.tuples(st.sampled_from(EIN_PREFIXES), st.text("0123456789", min_size=7, max_size=7)).map("".join)


@st.composite
def address(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "line1": draw(text(55)),
        "line2": draw(st.none() | text(55)),
        "city": draw(text(30, min_size=2)),
        "state": draw(st.sampled_from(sorted(US_STATE_CODES))),
        "zip": draw(st.text("0123456789", min_size=5, max_size=5) | st.text("0123456789", min_size=9, max_size=9)),
    }


@st.composite
def person(draw: st.DrawFn) -> dict[str, Any]:
    return {"first_name": draw(text(35)), "last_name": draw(text(60))}


@st.composite
def visit_parts(draw: st.DrawFn) -> dict[str, Any]:
    """Patient, coverage, provider and facility of a visit, with hostile text everywhere text goes."""
    relationship = draw(st.sampled_from(["self", "self", "spouse", "child", "other"]))
    subscriber = None
    if relationship != "self":
        subscriber = {**draw(person()), "birth_date": "1970-01-02", "sex": draw(st.sampled_from("FMU")),
                      "address": draw(st.none() | address())}  # fmt: skip
    return {
        "patient": {
            "id": "P-PROP-1",
            **draw(person()),
            "birth_date": "1980-05-06",
            "sex": draw(st.sampled_from("FMU")),
            "address": draw(address()),
        },
        "coverage": {
            "payer_id": draw(st.sampled_from(["MEDICARE", "MEDICAID", "BLUEPEAK", "NORTHSTAR"])),
            "member_id": draw(identifier(80)),
            "group_number": draw(st.none() | identifier(50)),
            "relationship": relationship,
            "subscriber": subscriber,
        },
        "provider": {"npi": draw(npi()), **draw(person()), "taxonomy": draw(st.none() | st.just("207Q00000X"))},
        "facility": {
            "npi": draw(npi()),
            "name": draw(text(60)),
            "tax_id": draw(ein()),
            "place_of_service": draw(st.sampled_from(PLACES_OF_SERVICE)),
            "address": draw(address()),
        },
        "prior_authorization": draw(st.none() | identifier(50)),
    }


def examples(count: int) -> int:
    """max_examples for a property: as given (bounded for CI), times PROPERTY_SCALE for a longer soak run."""
    return count * int(os.environ.get("PROPERTY_SCALE", "1"))


def cents() -> st.SearchStrategy[int]:
    return st.integers(min_value=0, max_value=10**9)


@st.composite
def cob(draw: st.DrawFn, lines: list[dict[str, Any]], coverage: dict[str, Any]) -> dict[str, Any]:
    """Coordination of benefits for a claim's lines: nothing (a primary claim alone), a primary
    claim naming a later payer, or a secondary claim carrying the primary's answer (each line's
    paid amount, CO-45 and PR by kind, balancing to the charge) and maybe a tertiary payer."""
    shape = draw(st.sampled_from(["none", "primary", "secondary", "secondary"]))
    if shape == "none":
        return {}
    payers = ["MEDICARE", "MEDICAID", "BLUEPEAK", "NORTHSTAR", "MEDIGAP"]
    names = {"MEDICARE": ("Medicare Part B (simulated)", "00999", "MB"), "MEDIGAP": ("Liberty Medigap", "MGS07", "16"),
             "MEDICAID": ("State Medicaid", "77027", "MC"), "BLUEPEAK": ("BluePeak", "BPK01", "12"),
             "NORTHSTAR": ("Northstar", "NST42", "HM")}  # fmt: skip

    def other(sequence: str) -> dict[str, Any]:
        payer = draw(st.sampled_from(payers))
        name, x12_id, filing = names[payer]
        member = {**coverage, "payer_id": payer, "member_id": draw(identifier(80)), "order": "PST".index(sequence) + 1}
        return {"sequence": sequence, "payer_id": payer, "payer_name": name, "x12_payer_id": x12_id,
                "claim_filing_indicator": filing, "coverage": member}  # fmt: skip

    if shape == "primary":
        return {"later_payers": [other("S")]}
    answered = []
    for line in lines:
        charge = line["charge_cents"]
        paid = draw(st.integers(0, charge))
        left = draw(st.integers(0, charge - paid))
        deductible = draw(st.integers(0, left))
        adjustments = [{"group": g, "carc": c, "amount_cents": a}
                       for g, c, a in (("CO", "45", charge - paid - left), ("PR", "1", deductible),
                                       ("PR", "2", left - deductible)) if a]  # fmt: skip
        answered.append({"line_control_number": line["line_control_number"], "procedure_code": line["procedure_code"],
                         "modifiers": line["modifiers"], "units": line["units"], "paid_cents": paid,
                         "adjustments": adjustments, "remaining_patient_cents": left})  # fmt: skip
    primary = {**other("P"), "payer_claim_control_number": draw(identifier(50)), "adjudicated_on": TODAY,
               "paid_cents": sum(a["paid_cents"] for a in answered), "lines": answered,
               "remaining_patient_cents": sum(a["remaining_patient_cents"] for a in answered)}  # fmt: skip
    later = [other("T")] if draw(st.booleans()) else []
    return {"payer_sequence": "S", "prior_payers": [primary], "later_payers": later}
