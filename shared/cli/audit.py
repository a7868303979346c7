"""Replay and audit, read straight from the topics with aiokafka (consumers without a group, so
the services' groups are never disturbed): `rcm replay`, `rcm audit visit`, `rcm recode`,
`rcm rebuild --verify`, `rcm reprocess`."""

from __future__ import annotations

import asyncio
import base64
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import typer
from aiokafka.partitioner import murmur2
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from shared import db, kafka
from shared.plugins import hooks
from shared.schemas import CLAIMS, CODED_ENCOUNTERS, CODING_REVIEW, REMITTANCES, VISITS

console = Console(stderr=True)
STORY_TOPICS = (VISITS, CODED_ENCOUNTERS, CODING_REVIEW, CLAIMS, REMITTANCES)


def parse_time(text: str) -> datetime:
    """An ISO date or time (UTC unless it says otherwise), or an age such as 30m, 6h, 2d ago."""
    match = re.fullmatch(r"(\d+)([smhd])", text.strip())
    if match:
        seconds = {"s": 1, "m": 60, "h": 3600, "d": 86400}[match.group(2)] * int(match.group(1))
        return datetime.now(UTC) - timedelta(seconds=seconds)
    when = datetime.fromisoformat(text)
    return when if when.tzinfo else when.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Record:
    topic: str
    partition: int
    offset: int
    timestamp: datetime
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...]

    def event(self) -> dict | None:
        try:
            parsed = orjson.loads(self.value or b"")
        except orjson.JSONDecodeError:
            return None
        return parsed if isinstance(parsed, dict) else None

    def as_json(self) -> dict:
        event = self.event()
        return {
            "topic": self.topic,
            "partition": self.partition,
            "offset": self.offset,
            "timestamp": self.timestamp.isoformat(),
            "key": (self.key or b"").decode(errors="replace"),
            "headers": {k: v.decode(errors="replace") for k, v in self.headers},
            **({"event": event} if event is not None else {"raw_base64": base64.b64encode(self.value or b"").decode()}),
        }


def partition_of(key: str, partitions: int) -> int:
    """Kafka's default partitioner (murmur2 of the key): where a patient's events live."""
    return (murmur2(key.encode()) & 0x7FFFFFFF) % partitions


async def read_range(
    topic: str,
    start: datetime | None,
    end: datetime | None = None,
    only_partitions: set[int] | None = None,
    progress: Progress | None = None,
) -> AsyncIterator[Record]:
    """Every record of `topic` written from `start` (the beginning if None) up to `end` (or up
    to what is there now), partition by partition."""
    async with kafka.consuming() as consumer:
        partitions = [tp for tp in await kafka.partitions_of(consumer, topic)
                      if only_partitions is None or tp.partition in only_partitions]  # fmt: skip
        ends = await consumer.end_offsets(partitions)
        starts = await consumer.beginning_offsets(partitions)
        if start is not None:
            found = await consumer.offsets_for_times({tp: int(start.timestamp() * 1000) for tp in partitions})
            starts = {tp: (found[tp].offset if found[tp] else ends[tp]) for tp in partitions}
        if end is not None:
            found = await consumer.offsets_for_times({tp: int(end.timestamp() * 1000) for tp in partitions})
            ends = {tp: (found[tp].offset if found[tp] else ends[tp]) for tp in partitions}
        todo = {tp: (starts[tp], ends[tp]) for tp in partitions if starts[tp] < ends[tp]}
        task = progress.add_task(topic, total=sum(b - a for a, b in todo.values())) if progress else None
        for tp, (first, stop) in sorted(todo.items(), key=lambda item: item[0].partition):
            consumer.assign([tp])
            consumer.seek(tp, first)
            position = first
            while position < stop:
                batch = await consumer.getmany(tp, timeout_ms=1000, max_records=2000)
                for record in batch.get(tp, []):
                    if record.offset >= stop:
                        position = stop
                        break
                    position = record.offset + 1
                    yield Record(topic, record.partition, record.offset,
                                 datetime.fromtimestamp(record.timestamp / 1000, UTC), record.key, record.value,
                                 tuple(record.headers))  # fmt: skip
                if progress is not None and task is not None:
                    progress.update(task, advance=len(batch.get(tp, [])))


