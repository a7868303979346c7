"""The rows of a list-rule table (combination_rules.csv and the like, keyed by ICD-10-CM prefixes) that can
apply to a diagnosis list: found through an index by the first code's category, built once per table,
instead of scanning (and slicing) every row for every visit."""

from __future__ import annotations

from typing import Any

Row = tuple[Any, ...]
_Index = dict[str, tuple[tuple[int, str, Row], ...]]  # first category -> (table position, second category, row)
_BY_FIRST: dict[int, tuple[tuple[Row, ...], _Index]] = {}


def _by_first_category(rows: tuple[Row, ...]) -> _Index:
    """Kept by the table's identity (and checked against it): an lru_cache on the table hashed all of it per call."""
    found = _BY_FIRST.get(id(rows))
    if found is None or found[0] is not rows:
        index: dict[str, list[tuple[int, str, Row]]] = {}
        for position, row in enumerate(rows):
            index.setdefault(row[0][:3], []).append((position, row[1][:3], row))
        found = _BY_FIRST[id(rows)] = (rows, {first: tuple(entries) for first, entries in index.items()})
    return found[1]


def _position(entry: tuple[int, str, Row]) -> int:
    return entry[0]


def rows_for(rows: tuple[Row, ...], present: set[str]) -> list[Row]:
    """The rows whose first and second codes' categories are both on the list, in table order."""
    index = _by_first_category(rows)
    found = [entry for first in present for entry in index.get(first, ()) if entry[1] in present]
    return [row for _, _, row in sorted(found, key=_position)]


def rows_with(rows: tuple[Row, ...], present: set[str]) -> list[Row]:
    """The rows whose first code's category is on the list, in table order."""
    index = _by_first_category(rows)
    return [row for _, _, row in sorted((entry for first in present for entry in index.get(first, ())), key=_position)]
