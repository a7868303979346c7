"""The console as a faust app: agents project the topics into its own tables; the pages
(entrypoints.web) read them and act through the owning services' HTTP APIs. Listens on this
machine only until the security work gives it log-ins and roles."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import faust
from prometheus_client import Gauge

from console import bootstrap
from console.service_layer import handlers, reports
from shared.outages import guarded_timer
from shared.pipeline import stage
from shared.schemas import (
    CLAIMS,
    CODED_ENCOUNTERS,
    CODING_REVIEW,
    DENIAL_WORK,
    REMITTANCES,
    ClaimSubmitted,
    CodedEncounter,
    CodingReviewRequested,
    DenialWorked,
    RemittanceIssued,
    dlq_topic,
)
from shared.streaming import make_app, raw_topic, run_stage, run_worker
from shared.unit_of_work import DiscardingPublisher, run_in_unit_of_work

SERVICE = bootstrap.SERVICE
app = make_app(SERVICE, bootstrap.web_port())
app.conf.web_bind = bootstrap.bind_host()
publisher = DiscardingPublisher()  # the console produces nothing

kpi_gauge = Gauge("rcm_kpi", "Revenue-cycle figures over the last 90 days (HFMA MAP Keys)", ["kpi", "payer"])
ar_aging_gauge = Gauge("rcm_ar_aging_dollars", "Open A/R by payer and age bucket", ["payer", "bucket"])


def _agent(topic: str, model: Any, handler: Any) -> None:
    async def project(stream: faust.StreamT) -> None:
        async def batch(events: list[Any]) -> list[str]:
            return await run_in_unit_of_work(
                await bootstrap.unit_of_work(), lambda uow: handler(events, uow), publisher
            )

        await run_stage(app, SERVICE, stream, model, batch)

    project.__name__ = f"project_{topic.replace('-', '_')}"
    app.agent(raw_topic(app, topic), name=f"console.project.{topic}", concurrency=1)(project)


_agent(CODED_ENCOUNTERS, CodedEncounter, handlers.project_coded)
_agent(CODING_REVIEW, CodingReviewRequested, handlers.project_reviews)
_agent(CLAIMS, ClaimSubmitted, handlers.project_claims)
_agent(REMITTANCES, RemittanceIssued, handlers.project_remittances)
_agent(DENIAL_WORK, DenialWorked, handlers.project_denial_work)

DEAD_LETTER_TOPICS = [dlq_topic(t) for t in stage(SERVICE).consumes if not t.endswith(".dlq")]


@app.agent(app.topic(*DEAD_LETTER_TOPICS, key_type=bytes, value_type=bytes, key_serializer="raw",
                     value_serializer="raw"), name="console.dead_letters")  # fmt: skip
async def dead_letters(stream: faust.StreamT) -> None:
    """Count what stages could not read, by topic, from the headers dead_letter() writes (never the value)."""
    from console.adapters.projections import ProjectionRepository

    async for event in stream.events():
        headers = {k: v.decode(errors="replace") for k, v in (event.message.headers or [])}
        pool = await bootstrap.database.pool()
        async with pool.acquire() as conn:
            await ProjectionRepository(conn).dead_letter(
                event.message.topic, event.message.partition, event.message.offset,
                headers.get("rcm-error-type", "?"), headers.get("rcm-service", "?"),
            )  # fmt: skip


async def export_kpis() -> None:
    pool = await bootstrap.database.pool()
    since, until = reports.period(None, None, datetime.now(UTC).date())
    async with pool.acquire() as conn:
        report = await reports.kpi_report(conn, since, until, "payer")
    for payer, figures in [("all", report["total"]), *report["groups"].items()]:
        for key, value in figures.items():
            if isinstance(value, int | float) and not isinstance(value, bool):
                kpi_gauge.labels(kpi=key, payer=payer).set(value)
    for payer, row in report["total"]["ar_aging"].items():
        for bucket, cents in row.items():
            ar_aging_gauge.labels(payer=payer, bucket=bucket).set(cents / 100)


guarded_timer(app, 30.0, export_kpis)


def main() -> None:
    from console.entrypoints import web

    web.register(app)
    run_worker(app)


if __name__ == "__main__":
    main()
