"""The last check before a claim leaves: its 837P must be valid X12 005010X222A1 under pyx12.
A clearinghouse rejects a whole batch for one bad claim, so a claim that fails is kept as
rejected with the validator's reasons (scrubber-style) instead of being sent.

Pure: text in, reasons out. The reasons name segment, element and line, never a value."""

from __future__ import annotations

from biller.domain.x12_837 import IMPLEMENTATION
from shared import x12

REASON_PREFIX = "X12"  # as the scrubber's rule codes (S01 ...) prefix its reasons


def _implementation(x12_text: str) -> str | None:
    """GS08 of the interchange, or None when there is no GS segment."""
    for raw in x12_text.split(x12.SEGMENT_TERMINATOR):
        elements = raw.strip().split(x12.ELEMENT_SEPARATOR)
        if elements[0] == "GS":
            return elements[8] if len(elements) > 8 else ""
    return None


def validate_837(x12_text: str) -> list[str]:
    """Why this 837P may not be sent (empty: it may)."""
    if not x12_text.strip():
        return [f"{REASON_PREFIX} the claim has no 837P"]
    implementation = _implementation(x12_text)
    if implementation != IMPLEMENTATION:
        return [f"{REASON_PREFIX} not an 837P {IMPLEMENTATION} interchange (GS08)"]
    return [f"{REASON_PREFIX} {reason}" for reason in x12.validate(x12_text)]
