"""What the payer knows of the claims a 276 asks about (by patient control number = claim id):
its standing adjudication and the remittance that carries it, else the front end's answer."""

from __future__ import annotations

import asyncpg

from payer_sim.domain.claim_status import ClaimState


async def states_of(conn: asyncpg.Connection, payer_id: str, claim_ids: list[str]) -> dict[str, ClaimState]:
    states: dict[str, ClaimState] = {}
    for r in await conn.fetch(
        """SELECT a.claim_id, a.claim_status_code, a.payer_claim_control_number, m.remittance
           FROM payer_sim.adjudications a JOIN payer_sim.remittances m ON m.remittance_event_id = a.answer_event_id
           WHERE a.payer_id = $1 AND a.claim_id = ANY($2::text[]) AND a.active""",
        payer_id,
        claim_ids,
    ):
        remittance = r["remittance"]
        paid = int(remittance["paid_cents"])
        denied = r["claim_status_code"] == "4" or paid == 0
        states[r["claim_id"]] = ClaimState(
            "F2" if denied else "F1", "88" if denied else "65", None, int(remittance["total_charge_cents"]), paid,
            None, r["payer_claim_control_number"],
        )  # fmt: skip
    for r in await conn.fetch(
        """SELECT DISTINCT ON (claim_id) claim_id, accepted, acknowledgment FROM payer_sim.acknowledgments
           WHERE payer_id = $1 AND claim_id = ANY($2::text[]) ORDER BY claim_id, created_at DESC""",
        payer_id,
        [c for c in claim_ids if c not in states],
    ):
        ack = r["acknowledgment"]
        status = ack.get("claim_status") or {"category": "A3", "code": "21", "entity": None}
        charge = int(ack["total_charge_cents"])
        if r["accepted"]:  # accepted into adjudication, no answer yet
            states[r["claim_id"]] = ClaimState(
                "P1", "20", None, charge, None, None, ack.get("payer_claim_control_number")
            )
        else:
            states[r["claim_id"]] = ClaimState(status["category"], status["code"], status.get("entity"), charge)
    return states
