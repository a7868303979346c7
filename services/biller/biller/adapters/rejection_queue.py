"""Closing items of the rejected work queue (biller.front_end_rejections): a corrected submission
of the claim that the payer's front end accepted closes them, and so does a person's write-off of
a claim that will not be sent again (POST /claims/{claim_id}/denial-work, action write_off, which
`rcm rebuild` replays from topic denial-work). Closed items stay, with when and by what they closed."""

from __future__ import annotations

import asyncpg

from biller.adapters.posting_repository import columns
from shared.schemas import ClaimAcknowledged

ACCEPTED_RESUBMISSION = "accepted resubmission"


async def close_on_accepted(conn: asyncpg.Connection, accepted: list[ClaimAcknowledged]) -> int:
    """Close the open items of each claim whose later submission was accepted; how many closed."""
    if not accepted:
        return 0
    found = await conn.fetch(
        """UPDATE biller.front_end_rejections r SET status = 'closed', closed_at = now(), closed_by = $3
           FROM unnest($1::text[], $2::uuid[]) AS a(c, e)
           WHERE r.claim_id = a.c AND r.claim_event_id <> a.e AND r.status = 'open' RETURNING r.id""",
        *columns([(a.claim_id, a.claim_event_id) for a in accepted], 2),
        ACCEPTED_RESUBMISSION,
    )
    return len(found)


async def close_on_write_off(conn: asyncpg.Connection, claim_id: str, person: str) -> int:
    """A person wrote the claim off (denial work, action write_off): its open items close."""
    closed = await conn.fetch(
        """UPDATE biller.front_end_rejections SET status = 'closed', closed_at = now(), closed_by = $2
           WHERE claim_id = $1 AND status = 'open' RETURNING id""",
        claim_id,
        f"write-off by {person}",
    )
    return len(closed)
