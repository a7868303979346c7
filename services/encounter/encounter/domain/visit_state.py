"""Where a visit stands, as its sender may ask: read from the envelopes of the pipeline's events
(visit id, topic, claim status, dead-letter headers) and never from their content.

States advance by rank; a later event of equal rank wins (a corrected claim paid after a denial).
A dead letter marks the visit failed with the reason; a later success (a replay) clears it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import orjson

from shared.schemas import CLAIMS, CODED_ENCOUNTERS, CODING_REVIEW, REMITTANCES, dlq_topic

RANK = {"accepted": 0, "in_review": 1, "coded": 2, "billed": 3, "paid": 4, "denied": 4, "failed": 5}
STATE_OF_TOPIC = {CODING_REVIEW: "in_review", CODED_ENCOUNTERS: "coded", CLAIMS: "billed"}
TRACKED_TOPICS = (CODED_ENCOUNTERS, CODING_REVIEW, CLAIMS, REMITTANCES)
DEAD_LETTER_TOPICS = tuple(dlq_topic(t) for t in ("visits", *TRACKED_TOPICS))
DENIED, REVERSAL = "4", "22"  # CLP02 claim status codes
MAX_VISIT_ID = 64


@dataclass(frozen=True)
class StateChange:
    visit_id: str
    state: str
    source_topic: str
    reason: str | None = None

    @property
    def rank(self) -> int:
        return RANK[self.state]


def _header(headers: dict[str, bytes], name: str) -> str:
    return headers.get(name, b"").decode(errors="replace")


def _reason(headers: dict[str, bytes]) -> str:
    """The dead letter's reason without values: validation errors name field paths only; other
    errors are named by their kind (their texts may quote data)."""
    kind = _header(headers, "rcm-error-type") or "unknown error"
    service = _header(headers, "rcm-service") or "a stage"
    detail = _header(headers, "rcm-error") if kind == "ValidationError" else kind
    return f"dead-lettered by {service}: {detail}"[:300]


def state_change(topic: str, value: bytes | None, headers: dict[str, bytes]) -> StateChange | None:
    """The state an event puts its visit in, or None (not readable, no visit id, a reversal)."""
    try:
        event = orjson.loads(value or b"")
    except orjson.JSONDecodeError:
        return None
    if not isinstance(event, dict):
        return None
    visit_id = event.get("visit_id")
    if not isinstance(visit_id, str) or not 0 < len(visit_id) <= MAX_VISIT_ID:
        return None
    if topic in DEAD_LETTER_TOPICS:
        return StateChange(visit_id, "failed", topic, _reason(headers))
    if topic == REMITTANCES:
        status = event.get("claim_status_code")
        if status == REVERSAL:
            return None  # a reversal is followed by the corrected adjudication
        return StateChange(visit_id, "denied" if status == DENIED else "paid", topic)
    state = STATE_OF_TOPIC.get(topic)
    return StateChange(visit_id, state, topic) if state else None


def latest_per_visit(changes: Iterable[StateChange]) -> list[StateChange]:
    """One change per visit from a batch in topic order: the one the projection would keep."""
    kept: dict[str, StateChange] = {}
    for change in changes:
        old = kept.get(change.visit_id)
        if old is None or advances(old.state, change.state):
            kept[change.visit_id] = change
    return list(kept.values())


def advances(old: str, new: str) -> bool:
    """Whether a visit in state `old` moves to `new` (the same rule as the projection's SQL)."""
    return RANK[new] >= RANK[old] or old == "failed"
