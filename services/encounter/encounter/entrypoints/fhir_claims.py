"""FHIR Claim and ClaimResponse lookups by the visit's identifier (issue 12): a sender asks what
became of its visit the FHIR way. `GET /fhir/Claim?identifier=…|_id=…`, `GET /fhir/Claim/{id}`,
`GET /fhir/ClaimResponse?request=Claim/{id}|identifier=…|_id=…`, `GET /fhir/ClaimResponse/{id}`.

The same rules as GET /visits/{id}: the `visits.read` scope, a sender sees only its facilities'
claims (others' are simply not found), every read is on the access log (with the patients of the
claims shown) before it is answered, and no input gets a 5xx: a bad parameter is a 400
OperationOutcome, Postgres away a 503 one."""

from __future__ import annotations

import logging
from typing import Any

import faust
from faust.web import Request, Response, View

from encounter.adapters import claim_views
from encounter.adapters.claim_views import FoundClaim
from encounter.domain.fhir_claim import claim_resource, claim_response_resource
from encounter.domain.fhir_search import FHIR_ID, SearchRefused, operation_outcome, parse_query, searchset, visit_note
from encounter.entrypoints.intake import Intake
from encounter.entrypoints.security import FrontDoor, may_read_visit
from shared.security import access_log
from shared.security.guard import Denied, outcome_denial
from shared.security.policy import Principal

log = logging.getLogger(__name__)

FHIR_JSON = "application/fhir+json"


def _resources(resource_type: str, found: list[FoundClaim]) -> list[dict[str, Any]]:
    if resource_type == "Claim":
        return [claim_resource(f.claim) for f in found]
    return [claim_response_resource(f.claim, f.remittance, f.state, f.reason) for f in found]


def add_fhir_claim_views(app: faust.App, intake: Intake, door: FrontDoor) -> None:
    def answer(view: View, body: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None) -> Response:
        return view.json(body, status=status, content_type=FHIR_JSON, headers=headers)

    async def lookup(
        view: View, request: Request, resource_type: str, params: dict[str, list[str]], read_id: str | None
    ) -> Response:
        try:
            principal = await door.guard.check(request, "visits.read")  # type: ignore[arg-type]  # aiohttp's
        except Denied as exc:
            return outcome_denial(view, exc)
        try:
            if read_id is not None and not FHIR_ID.match(read_id):
                raise SearchRefused(404, "not-found", f"no {resource_type} with this id")
            query = parse_query(resource_type, params)
            pool = await intake.boot.db.pool()
            async with pool.acquire() as conn:
                found = [
                    f for f in await claim_views.find_claims(conn, query) if may_read_visit(principal, f.npi, f.tin)
                ]
                visit = await claim_views.visit_facility(conn, query.visit_id) if query.visit_id else None
            if visit is not None and not may_read_visit(principal, visit.npi, visit.tin):
                visit = None
            if read_id is not None and not found:
                raise SearchRefused(404, "not-found", f"no {resource_type} with this id")
            resources = _resources(resource_type, found)
            await _record(door, principal, resource_type, found, query.visit_id, read_id is not None)
        except SearchRefused as exc:
            return answer(view, exc.outcome(), exc.status)
        except Exception as exc:  # Postgres away (or the access log cannot record): nothing shown, retry
            log.warning("FHIR %s lookup failed: %s", resource_type, type(exc).__name__)
            unavailable = operation_outcome("error", "transient", "claims cannot be read right now; retry shortly")
            return answer(view, unavailable, 503, {"Retry-After": "5"})
        if read_id is not None:
            return answer(view, resources[0])
        note = None
        if query.visit_id is not None:
            note = visit_note(
                query.visit_id, visit.state if visit else None, visit.reason if visit else None, len(found)
            )
        base = f"{request.url.origin()}/fhir"
        return answer(view, searchset(base, str(request.url), resources, note))

    @app.page("/fhir/Claim")
    class ClaimSearch(View):
        async def get(self, request: Request) -> Response:
            return await lookup(self, request, "Claim", params_of(request), None)

    @app.page("/fhir/Claim/{claim_id}")
    class ClaimRead(View):
        async def get(self, request: Request, claim_id: str) -> Response:
            return await lookup(self, request, "Claim", {"_id": [claim_id], **_refuse_params(request)}, claim_id)

    @app.page("/fhir/ClaimResponse")
    class ClaimResponseSearch(View):
        async def get(self, request: Request) -> Response:
            return await lookup(self, request, "ClaimResponse", params_of(request), None)

    @app.page("/fhir/ClaimResponse/{claim_id}")
    class ClaimResponseRead(View):
        async def get(self, request: Request, claim_id: str) -> Response:
            params = {"_id": [claim_id], **_refuse_params(request)}
            return await lookup(self, request, "ClaimResponse", params, claim_id)


def params_of(request: Request) -> dict[str, list[str]]:
    """Every value of every parameter (a repeated one is refused, not silently cut to one)."""
    query: Any = request.query  # aiohttp's MultiDictProxy; faust types it as a Mapping
    return {name: list(query.getall(name)) for name in query}


def _refuse_params(request: Request) -> dict[str, list[str]]:
    """A read takes no search parameters: any given is passed on to be refused by name."""
    return {name: values for name, values in params_of(request).items() if name != "_id"}


async def _record(
    door: FrontDoor, principal: Principal, resource_type: str, found: list[FoundClaim], visit_id: str | None, read: bool
) -> None:
    """On the access log before the answer: who read which patients' claims."""
    what = f"GET /fhir/{resource_type}" + ("/{id}" if read else "")
    patients = sorted({f.claim["patient_id"] for f in found})
    detail = {"claims": ",".join(f.claim["claim_id"] for f in found)[:500], "count": str(len(found))}
    if visit_id is not None:
        detail["visit_id"] = visit_id
    pool = await door.boot.db.pool()
    await access_log.record(
        pool, access_log.Access.by(principal, "encounter", access_log.READ, what, patients, **detail)
    )
