"""Intake rules: parse a request body into visits, naming every bad field; the limits every
channel shares; the content hash of a visit."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import orjson
from pydantic import ValidationError

from encounter.domain import text_policy
from shared.schemas import Visit

# Limits per request (README, intake section). A body over MAX_BODY_BYTES is refused (413)
# before it is read; a JSON array over MAX_VISITS items or a bundle over MAX_BUNDLE_ENTRIES is
# refused (413) before any item is validated; an answer lists at most MAX_ERRORS problems.
MAX_BODY_BYTES = 4 * 1024 * 1024
MAX_VISITS = 1000
MAX_BUNDLE_ENTRIES = 10_000
MAX_HL7_BYTES = 1024 * 1024
MAX_HL7_SEGMENTS = 2000
MAX_ERRORS = 100


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


def bounded(errors: list[FieldError]) -> list[FieldError]:
    """The first MAX_ERRORS errors, and one line saying how many more there were."""
    if len(errors) <= MAX_ERRORS:
        return errors
    return [*errors[:MAX_ERRORS], FieldError("body", f"{len(errors) - MAX_ERRORS} more problems not listed")]


class IntakeRejected(ValueError):
    def __init__(self, errors: list[FieldError], status: int = 422) -> None:
        super().__init__(f"{len(errors)} invalid field(s)")
        self.errors = bounded(errors)
        self.status = status

    def __reduce__(self) -> tuple[Any, ...]:  # raised in a parsing process, re-raised here
        return (type(self), (self.errors, self.status))


def _path(prefix: str, loc: tuple[int | str, ...]) -> str:
    out = prefix
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "body"


def loads(body: bytes, where: str = "body") -> Any:
    """JSON, or IntakeRejected (400). The parser's message is left out: it can quote the body."""
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        raise IntakeRejected([FieldError(where, "malformed JSON (or not UTF-8)")], status=400) from None


def validate_visit(item: Any, prefix: str) -> tuple[Visit | None, list[FieldError]]:
    """One visit under the text policy and the contract; its errors named under prefix."""
    if not isinstance(item, dict):
        return None, [FieldError(prefix or "body", "expected a visit (a JSON object)")]
    problems = text_policy.apply(item, prefix)
    if problems:
        return None, [FieldError(p.field, p.message) for p in problems]
    try:
        return Visit.model_validate(item), []
    except ValidationError as exc:
        return None, [FieldError(_path(prefix, e["loc"]), e["msg"]) for e in exc.errors(include_input=False)]


def parse_visits(body: bytes) -> list[Visit]:
    """One visit or a JSON array of visits; all valid, or IntakeRejected listing every bad field."""
    raw = loads(body)
    items, many = (raw, True) if isinstance(raw, list) else ([raw], False)
    if not items:
        raise IntakeRejected([FieldError("body", "an empty list holds no visit")])
    if len(items) > MAX_VISITS:
        raise IntakeRejected([FieldError("body", f"more than {MAX_VISITS} visits in one request")], status=413)
    visits, errors = [], []
    for index, item in enumerate(items):
        visit, problems = validate_visit(item, f"[{index}]" if many else "")
        errors += problems
        if visit is not None:
            visits.append(visit)
        if len(errors) > MAX_ERRORS:
            break  # enough to show the sender what is wrong; the rest is not read
    if errors:
        raise IntakeRejected(errors)
    return visits


def content_hash(visit: Visit) -> str:
    return hashlib.sha256(visit.model_dump_json().encode()).hexdigest()
