"""Plain radiographs written as notes write them ("XR R knee 2 views", "ankle x-ray 3v", "CXR PA and lateral"):
the code by body part and number of views (data/imaging_views.csv, CPT radiology descriptors)."""

from __future__ import annotations

import re
from dataclasses import dataclass

VIEWS = re.compile(r"\b(\d+) ?(?:v|vw|views?)\b")
TWO_VIEWS = re.compile(r"\b(?:ap|pa) (?:and )?(?:lat|lateral)\b")  # frontal and lateral: two views


@dataclass(frozen=True)
class ImagingCode:
    part: str
    min_views: int
    max_views: int  # 0: no upper bound
    code: str


Imaging = dict[str, tuple[ImagingCode, ...]]  # body part -> its codes by views


def read(words: list[str], table: Imaging) -> tuple[str | None, tuple[str, ...]]:
    """(code, ()) when the part and views decide it; (None, candidates) when the views are not written."""
    joined = " ".join(words)
    if not table or "x ray" not in joined:
        return None, ()
    part = next((w for w in words if w in table), None)
    if part is None:
        return None, ()
    codes = table[part]
    found = VIEWS.search(joined)
    views = int(found.group(1)) if found else 2 if TWO_VIEWS.search(joined) else None
    if views is None:
        return (codes[0].code, ()) if len(codes) == 1 else (None, tuple(c.code for c in codes))
    chosen = next((c for c in codes if c.min_views <= views and (not c.max_views or views <= c.max_views)), None)
    return (chosen.code, ()) if chosen else (None, tuple(c.code for c in codes))
