"""What the biller's use cases need from storage, as protocols: the Postgres repositories
(biller.adapters) and the in-memory fakes of the unit tests both fit them."""

from __future__ import annotations

from typing import Protocol

from biller.domain.denial_work import StandingClaim, Work
from biller.domain.model import BillingDecision, Posting
from shared.schemas import ClaimSubmitted, CodedEncounter, Envelope, RemittanceIssued

# A posting to record: the remittance, what it does to the claim, and the replacement claim
# (with the reason) when the biller corrects a denial by itself.
PostingToRecord = tuple[RemittanceIssued, Posting, tuple[ClaimSubmitted, str] | None]


class Claims(Protocol):
    async def record_decisions(self, items: list[tuple[CodedEncounter, BillingDecision]]) -> list[list[ClaimSubmitted]]:
        """Store what each encounter became; per item, the claims to send (for an encounter billed
        before: the claims stored then, so a redelivery re-sends the same claims)."""
        ...

    async def find_claims(self, patient_control_numbers: list[str]) -> dict[str, tuple[ClaimSubmitted, int]]:
        """The claims as last submitted, with how many automatic corrections each has had."""
        ...


class Postings(Protocol):
    async def record_postings(
        self, postings: list[PostingToRecord], exceptions: list[tuple[RemittanceIssued, str]]
    ) -> list[tuple[bool, list[ClaimSubmitted]]]:
        """Post each remittance once and keep the exceptions; per posting, whether it was new and
        the corrected claims to send (for a redelivered remittance: the ones it caused before)."""
        ...


class DenialWorkStore(Protocol):
    async def standing(self, claim_id: str) -> StandingClaim | None:
        """The claim as it stands, locked until the unit of work ends."""
        ...

    async def record(self, work: Work, claim_event_id: object) -> None:
        """Book a person's action on a denied claim (WorkRefused if it was already taken)."""
        ...


class BillerWork(Protocol):
    """The unit of work as the handlers see it (read-only members: a repository class fits)."""

    @property
    def claims(self) -> Claims: ...

    @property
    def postings(self) -> Postings: ...

    @property
    def denial_work(self) -> DenialWorkStore: ...

    def emit(self, topic: str, event: Envelope) -> None: ...
