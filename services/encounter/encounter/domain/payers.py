"""Payer resolution as data: the identifiers and names senders use for a payer (a payer id,
a NAIC code, a sender's own identifier system, a name such as "Medicare") mapped to rcmflow's
payer id. The table is data/payers.yaml; this module only reads it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

PAYER_ID_SYSTEM = "urn:rcmflow:payer-id"
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def _name_key(name: str) -> str:
    """Case, punctuation and spacing do not make another payer."""
    return _NOT_ALNUM.sub(" ", name.casefold()).strip()


@dataclass(frozen=True)
class Identifier:
    system: str | None
    value: str

    def __str__(self) -> str:
        return f"{self.system}|{self.value}" if self.system else self.value


@dataclass(frozen=True)
class PayerDirectory:
    by_id: dict[str, str]  # payer id or one of its other ids -> payer id
    by_naic: dict[str, str]
    naic_systems: frozenset[str]
    by_identifier: dict[tuple[str, str], str]
    by_name: dict[str, str]

    @classmethod
    def of(cls, table: dict[str, Any]) -> PayerDirectory:
        by_id: dict[str, str] = {}
        by_naic: dict[str, str] = {}
        by_identifier: dict[tuple[str, str], str] = {}
        by_name: dict[str, str] = {}
        for payer_id, entry in table["payers"].items():
            by_id[payer_id] = payer_id
            by_name[_name_key(payer_id)] = payer_id
            for other in entry.get("ids", []):
                by_id[str(other)] = payer_id
            if entry.get("naic"):
                by_naic[str(entry["naic"])] = payer_id
            for item in entry.get("identifiers", []):
                by_identifier[(item["system"], str(item["value"]))] = payer_id
            for name in entry.get("names", []):
                by_name[_name_key(name)] = payer_id
        return cls(by_id, by_naic, frozenset(table.get("naic_systems", [])), by_identifier, by_name)

    def resolve(self, identifiers: Sequence[Identifier], names: Sequence[str]) -> str | None:
        """The payer id these identifiers or names denote, or None. Identifiers win over names."""
        for idf in identifiers:
            value = idf.value.strip()
            if idf.system in (None, "", PAYER_ID_SYSTEM) and value in self.by_id:
                return self.by_id[value]
            if idf.system in self.naic_systems and value in self.by_naic:
                return self.by_naic[value]
            if idf.system and (idf.system, value) in self.by_identifier:
                return self.by_identifier[(idf.system, value)]
        for name in names:
            found = self.by_name.get(_name_key(name))
            if found is not None:
                return found
        return None


def looked_for(identifiers: Sequence[Identifier], names: Sequence[str]) -> str:
    """What was searched, for the sender's error text (payer identifiers and names are not PHI)."""
    parts = [f"identifier {i}" for i in identifiers] + [f"name {n!r}" for n in names]
    return ", ".join(parts[:6]) if parts else "no payer identifier or name"
