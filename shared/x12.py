"""X12 5010 interchanges: the envelope every transaction shares (ISA/GS/ST ... SE/GE/IEA), and
validation with pyx12 (the tests and `rcm export` use it; generated files must have no errors)."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

SEGMENT_TERMINATOR = "~"
ELEMENT_SEPARATOR = "*"
COMPONENT_SEPARATOR = ":"
REPETITION_SEPARATOR = "^"
_UNSAFE = re.compile(r"[~*:^\n\r]")

Segment = Sequence[object]


def clean(value: object) -> str:
    """Element text: no delimiter characters, upper case as payers expect, trimmed."""
    return _UNSAFE.sub(" ", str(value)).strip().upper()


def money(cents: int) -> str:
    """X12 decimal: no trailing zeros, no needless decimal point (e.g. 56, 56.5, 56.55, -3)."""
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


def interchange(envelope: Envelope, transactions: Iterable[list[Segment]]) -> str:
    """Wrap transaction bodies (segments between ST and SE) in ST/SE, one GS/GE and ISA/IEA."""
    e = envelope
    lines = [
        segment(
            "ISA", "00", " " * 10, "00", " " * 10, "ZZ", clean(e.sender_id)[:15].ljust(15), "ZZ",
            clean(e.receiver_id)[:15].ljust(15), e.created.strftime("%y%m%d"), e.created.strftime("%H%M"),
            REPETITION_SEPARATOR, "00501", f"{e.interchange_control_number:09d}", "0", "P" if e.production else "T",
            COMPONENT_SEPARATOR,
        ),
        segment(
            "GS", e.functional_id, clean(e.sender_id), clean(e.receiver_id), e.created.strftime("%Y%m%d"),
            e.created.strftime("%H%M"), e.group_control_number, "X", e.implementation,
        ),
    ]  # fmt: skip
    count = 0
    for count, body in enumerate(transactions, start=1):
        control = f"{count:04d}"
        # ST03 repeats the implementation guide on an 837; the 835 guide marks it not used
        st03 = e.implementation if e.transaction_set == "837" else ""
        st = [("ST", e.transaction_set, control, st03), *body]
        lines += [segment(*s) for s in st]
        lines.append(segment("SE", len(st) + 1, control))
    lines.append(segment("GE", count, e.group_control_number))
    lines.append(segment("IEA", 1, f"{e.interchange_control_number:09d}"))
    return "\n".join(lines) + "\n"


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def validate(text: str) -> list[str]:
    """pyx12's verdict on an interchange: the list of its errors (empty: valid)."""
    import pyx12.params
    import pyx12.x12n_document

    collector = _Collect()
    logger = logging.getLogger("pyx12")
    logger.addHandler(collector)
    try:
        ok = pyx12.x12n_document.x12n_document(
            param=pyx12.params.params(), src_file=io.StringIO(text), fd_997=None, fd_html=None
        )
    finally:
        logger.removeHandler(collector)
    if not ok and not collector.messages:
        collector.messages.append("pyx12 reported a failure without a message")
    return collector.messages