def progress_bar() -> Progress:
    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), console=console)


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
            async for record in read_range(topic, parse_time(start), parse_time(end) if end else None,
                                           progress=progress):  # fmt: skip
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
        lines = ",".join(ln["procedure_code"] + "".join("-" + m for m in ln["modifiers"])
                         for ln in event.get("service_lines", []))  # fmt: skip
        return f"coded by {event.get('coded_by')} {event.get('coder_version')}: {dx} | {lines}"
    if record.topic == CODING_REVIEW:
        return "to review: " + "; ".join(r["code"] for r in event.get("reasons", []))
    if record.topic == CLAIMS:
        return (f"claim {event.get('claim_id')} freq {event.get('frequency_code')} to {event.get('payer_id')}, "
                f"${event.get('total_charge_cents', 0) / 100:,.2f}")  # fmt: skip
    if record.topic == REMITTANCES:
        paid, patient = event.get("paid_cents", 0) / 100, event.get("patient_responsibility_cents", 0) / 100
        return (f"CLP02 {event.get('claim_status_code')} {event.get('payer_claim_control_number')}: "
                f"paid ${paid:,.2f}, patient ${patient:,.2f}")  # fmt: skip
    return ""


async def visit_story(visit_id: str, since: datetime | None = None) -> tuple[list[tuple[Record, dict]], dict]:
    """Every event of one visit across the topics, and the ledger's state of it."""
    conn = await db.connect()
    try:
        row = await conn.fetchrow(
            """SELECT patient_id, received_at FROM coder.encounters WHERE visit_id = $1
               UNION ALL SELECT patient_id, received_at FROM encounter.accepted_visits WHERE visit_id = $1 LIMIT 1""",
            visit_id,
        )
        state: dict = {}
        for _, story in hooks("visit_story"):  # what each service holds about the visit
            state.update(await story(conn, visit_id))
    finally:
        await conn.close()
    partitions = None
    start = since
    if row is not None:
        async with kafka.consuming() as consumer:
            count = len(await kafka.partitions_of(consumer, VISITS))
        partitions = {partition_of(row["patient_id"], count)}  # keyed by patient: one partition per topic
        start = start or row["received_at"] - timedelta(minutes=10)
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
    then the ledger's state of its claim and postings."""
    from rich.table import Table

    events, state = asyncio.run(visit_story(visit_id, parse_time(since) if since else None))
    if as_json:
        story = [{**r.as_json(), "summary": summary(r, e)} for r, e in events]
        typer.echo(orjson.dumps({"visit_id": visit_id, "events": story, "ledger": state},
                                option=orjson.OPT_INDENT_2, default=str).decode())  # fmt: skip
        return
    out = Console()
    table = Table(title=f"visit {visit_id}: {len(events)} events")
    for column in ("time", "topic", "partition", "offset", "producer", "version", "what"):
        table.add_column(column)
    for record, event in events:
        producer = event.get("producer", {})
        table.add_row(record.timestamp.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3], record.topic, str(record.partition),
                      str(record.offset), producer.get("service", ""), producer.get("version", ""),
                      summary(record, event))  # fmt: skip
    out.print(table)
    for claim in state["claims"]:
        amounts = ", ".join(
            f"{name} ${claim[key] / 100:,.2f}"
            for name, key in (("billed", "total_charge_cents"), ("paid", "paid_cents"),
                              ("patient", "patient_responsibility_cents"), ("adjusted", "adjustment_cents"))
        )  # fmt: skip
        out.print(f"claim {claim['claim_id']} ({claim['payer_id']}): {claim['status']}, {amounts}")
    for h in state["history"]:
        out.print(f"  {h['changed_at']:%Y-%m-%d %H:%M:%S} {h['status']}{' — ' + h['reason'] if h['reason'] else ''}")
    if not events:
        raise typer.Exit(1)


# --- rcm recode ---------------------------------------------------------------------------------


def _codes(coded: dict) -> tuple[tuple[str, ...], tuple[tuple[str, tuple[str, ...], int], ...]]:
    """What a coding decides: diagnoses in order, and lines (code, modifiers, units)."""
    return (
        tuple(d["code"] for d in coded.get("diagnoses", [])),
        tuple((ln["procedure_code"], tuple(ln["modifiers"]), ln["units"]) for ln in coded.get("service_lines", [])),
    )


