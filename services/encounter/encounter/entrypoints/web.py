"""The encounter's web views: POST /visits (JSON), /fhir (FHIR R4 Bundle), /hl7v2 (one HL7 v2
message); GET /visits/{visit_id} (where a visit stands); /health. Thin: read, parse off the loop,
accept, answer. No input gets a 5xx; 503 means "retry" (busy, or Postgres away)."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

import faust
from aiohttp import web
from faust.web import Request, Response, View

from encounter.adapters import claim_views, repository
from encounter.bootstrap import SERVICE
from encounter.domain.fhir_in import OperationOutcomeError, parse_bundle
from encounter.domain.hl7_in import Hl7Message, ack
from encounter.domain.intake import FieldError, IntakeRejected, parse_visits
from encounter.entrypoints.intake import Intake, Refused, count
from encounter.entrypoints.security import FrontDoor, facility_refusal, hl7_refusal, may_read_visit
from shared.schemas import Visit
from shared.security import access_log
from shared.security.guard import Denied, json_denial, outcome_denial
from shared.security.policy import Principal

log = logging.getLogger(__name__)

VISIT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:\-]{0,63}$")  # shared.schemas.common.IdStr


def _errors(errors: list[FieldError]) -> dict[str, Any]:
    return {"errors": [{"field": e.field, "message": e.message} for e in errors]}


def add_views(app: faust.App, intake: Intake, door: FrontDoor) -> None:
    async def accepted(view: View, visits: list[Visit], channel: str, principal: Principal) -> Response:
        """202 with the visit ids: the ones accepted now, and the ones accepted before (duplicates)."""
        refusal = facility_refusal(principal, visits)
        if refusal is not None:
            raise refusal
        result = await intake.accept(visits, channel)
        try:
            await door.record(principal, access_log.CREATE, f"POST {channel} visits", visits)
        except Exception as exc:  # accepted already; the sender is told, the operator warned
            log.error("access log could not record an intake: %s", type(exc).__name__)
        body = {"accepted": result.accepted, "duplicates": result.duplicates,
                "visit_ids": [v.visit_id for v in visits]}  # fmt: skip
        return view.json(body, status=202)

    async def take(
        view: View,
        request: Request,
        parse: Callable[..., list[Visit]],
        channel: str,
        refused: Callable[[IntakeRejected], Response],
        *args: Any,
        denied: Callable[[View, Denied], Response] = json_denial,
    ) -> Response:
        try:
            principal = await door.guard.check(request, "visits.write")  # type: ignore[arg-type]  # aiohttp's
            body = await intake.read_body(request)  # type: ignore[arg-type]  # faust's Request is aiohttp's
            visits = await intake.off_loop(parse, body, *args)
            return await accepted(view, visits, channel, principal)
        except Denied as exc:
            count("refused")
            return denied(view, exc)
        except IntakeRejected as exc:
            count("rejected")
            return refused(exc)
        except Refused as exc:
            count("refused")
            return refused(IntakeRejected([FieldError("body", exc.message)], exc.status))
        except Exception as exc:  # input no rule foresaw: refused, and logged by kind only
            log.warning("%s request could not be read: %s", channel, type(exc).__name__)
            count("rejected")
            return refused(IntakeRejected([FieldError("body", f"could not be read ({type(exc).__name__})")], 400))

    @app.page("/visits")
    class VisitsView(View):
        async def post(self, request: Request) -> Response:
            return await take(
                self, request, parse_visits, "json", lambda e: self.json(_errors(e.errors), status=e.status)
            )

    @app.page("/visits/{visit_id}")
    class VisitStateView(View):
        """Where a visit stands: accepted, in_review, coded, billed, paid, denied, or failed (with the reason)."""

        async def get(self, request: Request, visit_id: str) -> Response:
            try:
                principal = await door.guard.check(request, "visits.read")  # type: ignore[arg-type]  # aiohttp's
            except Denied as exc:
                return json_denial(self, exc)
            if not VISIT_ID.match(visit_id):
                return self.json({"error": "not a visit id"}, status=404)
            try:
                pool = await intake.boot.db.pool()
                async with pool.acquire() as conn:
                    state = await repository.visit_state(conn, visit_id)
                    facility = await claim_views.visit_facility(conn, visit_id) if state else None
                if facility is not None and not may_read_visit(principal, facility.npi, facility.tin):
                    state = None  # another sender's visit: not found, as if it did not exist
                await door.record(principal, access_log.READ, "GET /visits/{visit_id}", [], visit_id=visit_id)
            except Exception as exc:  # Postgres away: the sender may ask again
                log.warning("visit state lookup failed: %s", type(exc).__name__)
                return self.json({"error": "visit states cannot be read right now; retry shortly"}, status=503)
            if state is None:
                return self.json({"visit_id": visit_id, "error": "no visit with this id"}, status=404)
            return self.json(state)

    @app.page("/fhir")
    class FhirView(View):
        """FHIR R4 Bundle (transaction or collection): one visit per Encounter."""

        async def post(self, request: Request) -> Response:
            def outcome(exc: IntakeRejected) -> Response:
                rejected = (
                    exc if isinstance(exc, OperationOutcomeError) else OperationOutcomeError(exc.errors, exc.status)
                )
                return self.json(rejected.outcome(), status=rejected.status)

            return await take(self, request, parse_bundle, "fhir", outcome, intake.boot.payers, denied=outcome_denial)

    @app.page("/hl7v2")
    class Hl7View(View):
        """One HL7 v2 message (ADT^A03 or DFT^P03) in the body; the ACK in the answer."""

        async def post(self, request: Request) -> Response:
            try:
                principal = await door.guard.check(request, "visits.write")  # type: ignore[arg-type]  # aiohttp's
                body = await intake.read_body(request)  # type: ignore[arg-type]  # faust's Request is aiohttp's
            except Denied as exc:  # an AR, so an HL7 engine reads it as a refusal not to resend
                reply = ack("", "AR", "", exc.reason, [exc.reason])
                return self.bytes(reply.encode(), content_type="application/hl7-v2", status=exc.status,
                                  headers=exc.headers())  # fmt: skip
            except Refused as exc:
                return self.json(_errors([FieldError("body", exc.message)]), status=exc.status)

            async def authorise(message: Hl7Message) -> str | None:
                return hl7_refusal(principal, message)

            async def recorded(message: Hl7Message) -> None:
                await door.record(principal, access_log.CREATE, "POST hl7v2 visits", message.visits)

            reply, status = await intake.receive_hl7(body.decode(errors="replace"), authorise, recorded)
            return self.bytes(reply.encode(), content_type="application/hl7-v2", status=status)

    @app.page("/health")
    class HealthView(View):
        async def get(self, request: Request) -> Response:
            return self.json({"service": SERVICE, "status": "ok"})


@web.middleware
async def no_tracebacks(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Last line of defence: an error no view caught is answered without its text and logged by
    kind only (a traceback's message can quote request values)."""
    try:
        return await handler(request)
    except web.HTTPException:
        raise
    except Exception as exc:
        log.error("unhandled %s on %s %s", type(exc).__name__, request.method, request.path)
        return web.json_response({"error": "internal error"}, status=500)
