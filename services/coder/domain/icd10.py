"""ICD-10-CM rules over the FY2026 code set shipped by `simple-icd-10-cm` (pure look-ups)."""

from __future__ import annotations

import re

import simple_icd_10_cm as icd

_SHAPE = re.compile(r"^[A-Z][0-9][0-9A-Z][0-9A-Z]{0,4}$")


def normalise(code: str) -> str:
    """'e119' / 'E11.9' / ' E11.9 ' -> 'E11.9' (upper case, dot after the category)."""
    bare = code.strip().upper().replace(".", "")
    return bare if len(bare) <= 3 else f"{bare[:3]}.{bare[3:]}"


def is_code(code: str) -> bool:
    return bool(_SHAPE.match(code.replace(".", ""))) and icd.is_valid_item(code)


def is_billable(code: str) -> bool:
    """Only leaf codes (no children) may go on a claim."""
    return is_code(code) and icd.is_leaf(code)


def description(code: str) -> str:
    return icd.get_description(code)


def billable_children(code: str, limit: int = 12) -> list[str]:
    leaves = [c for c in icd.get_descendants(code) if icd.is_leaf(c)]
    return leaves[:limit]
