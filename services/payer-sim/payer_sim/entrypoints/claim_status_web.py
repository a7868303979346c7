"""POST /x12/276?payer=ID: the payer's real-time claim status answer (a 277 005010X212 for a 276),
from what it did with each claim. Nothing here logs request values (patient data)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import faust
from faust.web import Request, Response, View

from payer_sim import bootstrap
from payer_sim.adapters.claim_status import states_of
from payer_sim.domain.claim_status import answer_277, read_276
from shared import x12


def register(app: faust.App) -> None:
    @app.page("/x12/276")
    class ClaimStatus(View):
        async def post(self, request: Request) -> Response:
            text = (await request.read()).decode("utf-8", errors="replace")
            try:
                received = read_276(text)
            except (ValueError, IndexError):
                return self.json({"error": "not a 276 the payer can read"}, status=422)
            payer = request.query.get("payer", "")
            pool = await bootstrap.database.pool()
            async with pool.acquire() as conn:
                states = await states_of(conn, payer, [i.patient_control_number for i in received.inquiries])
            number = uuid.uuid4().int % x12.MAX_CONTROL_NUMBER + 1
            terms = bootstrap.reference().payers.get(payer)
            answer = answer_277(received, payer, terms, states, number, datetime.now(UTC))
            return self.text(answer, content_type="text/plain")
