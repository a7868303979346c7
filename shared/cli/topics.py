"""Commands over the topics themselves, read with aiokafka consumers without a group (the
services' groups are never disturbed): `rcm replay`, `rcm reprocess`, `rcm audit visit`.
`read_range` is also how services' commands read recorded events (`rcm recode`, `rcm rebuild`)."""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import typer
from rich.console import Console

from shared import db, kafka
from shared.cli.output import print_table, progress_bar, subgroup
from shared.plugins import hooks
from shared.schemas import CLAIMS, CODED_ENCOUNTERS, CODING_REVIEW, REMITTANCES, VISITS
from shared.security import session
from shared.topic_reader import Record, parse_time, partition_of, read_range

console = Console(stderr=True)
STORY_TOPICS = (VISITS, CODED_ENCOUNTERS, CODING_REVIEW, CLAIMS, REMITTANCES)


# --- rcm replay ---------------------------------------------------------------------------------


def replay(
    topic: str = typer.Argument(..., help="e.g. visits, claims, remittances, visits.dlq"),
    start: str = typer.Option(..., "--from", help="ISO time or date, or an age such as 6h or 2d"),
    end: str | None = typer.Option(None, "--to"),
    out: Path = typer.Option(..., "--out", help="NDJSON file to write"),
) -> None:
    """The events of a time range as NDJSON: topic, partition, offset, time, key, headers, event."""

    async def run() -> int:
        count = 0
        with out.open("wb") as fh, progress_bar() as progress:
            async for record in read_range(
                topic, parse_time(start), parse_time(end) if end else None, progress=progress
            ):
                fh.write(orjson.dumps(record.as_json()) + b"\n")
                count += 1
        return count

    console.print(f"{asyncio.run(run())} events written to {out}")


# --- rcm audit visit ----------------------------------------------------------------------------


def summary(record: Record, event: dict) -> str:
    if record.topic == VISITS:
        v = event.get("visit", {})
        return f"visit {v.get('visit_type')} {v.get('service_date')}, {len(v.get('diagnoses', []))} dx"
    if record.topic == CODED_ENCOUNTERS:
        dx = ",".join(d["code"] for d in event.get("diagnoses", []))
        lines = ",".join(
            ln["procedure_code"] + "".join("-" + m for m in ln["modifiers"]) for ln in event.get("service_lines", [])
        )
        return f"coded by {event.get('coded_by')} {event.get('coder_version')}: {dx} | {lines}"
    if record.topic == CODING_REVIEW:
        return "to review: " + "; ".join(r["code"] for r in event.get("reasons", []))
    if record.topic == CLAIMS:
        return (
            f"claim {event.get('claim_id')} freq {event.get('frequency_code')} to {event.get('payer_id')}, "
            f"${event.get('total_charge_cents', 0) / 100:,.2f}"
        )
    if record.topic == REMITTANCES:
        paid, patient = event.get("paid_cents", 0) / 100, event.get("patient_responsibility_cents", 0) / 100
        return (
            f"CLP02 {event.get('claim_status_code')} {event.get('payer_claim_control_number')}: "
            f"paid ${paid:,.2f}, patient ${patient:,.2f}"
        )
    return ""


async def visit_story(visit_id: str, since: datetime | None = None) -> tuple[list[tuple[Record, dict]], dict]:
    """Every event of one visit across the topics, and what each service holds about it
    (`rcmflow.visit_story` hooks; one may name the patient and when the visit arrived, which
    narrows the search to the patient's partition)."""
    state: dict = {}
    conn = await db.connect(db.reporting_url())  # read-only
    try:
        for _, story in hooks("visit_story"):
            state.update(await story(conn, visit_id))
    finally:
        await conn.close()
    partitions = None
    start = since
    patient_id, received_at = state.pop("patient_id", None), state.pop("received_at", None)
    if patient_id is not None:
        async with kafka.consuming() as consumer:
            count = len(await kafka.partitions_of(consumer, VISITS))
        partitions = {partition_of(patient_id, count)}  # keyed by patient: one partition per topic
        if received_at is not None:
            start = start or received_at - timedelta(minutes=10)
    events = []
    for topic in STORY_TOPICS:
        async for record in read_range(topic, start, only_partitions=partitions):
            event = record.event()
            if event is not None and event.get("visit_id") == visit_id:
                events.append((record, event))
    events.sort(key=lambda pair: pair[0].timestamp)
    return events, state