async def recode_changes(start: datetime, end: datetime | None, tables_dir: Path | None) -> list[dict]:
    """Run today's coder over the visits recorded in a time range; every encounter whose codes
    would change, with old and new codes and versions and the dollar difference at today's prices."""
    from biller.adapters.reference import load_charge_master
    from coder.adapters.reference import DATA_DIR, load_tables
    from coder.domain.coding import code_visit
    from shared.schemas import VisitReceived

    tables = load_tables(tables_dir or DATA_DIR)
    charge_master = load_charge_master()
    visits: dict[str, VisitReceived] = {}
    with progress_bar() as progress:
        async for record in read_range(VISITS, start, end, progress=progress):
            try:
                received = kafka.decode(VisitReceived, record.value)
            except ValueError:
                continue  # not a visit (it went to the dead-letter topic)
            visits.setdefault(received.visit_id, received)
    conn = await db.connect()
    try:
        rows = await conn.fetch(
            "SELECT visit_id, outcome, coder_version, result FROM coder.encounters WHERE visit_id = ANY($1::text[])",
            list(visits),
        )
    finally:
        await conn.close()
    recorded = {r["visit_id"]: r for r in rows}

    def dollars(lines: tuple, facility_npi: str) -> int:
        total = 0
        for code, _, units in lines:
            price = charge_master.price(code, facility_npi)
            total += price.charge_cents * units if price else 0
        return total

    changes = []
    for visit_id, received in visits.items():
        before = recorded.get(visit_id)
        result = code_visit(received.visit, tables)
        now_outcome = "review" if result.needs_review else "coded"
        now_codes = _codes({
            "diagnoses": [d.model_dump() for d in result.diagnoses],
            "service_lines": [ln.model_dump() for ln in result.service_lines],
        }) if not result.needs_review else ((), ())  # fmt: skip
        then_codes = _codes(before["result"]) if before is not None and before["outcome"] == "coded" else ((), ())
        then_outcome = before["outcome"] if before is not None else "not coded"
        if (then_outcome, then_codes) == (now_outcome, now_codes):
            continue
        npi = received.visit.facility.npi
        changes.append({
            "visit_id": visit_id,
            "old_outcome": then_outcome,
            "new_outcome": now_outcome,
            "old_coder_version": before["coder_version"] if before is not None else None,
            "new_coder_version": tables.coder_version,
            "old_diagnoses": list(then_codes[0]),
            "new_diagnoses": list(now_codes[0]),
            "old_lines": ["-".join((c, *m)) + (f" x{u}" if u > 1 else "") for c, m, u in then_codes[1]],
            "new_lines": ["-".join((c, *m)) + (f" x{u}" if u > 1 else "") for c, m, u in now_codes[1]],
            "dollar_difference_cents": dollars(now_codes[1], npi) - dollars(then_codes[1], npi),
        })  # fmt: skip
    return changes


def recode(
    start: str = typer.Option(..., "--from", help="ISO time or date, or an age such as 6h or 2d"),
    end: str | None = typer.Option(None, "--to"),
    tables: Path | None = typer.Option(None, "--tables", help="coder data folder to try instead of today's"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Would today's coder code the recorded visits the same? Lists every encounter that would change."""
    from rich.table import Table

    changes = asyncio.run(recode_changes(parse_time(start), parse_time(end) if end else None, tables))
    if as_json:
        typer.echo(orjson.dumps(changes, option=orjson.OPT_INDENT_2).decode())
        return
    table = Table(title=f"{len(changes)} encounter(s) would be coded differently")
    for column in ("visit", "old codes", "new codes", "old → new coder", "Δ at today's prices"):
        table.add_column(column)
    for c in changes:
        table.add_row(
            c["visit_id"],
            f"{c['old_outcome']}: {' '.join(c['old_diagnoses'])} | {' '.join(c['old_lines'])}",
            f"{c['new_outcome']}: {' '.join(c['new_diagnoses'])} | {' '.join(c['new_lines'])}",
            f"{c['old_coder_version']} → {c['new_coder_version']}",
            f"${c['dollar_difference_cents'] / 100:+,.2f}",
        )
    Console().print(table)


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
    audit_app = typer.Typer(help="the story of one visit across the topics and the ledger", no_args_is_help=True)
    audit_app.command("visit")(audit_visit)
    app.add_typer(audit_app, name="audit")
    app.command("replay")(replay)
    app.command("recode")(recode)
    app.command("reprocess")(reprocess)
