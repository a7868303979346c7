"""The biller's use case for the payer's front-end answers: post each 999/277CA once; a claim
turned back (999 rejected, or 277CA rejected) leaves 'submitted' for the rejected work queue
with the reason, since no remittance will ever come for it. An accepted claim keeps its status:
its remittance may already have been posted (the two answers travel on different topics)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from shared.schemas import ClaimAcknowledged


class Acknowledgments(Protocol):
    async def record(self, acknowledgments: list[ClaimAcknowledged]) -> list[tuple[ClaimAcknowledged, bool]]: ...


class AcknowledgmentWork(Protocol):
    @property
    def acknowledgments(self) -> Acknowledgments: ...


@dataclass
class AcknowledgmentsPosted:
    outcomes: list[str] = field(default_factory=list)  # per event: accepted, rejected, not_standing or unknown
    rejected: list[ClaimAcknowledged] = field(default_factory=list)  # claims put on the rejected queue now


async def post_acknowledgments(batch: list[ClaimAcknowledged], uow: AcknowledgmentWork) -> AcknowledgmentsPosted:
    recorded = dict((a.event_id, rejected_now) for a, rejected_now in await uow.acknowledgments.record(batch))
    posted = AcknowledgmentsPosted()
    for ack in batch:
        if ack.event_id not in recorded:
            posted.outcomes.append("unknown")  # a claim this biller never sent
        elif ack.accepted:
            posted.outcomes.append("accepted")
        elif recorded[ack.event_id]:
            posted.outcomes.append("rejected")
            posted.rejected.append(ack)
        else:
            posted.outcomes.append("not_standing")  # seen before, or a submission since replaced
    return posted
