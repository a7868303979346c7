"""Reading a generated file back: a plain segment split (for the arithmetic) and a second,
independent reader, openx12 (PyPI, MIT; parses 837P and 835 with the standard delimiters). A
delimiter leaking into data would shift every element after it, so a value read back equal to
the value written also shows no delimiter leaked."""

from __future__ import annotations

from decimal import Decimal

from openx12 import x835, x837p

from shared import x12


def segments(text: str) -> list[list[str]]:
    return [raw.strip().split(x12.ELEMENT_SEPARATOR) for raw in text.split(x12.SEGMENT_TERMINATOR) if raw.strip()]


def amount(value: str) -> Decimal:
    return Decimal(value) if value else Decimal(0)


def cents(value: float) -> int:
    return round(value * 100)


def read_837(text: str) -> x837p.Claim837P:
    return x837p.parse(text)


def read_835(text: str) -> x835.ERA:
    return x835.parse(text)


def counts_hold(text: str) -> bool:
    """SE01 = the segments from ST to SE; GE01 = transaction sets; IEA01 = groups (one)."""
    segs = segments(text)
    ok, since_st, sets = True, 0, 0
    for seg in segs:
        if seg[0] == "ST":
            since_st, sets = 0, sets + 1
        since_st += 1
        if seg[0] == "SE":
            ok &= int(seg[1]) == since_st
        if seg[0] == "GE":
            ok &= int(seg[1]) == sets
        if seg[0] == "IEA":
            ok &= seg[1] == "1"
    return ok
