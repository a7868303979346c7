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


def _not_an_837p(x12_text: str) -> list[str]:
    if not x12_text.strip():
        return [f"{REASON_PREFIX} the claim has no 837P"]
    if _implementation(x12_text) != IMPLEMENTATION:
        return [f"{REASON_PREFIX} not an 837P {IMPLEMENTATION} interchange (GS08)"]
    return []


def validate_837(x12_text: str) -> list[str]:
    """Why this 837P may not be sent (empty: it may)."""
    return _not_an_837p(x12_text) or [f"{REASON_PREFIX} {reason}" for reason in x12.validate(x12_text)]


def validate_837_each(x12_texts: list[str]) -> list[list[str]]:
    """`validate_837` of each 837P, with pyx12 run once over all of them (shared.x12.validate_each):
    a batch's claims cost one pyx12 pass while they are valid, and a failing one is named alone."""
    verdicts = [_not_an_837p(text) for text in x12_texts]
    to_check = [i for i, verdict in enumerate(verdicts) if not verdict]
    for i, reasons in zip(to_check, x12.validate_each([x12_texts[i] for i in to_check]), strict=True):
        verdicts[i] = [f"{REASON_PREFIX} {reason}" for reason in reasons]
    return verdicts
