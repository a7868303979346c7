"""Asking payers for the status of claims (276/277): one inquiry per payer for the claims given,
the answers read back by patient control number and kept. `rcm claim-status` asks for claims
named or past an age; the biller's timer asks for claims awaiting an answer past
`CLAIM_STATUS_AFTER_SECONDS`."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime

from biller.domain.claim_status import StatusAnswer, inquiry_276, read_277
from biller.domain.model import Reference
from shared import x12
from shared.schemas import ClaimSubmitted

AskPayer = Callable[[str, str], Awaitable[str | None]]


async def ask_status(
    claims: list[ClaimSubmitted], reference: Reference, ask: AskPayer, now: datetime
) -> list[tuple[StatusAnswer, str, str]]:
    """(answer, the 276 sent, the 277 received) for every claim a payer answered about."""
    by_payer: dict[str, list[ClaimSubmitted]] = {}
    for claim in claims:
        if claim.payer_id in reference.payers:
            by_payer.setdefault(claim.payer_id, []).append(claim)
    found: list[tuple[StatusAnswer, str, str]] = []
    for payer_id, mine in sorted(by_payer.items()):
        number = uuid.uuid5(uuid.NAMESPACE_OID, f"{now.isoformat()}|{payer_id}").int % x12.MAX_CONTROL_NUMBER + 1
        inquiry = inquiry_276(mine, reference.payers[payer_id], reference.submitter, number, now)
        reply = await ask(payer_id, inquiry)
        if reply is None:
            continue
        answers = read_277(reply)
        found += [
            (answers[c.patient_control_number], inquiry, reply) for c in mine if c.patient_control_number in answers
        ]
    return found
