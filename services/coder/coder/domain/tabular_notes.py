"""The code references inside ICD-10-CM tabular notes (Excludes1, "use additional code", "code
first"), read as the tabular writes them: single codes ("E11.9"), categories with the "-"
wildcard ("I50.-"), ranges ("N18.1-N18.4", "A00-R94"), and ranges narrowed by a remark
("S62.- with 7th character B", "E08-E13 with .42", "I69. with final characters -23").

A remark narrows its range; it is never read as a range of its own. A remark this module
cannot read makes the reference match nothing (a missed Excludes1 costs a person's look at
most; a false one sent every laceration with a vaccine to review)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

# a code, its "-" wildcard (never the dash of a range, which a code follows)
_CODE = r"[A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{0,4})?(?:-(?!\s*[A-Z]))?"
_ITEM = re.compile(rf"^\s*({_CODE})\s*(?:-\s*({_CODE}))?\s*(.*)$")
_ORDINAL = {"fourth": 4, "4th": 4, "fifth": 5, "5th": 5, "sixth": 6, "6th": 6, "seventh": 7, "7th": 7}
_OPEN_FRACTURE_7TH = frozenset("BCEFHJMNQR")  # 7th characters of open-fracture encounters


def bare(code: str) -> str:
    """'S62.001B' -> 'S62001B'; wildcards and dots dropped."""
    return code.replace(".", "").replace("-", "").strip()


@dataclass(frozen=True)
class Reference:
    """One code reference: codes from `low` to `high` (prefixes, inclusive), maybe narrowed."""

    low: str
    high: str
    narrowed: Callable[[str], bool] | None = None

    def matches(self, code: str) -> bool:
        b = bare(code)
        if not (b[: len(self.low)] >= self.low and b[: len(self.high)] <= self.high):
            return False
        return self.narrowed(b) if self.narrowed else True


def _positional(position: int, characters: str) -> Callable[[str], bool]:
    allowed = frozenset(characters)
    return lambda b: len(b) >= position and b[position - 1] in allowed


def _remark(remark: str) -> Callable[[str], bool] | None:
    """The narrowing a remark such as 'with 7th character B' names, or None when unreadable."""
    text = remark.lower().replace("-character", " character").strip(" ,;")
    if m := re.fullmatch(r"with (\w+) to (\w+) characters? (\w+)", text):
        start, chars = _ORDINAL.get(m[1]), m[3].upper()
        return (lambda b: b[start - 1 : start - 1 + len(chars)] == chars) if start else None
    if m := re.fullmatch(r"with (\w+) character \.?(\w)", text):
        position = _ORDINAL.get(m[1])
        return _positional(position, m[2].upper()) if position else None
    if re.fullmatch(r"with open fracture 7th character", text):
        return _positional(7, "".join(sorted(_OPEN_FRACTURE_7TH)))
    if m := re.fullmatch(r"with final characters -(\w+)", text):
        tail = m[1].upper()
        return lambda b: b.endswith(tail)
    if m := re.fullmatch(r"with \.(\w+)(?:-\.(\w+)|-)?", text):
        low, high = m[1].upper(), (m[2] or m[1]).upper()
        return lambda b: low <= b[3 : 3 + len(low)] and b[3 : 3 + len(high)] <= high
    return None


def parse_references(group: str) -> list[Reference]:
    """The references inside one parenthesised group of a note, e.g. 'N18.1-N18.4, N18.9'."""
    refs: list[Reference] = []
    for item in re.split(r",|\band\b", group.replace(".-", "-").replace("-with", "- with")):
        m = _ITEM.match(item.replace("..", "."))
        if not m:
            continue
        low, high, remark = bare(m[1]), bare(m[2] or m[1]), m[3].strip()
        narrowed = None
        if remark:
            narrowed = _remark(remark)
            if narrowed is None:
                continue  # unreadable remark: match nothing rather than everything
        refs.append(Reference(low, high, narrowed))
    return refs


_GROUP = re.compile(r"\(([^()]*)\)")


def note_references(note: str) -> list[Reference]:
    """Every code reference of a note's parenthesised groups; words outside them are prose."""
    refs: list[Reference] = []
    for group in _GROUP.findall(note):
        if re.search(r"[A-Z][0-9]", group):
            refs += parse_references(group)
    return refs
