"""Working denials over HTTP: POST /claims/{claim_id}/denial-work takes a person's action on a
denied claim (biller.domain.denial_work.DenialWork): correct and resubmit, write off, or appeal.

202 with the action's event id once it is booked and on the broker; 422 for a request that
cannot be taken (naming the field), 404 for an unknown claim, 409 when the claim has nothing
open to work or the action was already taken, 503 with Retry-After while Postgres or Kafka is
away. Nothing here logs request values: they may hold patient data."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime

import faust
from faust.web import Request, Response, View

from biller import bootstrap
from biller.domain.denial_work import DenialWork, ValidationError, WorkRefused
from biller.service_layer import handlers
from shared import metrics
from shared.outages import Outage
from shared.schemas import DENIAL_WORK
from shared.streaming import TRANSIENT_ERRORS, FaustPublisher

log = logging.getLogger(__name__)
CLAIM_ID = re.compile(r"^[A-Za-z0-9]{1,38}$")  # CLM01 as the biller makes it (shared.ids)
PUBLISH_TIMEOUT_SECONDS = 30.0
RETRY_AFTER_SECONDS = 5


def error(view: View, status: int, field: str, message: str, **headers: str) -> Response:
    return view.json({"errors": [{"field": field, "message": message}]}, status=status, headers=headers or None)


def register(app: faust.App) -> None:
    publisher = FaustPublisher(app)
    away = Outage("denial work: database or broker")

    @app.page("/claims/{claim_id}/denial-work")
    class DenialWorkView(View):
        async def post(self, request: Request, claim_id: str) -> Response:
            if not CLAIM_ID.fullmatch(claim_id):
                return error(self, 422, "claim_id", "a claim id (CLM01): letters and digits, 38 at most")
            try:
                work_request = DenialWork.model_validate_json(await request.read())
            except ValidationError as exc:
                errors = [{"field": ".".join(str(p) for p in e["loc"]) or "body", "message": e["msg"]}
                          for e in exc.errors(include_input=False)]  # fmt: skip
                return self.json({"errors": errors}, status=422)
            try:
                make_uow = await bootstrap.unit_of_work()
                async with make_uow() as uow:
                    work = await handlers.work_denial(
                        claim_id, work_request, uow, bootstrap.reference(), datetime.now(UTC)
                    )
                    # on the broker before the commit: a request is not redelivered
                    await publisher.publish_acknowledged(uow.events, PUBLISH_TIMEOUT_SECONDS)
                    await uow.commit()
            except WorkRefused as refused:
                return error(self, refused.status, refused.field, refused.message)
            except Exception as exc:
                if isinstance(exc, TRANSIENT_ERRORS):
                    away.failed(exc)
                    return error(self, 503, "service", "the biller's database or broker is unavailable; try again",
                                 **{"Retry-After": str(RETRY_AFTER_SECONDS)})  # fmt: skip
                log.error("denial work failed: %s", type(exc).__name__)  # the kind only: its text may quote the claim
                return error(self, 500, "service", "internal error")
            away.over()
            metrics.events_total.labels(service=bootstrap.SERVICE, topic=DENIAL_WORK, outcome=work.worked.action).inc()
            body = {"claim_id": claim_id, "action": work.worked.action, "event_id": str(work.worked.event_id)}
            if work.replacement is not None:
                body["replacement_claim_event_id"] = str(work.replacement.event_id)
            return self.json(body, status=202)
