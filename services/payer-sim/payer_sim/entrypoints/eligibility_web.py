"""POST /x12/270?payer=ID: the payer's real-time eligibility answer (each simulated payer has its
own endpoint: ?payer= names it, as rcmflow knows it). The body is a 270 005010X279A1 interchange,
the answer a 271 (text/plain). Nothing here logs request values (patient data)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import faust
from faust.web import Request, Response, View

from payer_sim import bootstrap
from payer_sim.adapters.eligibility import benefits_of
from payer_sim.domain.eligibility import answer_271, read_270
from shared import x12


def register(app: faust.App) -> None:
    @app.page("/x12/270")
    class Eligibility(View):
        async def post(self, request: Request) -> Response:
            text = (await request.read()).decode("utf-8", errors="replace")
            try:
                received = read_270(text)
            except (ValueError, IndexError):
                return self.json({"error": "not a 270 the payer can read"}, status=422)
            reference = bootstrap.reference()
            payer = request.query.get("payer", "")
            pool = await bootstrap.database.pool()
            async with pool.acquire() as conn:
                benefits = await benefits_of(conn, payer, received, reference)
            number = uuid.uuid4().int % x12.MAX_CONTROL_NUMBER + 1
            answer = answer_271(received, reference.payers.get(payer), benefits, number, datetime.now(UTC))
            return self.text(answer, content_type="text/plain")