def audit_visit(
    visit_id: str = typer.Argument(...),
    since: str | None = typer.Option(None, "--from", help="where to start looking when the ledger does not know it"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """A visit's whole story: each event with topic, partition, offset, time, producer and version,
    then the ledger's state of its claim and postings. Needs the biller or auditor role (rcm login)."""
    person = session.require("audit.read")
    events, state = asyncio.run(visit_story(visit_id, parse_time(since) if since else None))
    patients = {str(e["patient_id"]) for _, e in events if isinstance(e, dict) and e.get("patient_id")}
    session.recorded(person, "rcm", "rcm audit visit", patients, visit_id=visit_id)
    if as_json:
        story = [{**r.as_json(), "summary": summary(r, e)} for r, e in events]
        typer.echo(
            orjson.dumps(
                {"visit_id": visit_id, "events": story, "ledger": state}, option=orjson.OPT_INDENT_2, default=str
            ).decode()
        )
        return
    rows = [
        (
            record.timestamp.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3],
            record.topic,
            record.partition,
            record.offset,
            event.get("producer", {}).get("service", ""),
            event.get("producer", {}).get("version", ""),
            summary(record, event),
        )
        for record, event in events
    ]
    print_table(
        f"visit {visit_id}: {len(events)} events",
        ("time", "topic", "partition", "offset", "producer", "version", "what"),
        rows,
    )
    out = Console(width=10_000) if not sys.stdout.isatty() else Console()  # whole lines in a file
    for claim in state.get("claims", []):
        amounts = ", ".join(
            f"{name} ${claim[key] / 100:,.2f}"
            for name, key in (
                ("billed", "total_charge_cents"),
                ("paid", "paid_cents"),
                ("patient", "patient_responsibility_cents"),
                ("adjusted", "adjustment_cents"),
            )
        )
        out.print(f"claim {claim['claim_id']} ({claim['payer_id']}): {claim['status']}, {amounts}")
    for h in state.get("history", []):
        out.print(f"  {h['changed_at']:%Y-%m-%d %H:%M:%S} {h['status']}{' — ' + h['reason'] if h['reason'] else ''}")
    if not events:
        raise typer.Exit(1)


# --- rcm reprocess ------------------------------------------------------------------------------


async def reprocess_range(topic: str, start: datetime, end: datetime | None, into: str | None) -> int:
    """Put recorded events back on a topic (the same, or `into`) so its stage processes them again."""
    producer = kafka.make_producer()
    await producer.start()
    count = 0
    stamp = datetime.now(UTC).isoformat().encode()
    try:
        pending = []
        with progress_bar() as progress:
            async for record in read_range(topic, start, end, progress=progress):
                headers = [(k, v) for k, v in record.headers if k != "rcm-reprocessed"] + [("rcm-reprocessed", stamp)]
                pending.append(await producer.send(into or topic, record.value, key=record.key, headers=headers))
                count += 1
        await asyncio.gather(*pending)
    finally:
        await producer.stop()
    return count


def reprocess(
    topic: str = typer.Argument(..., help="the topic whose events go through their stage again"),
    start: str = typer.Option(..., "--from"),
    end: str | None = typer.Option(None, "--to"),
    into: str | None = typer.Option(None, "--into", help="another topic, e.g. from visits.dlq back into visits"),
) -> None:
    """Push recorded events through a stage again; idempotent effects mean nothing is billed or posted twice."""
    count = asyncio.run(reprocess_range(topic, parse_time(start), parse_time(end) if end else None, into))
    console.print(f"{count} events put back on {into or topic}")


def register(app: typer.Typer) -> None:
    audit_app = subgroup(app, "audit", "the story of one visit across the topics and the services")
    audit_app.command("visit")(audit_visit)
    app.command("replay")(replay)
    app.command("reprocess")(reprocess)
