"""X12 5010 interchanges: the envelope every transaction shares (ISA/GS/ST ... SE/GE/IEA), the
text policy for element data (shared/x12_text.py), and validation with pyx12 (generated files
must have no errors; the biller checks each claim before it leaves)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shared.x12_pyx12 import prepare as _prepare_pyx12
from shared.x12_text import (
    DATA_CHARACTERS,
    VISIT_TEXT_LIMITS,
    X12ElementError,
    check_text,
    code,
    element,
    normalise,
)

__all__ = [
    "COMPONENT_SEPARATOR", "DATA_CHARACTERS", "ELEMENT_SEPARATOR", "REPETITION_SEPARATOR", "SEGMENT_TERMINATOR",
    "VISIT_TEXT_LIMITS", "Envelope", "Segment", "X12ElementError", "check_text", "code", "element", "interchange",
    "money", "normalise", "read_segments", "segment", "validate", "validate_each",
]  # fmt: skip

SEGMENT_TERMINATOR = "~"
ELEMENT_SEPARATOR = "*"
COMPONENT_SEPARATOR = ":"
REPETITION_SEPARATOR = "^"
MAX_CONTROL_NUMBER = 999_999_999  # ISA13 / GS06: nine digits

Segment = Sequence[object]


def money(cents: int) -> str:
    """X12 decimal (type R): no trailing zeros, no needless decimal point (e.g. 56, 56.5, 56.55, -3)."""
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    return f"{sign}{whole}" if frac == 0 else f"{sign}{whole}.{frac:02d}".rstrip("0")


def segment(*elements: object) -> str:
    """One segment; empty trailing elements are dropped (X12 forbids them)."""
    parts = ["" if e is None else str(e) for e in elements]
    while parts and parts[-1] == "":
        parts.pop()
    return ELEMENT_SEPARATOR.join(parts) + SEGMENT_TERMINATOR


@dataclass(frozen=True)
class Envelope:
    sender_id: str
    receiver_id: str
    interchange_control_number: int
    group_control_number: int
    functional_id: str  # GS01: HC claims (837), HP payment/remittance (835)
    implementation: str  # GS08, e.g. 005010X222A1
    transaction_set: str  # ST01, e.g. 837
    created: datetime
    production: bool = True


def _control_number(number: int, name: str) -> int:
    if not 1 <= number <= MAX_CONTROL_NUMBER:
        raise X12ElementError(name, f"must be between 1 and {MAX_CONTROL_NUMBER}")
    return number


def interchange(envelope: Envelope, transactions: Iterable[list[Segment]]) -> str:
    """Wrap transaction bodies (segments between ST and SE) in ST/SE, one GS/GE and ISA/IEA."""
    e = envelope
    sender = element(e.sender_id, "ISA06/GS02 sender id", 15, 2)
    receiver = element(e.receiver_id, "ISA08/GS03 receiver id", 15, 2)
    isa13 = f"{_control_number(e.interchange_control_number, 'ISA13 interchange control number'):09d}"
    gs06 = _control_number(e.group_control_number, "GS06 group control number")
    lines = [
        segment(
            "ISA", "00", " " * 10, "00", " " * 10, "ZZ", sender.ljust(15), "ZZ", receiver.ljust(15),
            e.created.strftime("%y%m%d"), e.created.strftime("%H%M"), REPETITION_SEPARATOR, "00501", isa13, "0",
            "P" if e.production else "T", COMPONENT_SEPARATOR,
        ),
        segment(
            "GS", e.functional_id, sender, receiver, e.created.strftime("%Y%m%d"), e.created.strftime("%H%M"), gs06,
            "X", e.implementation,
        ),
    ]  # fmt: skip
    count = 0
    for count, body in enumerate(transactions, start=1):
        control = f"{count:04d}"
        # ST03 repeats the implementation guide (837, 999, 277, 270/271, 276); the 835 guide marks it not used
        st03 = e.implementation if e.transaction_set != "835" else ""
        st = [("ST", e.transaction_set, control, st03), *body]
        lines += [segment(*s) for s in st]
        lines.append(segment("SE", len(st) + 1, control))  # SE01 counts ST and SE themselves
    lines.append(segment("GE", count, gs06))
    lines.append(segment("IEA", 1, isa13))
    return "\n".join(lines) + "\n"


# 999 IK3 (segment) and IK4 (element) error codes, as pyx12 reports them. The reasons built from
# them name the place (segment, element, line), never the value: pyx12's own texts quote values.
_SEGMENT_ERRORS = {
    "1": "unrecognized segment", "2": "unexpected segment", "3": "required segment missing",
    "4": "loop occurs more than its maximum", "5": "segment exceeds its maximum use",
    "6": "segment not in the transaction set", "7": "segment out of sequence", "8": "segment has element errors",
    "I4": "segment not used in this implementation", "I6": "situational segment missing",
    "I7": "loop occurs fewer than its minimum", "I8": "segment occurs fewer than its minimum",
    "I9": "segment not used in this implementation",
}  # fmt: skip
_ELEMENT_ERRORS = {
    "1": "required element missing", "2": "conditionally required element missing", "3": "too many elements",
    "4": "too short", "5": "too long", "6": "invalid character", "7": "invalid code value", "8": "invalid date",
    "9": "invalid time", "10": "element not used in this implementation", "12": "too many repetitions",
    "13": "too many components",
}  # fmt: skip


def _reasons(report: dict[str, Any]) -> list[str]:
    reasons: list[str] = []
    for isa in report.get("interchanges", []):
        reasons += [f"ISA: {e['err_str']}" for e in isa["errors"]]  # envelope texts: counts and control numbers
        for gs in isa["groups"]:
            reasons += [f"GS: {e['err_str']}" for e in gs["errors"]]
            for st in gs["transactions"]:
                reasons += [f"ST {st['trn_set_control_num']}: {e['err_str']}" for e in st["errors"]]
                for seg in st["segments"]:
                    where = f"line {seg['cur_line']} {seg['seg_id']} ({seg['name']})"
                    for e in seg["errors"]:
                        reasons.append(f"{where}: {_SEGMENT_ERRORS.get(e['err_cde'], 'error ' + e['err_cde'])}")
                    for ele in seg["elements"]:
                        ref = f"{seg['seg_id']}{ele['ele_pos']:02d}" + (
                            f"-{ele['subele_pos']}" if ele["subele_pos"] else ""
                        )
                        for e in ele["errors"]:
                            problem = _ELEMENT_ERRORS.get(e["err_cde"], "error " + e["err_cde"])
                            reasons.append(f"line {seg['cur_line']} {ref} ({ele['name']}): {problem}")
    return reasons


def _run_pyx12(text: str) -> tuple[bool, dict[str, Any]]:
    """pyx12 over a file (one or more interchanges): whether it passed, and its JSON report."""
    import pyx12.params
    import pyx12.x12n_document

    _prepare_pyx12()
    report = io.StringIO()
    ok = pyx12.x12n_document.x12n_document(
        param=pyx12.params.params(), src_file=io.StringIO(text), fd_997=None, fd_html=None, fd_json=report
    )
    return bool(ok), json.loads(report.getvalue()) if report.getvalue() else {}


def _unreadable() -> tuple[type[Exception], ...]:
    import pyx12.errors

    return (pyx12.errors.X12Error, pyx12.errors.EngineError, ValueError, KeyError, IndexError)


def validate(text: str) -> list[str]:
    """pyx12's verdict on an interchange: its errors (empty: valid), as reasons naming the segment,
    element and line but no value, so they may go into logs and work queues."""
    try:
        ok, report = _run_pyx12(text)
    except _unreadable() as exc:
        return [f"pyx12 could not read the interchange ({type(exc).__name__})"]
    reasons = _reasons(report)
    if not ok and not reasons:
        reasons.append("pyx12 could not read the interchange")
    return reasons


def validate_each(texts: Sequence[str]) -> list[list[str]]:
    """`validate` of each interchange, in one pyx12 pass over all of them (one file of several
    interchanges) while they are valid. pyx12 reports each interchange of a file in order; the ones
    with errors, and all of them when the file does not read as exactly these interchanges, are
    validated again alone, so every verdict, reasons and line numbers included, is `validate`'s."""
    if len(texts) <= 1:
        return [validate(text) for text in texts]
    try:
        ok, report = _run_pyx12("".join(texts))
    except _unreadable():
        return [validate(text) for text in texts]
    interchanges = report.get("interchanges", [])
    if len(interchanges) != len(texts):
        return [validate(text) for text in texts]
    flagged = [bool(_reasons({"interchanges": [isa]})) for isa in interchanges]
    if not ok and not any(flagged):
        return [validate(text) for text in texts]
    return [validate(text) if bad else [] for text, bad in zip(texts, flagged, strict=True)]


def read_segments(text: str) -> list[list[str]]:
    """An interchange written with our separators, as segments split into elements (a reader of
    our own files and our partners' answers, which use the same separators)."""
    return [raw.strip().split(ELEMENT_SEPARATOR) for raw in text.split(SEGMENT_TERMINATOR) if raw.strip()]
