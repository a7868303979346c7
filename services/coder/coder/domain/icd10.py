"""ICD-10-CM rules over the FY2026 code set shipped by `simple-icd-10-cm` (pure look-ups)."""

from __future__ import annotations

import re
from functools import lru_cache

import simple_icd_10_cm as icd

from coder.domain.tabular_notes import Reference, note_references

_SHAPE = re.compile(r"^[A-Z][0-9][0-9A-Z][0-9A-Z]{0,4}$")


def normalise(code: str) -> str:
    """'e119' / 'E11.9' / ' E11.9 ' -> 'E11.9' (upper case, dot after the category)."""
    bare = code.strip().upper().replace(".", "")
    return bare if len(bare) <= 3 else f"{bare[:3]}.{bare[3:]}"


@lru_cache(maxsize=65536)
def is_code(code: str) -> bool:
    return bool(_SHAPE.match(code.replace(".", ""))) and icd.is_valid_item(code)


def is_billable(code: str) -> bool:
    """Only leaf codes (no children) may go on a claim."""
    return is_code(code) and icd.is_leaf(code)


@lru_cache(maxsize=16384)
def description(code: str) -> str:
    return icd.get_description(code)


def billable_children(code: str, limit: int = 12) -> list[str]:
    leaves = [c for c in icd.get_descendants(code) if icd.is_leaf(c)]
    return leaves[:limit]


@lru_cache(maxsize=8192)
def excludes1_refs(code: str) -> tuple[Reference, ...]:
    """What the code's Excludes1 notes (its own and its ancestors') name."""
    refs: list[Reference] = []
    for item in [code, *icd.get_ancestors(code)]:
        for note in icd.get_excludes1(item):
            refs += note_references(note)
    return tuple(refs)


@lru_cache(maxsize=65536)
def excludes1_conflict(a: str, b: str) -> bool:
    """True when either code's Excludes1 notes exclude the other: they are not coded together."""
    return any(r.matches(b) for r in excludes1_refs(a)) or any(r.matches(a) for r in excludes1_refs(b))


@lru_cache(maxsize=8192)
def code_first_refs(code: str) -> tuple[Reference, ...]:
    """What the "code first" notes of the code and its category name (etiology before manifestation)."""
    refs: list[Reference] = []
    for item in [code, *icd.get_ancestors(code)]:
        if icd.is_chapter_or_block(item):
            continue
        refs += note_references(icd.get_code_first(item))
    return tuple(refs)
