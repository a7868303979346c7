"""Intake rules: parse a request body into visits, naming every bad field; make the event."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import orjson
from pydantic import ValidationError

from shared.schemas import Visit


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


class IntakeRejected(ValueError):
    def __init__(self, errors: list[FieldError], status: int = 422) -> None:
        super().__init__(f"{len(errors)} invalid field(s)")
        self.errors = errors
        self.status = status


def _path(prefix: str, loc: tuple[int | str, ...]) -> str:
    out = prefix
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "body"


def parse_visits(body: bytes) -> list[Visit]:
    """One visit or a JSON array of visits; all valid, or IntakeRejected listing every bad field."""
    try:
        raw = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise IntakeRejected([FieldError("body", f"malformed JSON: {exc}")], status=400) from None
    items, many = (raw, True) if isinstance(raw, list) else ([raw], False)
    if not items:
        raise IntakeRejected([FieldError("body", "an empty list holds no visit")])
    visits, errors = [], []
    for index, item in enumerate(items):
        try:
            visits.append(Visit.model_validate(item))
        except ValidationError as exc:
            prefix = f"[{index}]" if many else ""
            errors += [FieldError(_path(prefix, e["loc"]), e["msg"]) for e in exc.errors(include_input=False)]
    if errors:
        raise IntakeRejected(errors)
    return visits


def content_hash(visit: Visit) -> str:
    return hashlib.sha256(visit.model_dump_json().encode()).hexdigest()
