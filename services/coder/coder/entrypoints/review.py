"""The review queue over HTTP: GET /review lists the encounters the engine would not code alone
(`?limit=` 1 to 500, oldest first; `?visit_id=` one visit's item), POST /review/{visit_id} takes
a person's codes for one of them.

While Postgres (or, for a decision, Kafka) is away both answer 503 with a short JSON error and
Retry-After; nothing here ever logs request values (they hold patient data)."""

from __future__ import annotations

import logging
import re
from typing import Any

import faust
from faust.web import Request, Response, View

from coder import bootstrap
from coder.adapters.repository import EncounterRepository
from coder.domain.review import ReviewDecision, ValidationError
from coder.service_layer import handlers
from shared import metrics
from shared.outages import Outage
from shared.schemas import CODING_REVIEW, CodedEncounter
from shared.streaming import TRANSIENT_ERRORS, FaustPublisher

log = logging.getLogger(__name__)
DEFAULT_LIMIT, MAX_LIMIT = 100, 500
VISIT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:\-]{0,63}$")  # shared.schemas.common.IdStr
VISIT_ID_RULE = "a visit id: a letter or digit, then letters, digits and . _ : - (64 at most)"
# Kafka's acknowledgement of a decision is awaited this long before the person is told to retry.
PUBLISH_TIMEOUT_SECONDS = 30.0
RETRY_AFTER_SECONDS = 5


def parse_limit(text: str | None) -> int | None:
    """`limit` of GET /review: a whole number from 1 to MAX_LIMIT (DEFAULT_LIMIT when absent)."""
    if text is None:
        return DEFAULT_LIMIT
    if not re.fullmatch(r"[0-9]{1,4}", text.strip()):
        return None
    value = int(text)
    return value if 1 <= value <= MAX_LIMIT else None


def error(view: View, status: int, field: str, message: str, **headers: str) -> Response:
    return view.json({"errors": [{"field": field, "message": message}]}, status=status, headers=headers or None)


def register(app: faust.App, suffix: str) -> None:
    """Add the review views to the coder's app; decisions go to coded-encounters<suffix>."""
    database_away = Outage("review views: database or broker")

    def failed(view: View, exc: Exception) -> Response:
        if isinstance(exc, TRANSIENT_ERRORS):
            database_away.failed(exc)
            return error(view, 503, "service", "the coder's database or broker is unavailable; try again shortly",
                         **{"Retry-After": str(RETRY_AFTER_SECONDS)})  # fmt: skip
        # only the kind of error: its text, and a traceback's, may quote the visit
        log.error("review view failed: %s", type(exc).__name__)
        return error(view, 500, "service", "internal error")

    publisher = FaustPublisher(app)

    async def decide(visit_id: str, decision: ReviewDecision) -> CodedEncounter | None:
        make_uow = await bootstrap.unit_of_work()
        async with make_uow() as uow:
            coded = await handlers.decide_review(visit_id, decision, uow)
            # published before the commit, unlike a batch of visits: an HTTP request is not
            # redelivered, so a decision must be on the topic before its item can close
            await publisher.publish_acknowledged(uow.events, PUBLISH_TIMEOUT_SECONDS, suffix)
            await uow.commit()
        return coded

    @app.page("/review")
    class ReviewQueue(View):
        """Open review items: the visit, why the engine would not code it, and its suggestions."""

        async def get(self, request: Request) -> Response:
            limit = parse_limit(request.query.get("limit"))
            if limit is None:
                return error(self, 422, "limit", f"a whole number from 1 to {MAX_LIMIT}")
            visit_id = request.query.get("visit_id")
            if visit_id is not None and not VISIT_ID.fullmatch(visit_id):
                return error(self, 422, "visit_id", VISIT_ID_RULE)
            try:
                items = await EncounterRepository(await bootstrap.database.pool()).open_reviews(limit, visit_id)
            except Exception as exc:
                return failed(self, exc)
            database_away.over()
            return self.json({"open": len(items), "items": [_item(i) for i in items]})

    @app.page("/review/{visit_id}")
    class ReviewDecisionView(View):
        """A person's codes for one open item: validated as the engine's are, then sent on as coded by a person."""

        async def post(self, request: Request, visit_id: str) -> Response:
            if not VISIT_ID.fullmatch(visit_id):
                return error(self, 422, "visit_id", VISIT_ID_RULE)
            try:
                decision = ReviewDecision.model_validate_json(await request.read())
            except ValidationError as exc:
                errors = [{"field": ".".join(str(p) for p in e["loc"]) or "body", "message": e["msg"]}
                          for e in exc.errors(include_input=False)]  # fmt: skip
                return self.json({"errors": errors}, status=422)
            try:
                coded = await decide(visit_id, decision)
            except Exception as exc:
                return failed(self, exc)
            database_away.over()
            if coded is None:
                return error(self, 404, "visit_id", "no open review item")
            metrics.events_total.labels(service=bootstrap.SERVICE, topic=CODING_REVIEW, outcome="reviewed").inc()
            return self.json({"visit_id": visit_id, "event_id": str(coded.event_id), "coded_by": "person"}, status=202)


def _item(row: dict[str, Any]) -> dict[str, Any]:
    return {"visit_id": row["visit_id"], "coder_version": row["coder_version"], "since": row["coded_at"].isoformat(),
            "reasons": row["result"]["reasons"], "visit": row["result"]["visit"]}  # fmt: skip
