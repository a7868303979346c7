"""The encounter as the front door (docs/security.md): the token endpoint and the JWKS, and the
intake's authorisation rules — a sender submits only for the facilities it is registered for; an
HL7 sender only as the MSH-4 it is bound to (over MLLP, which carries no token, the MSH-4 names
the registered sender, and its facilities and rate apply)."""

from __future__ import annotations

import logging

import faust
from faust.web import Request, Response, View

from encounter.bootstrap import SERVICE, Bootstrap
from encounter.domain.hl7_in import Hl7Message
from shared.schemas import Visit
from shared.security import access_log, issuer, store
from shared.security.access_log import Access
from shared.security.guard import Denied, Guard
from shared.security.policy import Principal

log = logging.getLogger(__name__)


def facility_refusal(principal: Principal, visits: list[Visit]) -> Denied | None:
    """403 when any visit bills under a facility (NPI or TIN) the sender is not registered for."""
    for index, visit in enumerate(visits):
        if not principal.may_submit_for(visit.facility.npi, visit.facility.tax_id):
            return Denied(403, f"visit {index + 1}: this client is not registered to submit for its billing "
                               "facility (NPI/TIN)")  # fmt: skip
    return None


def may_read_visit(principal: Principal, npi: str | None, tin: str | None) -> bool:
    """A sender reads back only its facilities' visits (NPI or TIN, as it submits); people with
    visits.read (coders, billers, auditors) read any. A visit whose facility is not known (accepted
    before facilities were kept, or never through intake) shows its state, which holds no patient
    data; its claims always name their facility."""
    if principal.kind != "client" or npi is None or tin is None:
        return True
    return principal.may_submit_for(npi, tin)


def hl7_refusal(principal: Principal | None, message: Hl7Message) -> str | None:
    """Why an HL7 message is refused (an AR), or None. `principal` None: no sender is bound to its MSH-4."""
    if principal is None or not principal.sends_as(message.sending_facility):
        return "MSH-4 sending facility is not bound to this sender (see docs/security.md)"
    denied = facility_refusal(principal, message.visits)
    return denied.reason if denied else None


class FrontDoor:
    def __init__(self, boot: Bootstrap) -> None:
        self.boot = boot
        self.guard = Guard(boot.db.pool)

    async def record(self, principal: Principal, action: str, what: str, visits: list[Visit], **detail: str) -> None:
        pool = await self.boot.db.pool()
        patients = [v.patient.id for v in visits]
        await access_log.record(pool, Access.by(principal, SERVICE, action, what, patients, **detail))

    async def mllp_sender(self, message: Hl7Message) -> str | None:
        """The MLLP rule: the MSH-4 must name one registered sender, within its facilities and rate."""
        async with (await self.boot.db.pool()).acquire() as conn:
            sender = await store.hl7_sender(conn, message.sending_facility)
        refusal = hl7_refusal(sender, message)
        if refusal is None and sender is not None:
            try:
                self.guard.limit(sender)
            except Denied as exc:
                return exc.reason
        return refusal


def add_oauth_views(app: faust.App, door: FrontDoor) -> None:
    @app.page(issuer.TOKEN_PATH)
    class TokenView(View):
        """OAuth 2.0 client credentials with a signed JWT assertion (SMART Backend Services)."""

        async def post(self, request: Request) -> Response:
            form = {k: str(v) for k, v in (await request.post()).items()}
            own_url = str(request.url.with_query(None))
            audiences = [own_url, own_url.replace("127.0.0.1", "localhost"), own_url.replace("localhost", "127.0.0.1")]
            try:
                async with (await door.boot.db.pool()).acquire() as conn:
                    answer = await issuer.client_credentials(conn, form, audiences)
            except issuer.OAuthError as exc:
                headers = {"WWW-Authenticate": 'Bearer realm="rcmflow"'} if exc.status == 401 else None
                return self.json(exc.body, status=exc.status, headers=headers)
            return self.json(answer, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})

    @app.page(issuer.JWKS_PATH)
    class JwksView(View):
        """The issuer's public keys: any service (or anyone) may verify an access token with them."""

        async def get(self, request: Request) -> Response:
            async with (await door.boot.db.pool()).acquire() as conn:
                return self.json(await issuer.jwks(conn))
