"""Deterministic identifiers: the same visit always yields the same event ids, claim ids and
control numbers, so a redelivered or replayed event can never create a second claim."""

from __future__ import annotations

import base64
import hashlib
import uuid

# Fixed namespace for rcmflow's name-based (v5) UUIDs.
RCMFLOW_NAMESPACE = uuid.UUID("6f1c3a52-8d0e-4f7b-9a39-2f1d5c7e0b11")


def event_id(*parts: object) -> uuid.UUID:
    """Event id derived from what the event is about, e.g. ("coded", visit_id, coder_version)."""
    return uuid.uuid5(RCMFLOW_NAMESPACE, "|".join(str(p) for p in parts))


def _short_hash(text: str, length: int) -> str:
    digest = hashlib.sha256(text.encode()).digest()
    return base64.b32encode(digest).decode().rstrip("=")[:length]


def patient_control_number(visit_id: str, split_index: int = 0) -> str:
    """CLM01: 20 characters, the most payers keep intact; returns unchanged on the 835 as CLP01."""
    return "RC" + _short_hash(f"{visit_id}#{split_index}", 18)


def line_control_number(patient_control_number: str, line_number: int) -> str:
    """REF*6R: the line item control number a payer echoes back on the 835 service line."""
    return f"{patient_control_number}L{line_number:02d}"


def payer_claim_control_number(payer_id: str, remittance_event_id: uuid.UUID | str) -> str:
    """CLP07: the payer's own number for one answer (derived from the remittance it is sent in)."""
    return payer_id[:3].upper() + _short_hash(f"{payer_id}|{remittance_event_id}", 14)


def later_payer_claim_number(primary_claim_id: str, sequence: str) -> str:
    """CLM01 of the secondary (S) or tertiary (T) claim that follows a primary claim: derived from
    it, so however often the primary's answer arrives, there is one such claim."""
    return "RC" + _short_hash(f"{primary_claim_id}#{sequence}", 18)
