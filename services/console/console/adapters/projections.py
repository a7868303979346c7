"""The write side of the console's read models: one statement per table per batch, every row
idempotent (a redelivered event writes nothing new)."""

from __future__ import annotations

from typing import Any

import asyncpg

from console.domain.remittance import Outcome, is_denial
from shared.schemas import (
    Adjustment,
    ClaimSubmitted,
    CodedEncounter,
    CodingReviewRequested,
    DenialWorked,
    RemittanceIssued,
    Visit,
)


def _encounter_row(visit: Visit, received_at: Any) -> tuple[Any, ...]:
    return (
        visit.visit_id,
        visit.patient.id,
        f"{visit.patient.last_name}, {visit.patient.first_name}",
        visit.provider.npi,
        f"{visit.provider.last_name}, {visit.provider.first_name}",
        visit.coverage.payer_id if visit.coverage else "self-pay",
        visit.service_date,
        received_at,
    )


ENCOUNTER_INSERT = """INSERT INTO console.encounters (visit_id, patient_id, patient_name, provider_npi, provider_name,
    payer_id, service_date, received_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (visit_id) DO NOTHING"""


WORKED_STATUS = {"correct": "corrected by a person", "write_off": "written off", "appeal": "appealed"}


class ProjectionRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def coded(self, events: list[CodedEncounter]) -> None:
        await self.conn.executemany(ENCOUNTER_INSERT, [_encounter_row(e.visit, e.received_at) for e in events])
        await self.conn.executemany(
            # a person's coding carries the visit's times, so it is timed when read here
            """UPDATE console.encounters SET coded_by = $3, coder_version = $4,
                   coded_at = CASE WHEN $3 = 'engine' THEN $2 ELSE now() END
               WHERE visit_id = $1 AND (coded_at IS NULL OR coded_by = 'engine' AND $3 = 'person')""",
            [(e.visit_id, e.occurred_at, e.coded_by, e.coder_version) for e in events],
        )
        # a person's coding closes the mirrored review item
        people = [e.visit_id for e in events if e.coded_by == "person"]
        if people:
            await self.conn.execute(
                "UPDATE console.review_queue SET closed_at = now() WHERE visit_id = ANY($1) AND closed_at IS NULL",
                people,
            )

    async def review_requested(self, events: list[CodingReviewRequested]) -> None:
        await self.conn.executemany(ENCOUNTER_INSERT, [_encounter_row(e.visit, e.received_at) for e in events])
        await self.conn.executemany(
            """UPDATE console.encounters SET review_requested_at = coalesce(review_requested_at, $2)
               WHERE visit_id = $1""",
            [(e.visit_id, e.occurred_at) for e in events],
        )
        await self.conn.executemany(
            """INSERT INTO console.review_queue (visit_id, requested_at, coder_version, reasons, visit, draft)
               VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (visit_id) DO NOTHING""",
            [
                (
                    e.visit_id,
                    e.occurred_at,
                    e.coder_version,
                    [r.model_dump(mode="json") for r in e.reasons],
                    e.visit.model_dump(mode="json"),
                    {
                        "diagnoses": [d.model_dump(mode="json") for d in e.draft_diagnoses],
                        "service_lines": [ln.model_dump(mode="json") for ln in e.draft_service_lines],
                    },
                )
                for e in events
            ],
        )

    async def claims(self, events: list[ClaimSubmitted]) -> None:
        await self.conn.executemany(
            """INSERT INTO console.claims (claim_id, visit_id, patient_id, patient_name, payer_id, provider_npi,
                   provider_name, service_date, submitted_at, frequency_code, total_charge_cents, resubmitted, x12_837)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $10 = '7', $12)
               ON CONFLICT (claim_id) DO UPDATE SET resubmitted = console.claims.resubmitted OR excluded.resubmitted,
                   x12_837 = coalesce(excluded.x12_837, console.claims.x12_837)""",
            [
                (
                    c.claim_id,
                    c.visit_id,
                    c.patient_id,
                    f"{c.patient.last_name}, {c.patient.first_name}",
                    c.payer_id,
                    c.rendering_provider.npi,
                    f"{c.rendering_provider.last_name}, {c.rendering_provider.first_name}",
                    c.service_date,
                    c.occurred_at,
                    c.frequency_code,
                    c.total_charge_cents,
                    c.x12_837,
                )
                for c in events
            ],
        )
        await self.conn.executemany(
            """INSERT INTO console.claim_lines (claim_id, line_number, line_control_number, procedure_code, modifiers,
                   units, charge_cents, diagnosis_pointers) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
               ON CONFLICT (claim_id, line_number) DO UPDATE SET procedure_code = excluded.procedure_code,
                   modifiers = excluded.modifiers, units = excluded.units, charge_cents = excluded.charge_cents,
                   diagnosis_pointers = excluded.diagnosis_pointers""",
            [
                (
                    c.claim_id,
                    ln.line_number,
                    ln.line_control_number,
                    ln.procedure_code,
                    ln.modifiers,
                    ln.units,
                    ln.charge_cents,
                    ln.diagnosis_pointers,
                )
                for c in events
                for ln in c.service_lines
            ],
        )
        await self.history(
            [
                (
                    c.event_id,
                    c.claim_id,
                    c.occurred_at,
                    "submitted" if c.frequency_code == "1" else "resubmitted",
                    f"837P frequency {c.frequency_code} to {c.payer_id}, charge {c.total_charge_cents}",
                )
                for c in events
            ]
        )

    async def remittances(self, events: list[tuple[RemittanceIssued, Outcome]]) -> None:
        await self.conn.executemany(
            """INSERT INTO console.remittances (event_id, claim_id, occurred_at, adjudicated_on, frequency_code,
                   claim_status_code, status, denied, denial_carcs, paid_cents, contractual_cents, written_off_cents,
                   patient_cents, lines) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
               ON CONFLICT (event_id) DO NOTHING""",
            [
                (
                    r.event_id,
                    r.claim_id,
                    r.occurred_at,
                    r.adjudicated_on,
                    r.frequency_code,
                    r.claim_status_code,
                    o.status,
                    o.denied,
                    sorted({a.carc for _, a in o.denials}),
                    o.paid_cents,
                    o.contractual_cents,
                    o.written_off_cents,
                    o.patient_cents,
                    [ln.model_dump(mode="json") for ln in r.service_lines],
                )
                for r, o in events
            ],
        )
        rows = []
        for r, _ in events:
            pairs: list[tuple[str | None, Adjustment]] = [(None, a) for a in r.claim_adjustments]
            pairs += [(ln.line_control_number, a) for ln in r.service_lines for a in ln.adjustments]
            rows += [(r.event_id, n, r.claim_id, line, a.group, a.carc, a.rarc, a.amount_cents, r.adjudicated_on,
                      is_denial(a)) for n, (line, a) in enumerate(pairs)]  # fmt: skip
        await self.conn.executemany(
            """INSERT INTO console.adjustments (event_id, n, claim_id, line_control_number, grp, carc, rarc,
                   amount_cents, adjudicated_on, denial) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
               ON CONFLICT (event_id, n) DO NOTHING""",
            rows,
        )
        await self.history(
            [
                (
                    r.event_id,
                    r.claim_id,
                    r.occurred_at,
                    o.status,
                    f"835 CLP02 {r.claim_status_code}: paid {r.paid_cents}, patient {r.patient_responsibility_cents}",
                )
                for r, o in events
            ]
        )

    async def denial_work(self, events: list[DenialWorked]) -> None:
        await self.conn.executemany(
            """INSERT INTO console.denial_work (event_id, claim_id, at, action, worked_by, reason, denied_cents,
                   written_off_cents) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (event_id) DO NOTHING""",
            [
                (
                    w.event_id,
                    w.claim_id,
                    w.occurred_at,
                    w.action,
                    w.worked_by,
                    w.reason,
                    w.denied_cents,
                    w.written_off_cents,
                )
                for w in events
            ],
        )
        await self.history(
            [
                (w.event_id, w.claim_id, w.occurred_at, WORKED_STATUS[w.action], f"{w.worked_by}: {w.reason}")
                for w in events
            ]
        )

    async def history(self, rows: list[tuple[Any, ...]]) -> None:
        await self.conn.executemany(
            """INSERT INTO console.claim_history (event_id, claim_id, at, status, detail) VALUES ($1, $2, $3, $4, $5)
               ON CONFLICT (event_id) DO NOTHING""",
            rows,
        )

    async def dead_letter(self, topic: str, partition: int, offset: int, error: str, service: str) -> None:
        await self.conn.execute(
            """INSERT INTO console.dead_letters (topic, part, "offset", error, service) VALUES ($1, $2, $3, $4, $5)
               ON CONFLICT DO NOTHING""",
            topic,
            partition,
            offset,
            error,
            service,
        )
