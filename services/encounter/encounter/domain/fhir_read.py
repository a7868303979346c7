"""Reading FHIR R4B resources (fhir.resources models): references within a bundle, and the
identifiers, names, addresses, codings and dates the visit mapping needs. No rules of ours."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.resource import Resource


def is_resource_type(name: object) -> bool:
    """A resource type FHIR R4B defines (not a data type, not a made-up name)."""
    if not isinstance(name, str) or not name.isidentifier():
        return False
    try:
        return issubclass(get_fhir_model_class(name), Resource)
    except (ValueError, KeyError, AttributeError, TypeError):
        return False


def loc(parts: tuple[int | str, ...]) -> str:
    """A pydantic error location as a FHIRPath-like element path."""
    path = "Bundle"
    for part in parts:
        if part in ("root",) or (isinstance(part, str) and part.startswith("function-")):
            continue
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path.replace(".class_fhir", ".class")


@dataclass
class Index:
    """Resources of the bundle by fullUrl and by Type/id, so references resolve either way."""

    by_ref: dict[str, tuple[int, Any]]

    @staticmethod
    def of(bundle: Bundle) -> Index:
        by_ref: dict[str, tuple[int, Any]] = {}
        for i, entry in enumerate(bundle.entry or []):
            resource = entry.resource
            if resource is None:
                continue
            if entry.fullUrl:
                by_ref[entry.fullUrl] = (i, resource)
            if resource.id:
                by_ref[f"{resource.get_resource_type()}/{resource.id}"] = (i, resource)
        return Index(by_ref)

    def get(self, reference: Any) -> Any | None:
        if reference is None or not reference.reference:
            return None
        found = self.by_ref.get(reference.reference)
        return found[1] if found else None

    def position(self, resource: Any) -> int | None:
        return next((i for i, r in self.by_ref.values() if r is resource), None)


def identifier(resource: Any, systems: set[str] | str) -> str | None:
    wanted = {systems} if isinstance(systems, str) else systems
    for idf in resource.identifier or []:
        if idf.system in wanted and idf.value:
            return str(idf.value)
    return None


def name(resource: Any) -> tuple[str | None, str | None]:
    for human in resource.name or []:
        return (human.given[0] if human.given else None), human.family
    return None, None


def address(resource: Any) -> dict[str, Any] | None:
    addresses = resource.address if isinstance(resource.address, list) else [resource.address]
    for a in addresses:
        if a is None:
            continue
        lines = [*(a.line or []), None, None]
        return {"line1": lines[0], "line2": lines[1], "city": a.city, "state": a.state,
                "zip": (a.postalCode or "").replace("-", "")}  # fmt: skip
    return None


def coding(concept: Any, systems: set[str]) -> str | None:
    for c in (concept.coding if concept else None) or []:
        if c.system in systems and c.code:
            return str(c.code)
    return None


def day(value: Any) -> str | None:
    """FHIR dateTime may be a date alone."""
    if value is None:
        return None
    return str((value.date() if isinstance(value, datetime) else value).isoformat())


def minutes(start: Any, end: Any) -> int | None:
    if isinstance(start, datetime) and isinstance(end, datetime):
        return int((end - start).total_seconds() // 60)
    return None
