"""`rcm publish`: synthetic visits (or visits from a file) onto `visits`, and the wait until
every one has come out the other end."""

from __future__ import annotations

import asyncio
import contextlib
import time
from datetime import date
from pathlib import Path

import orjson
import typer
from aiokafka.errors import KafkaError
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bench.synthetic import VisitFactory
from shared import db
from shared.cli.output import console
from shared.cli.status import print_status, read_status
from shared.kafka import KafkaPublisher
from shared.plugins import exactly, hooks, prefixed
from shared.schemas import VISITS, Producer, Visit, VisitReceived
from shared.schemas.common import utcnow
from shared.settings import get_settings
from shared.unit_of_work import Outgoing

PRODUCER = Producer(service="rcm-cli")
CHUNK = 500  # events handed to the producer at once


def load_visits(path: Path) -> list[Visit]:
    """A JSON array of visits, or one visit per line (NDJSON)."""
    text = path.read_bytes()
    items = (
        orjson.loads(text)
        if text.lstrip().startswith(b"[")
        else [orjson.loads(ln) for ln in text.splitlines() if ln.strip()]
    )
    return [Visit.model_validate(item) for item in items]


async def publish_visits(
    visits: list[Visit], rate: float | None, progress: Progress | None = None, ack_timeout: float | None = None
) -> None:
    """At `rate` visits/s (as fast as possible when None), in chunks the producer batches; a
    chunk the broker has not acknowledged within `ack_timeout` seconds raises TimeoutError."""
    publisher = KafkaPublisher()
    try:
        await asyncio.wait_for(publisher.__aenter__(), ack_timeout)  # reaching the broker at all
        task = progress.add_task("publishing", total=len(visits)) if progress else None
        started = time.perf_counter()
        step = max(1, int(rate // 20)) if rate else CHUNK  # ~20 chunks a second when paced
        for first in range(0, len(visits), step):
            chunk = visits[first : first + step]
            events = [Outgoing(VISITS, VisitReceived.of(v, utcnow(), PRODUCER)) for v in chunk]
            await asyncio.wait_for(publisher.publish(events), ack_timeout)
            done = first + len(chunk)
            if rate:
                ahead = done / rate - (time.perf_counter() - started)
                if ahead > 0:
                    await asyncio.sleep(ahead)
            if progress and task is not None:
                progress.update(task, completed=done)
    finally:
        # stopping flushes what is buffered: bounded too, a broker that is away would hold it forever
        with contextlib.suppress(Exception):
            await asyncio.wait_for(publisher.__aexit__(None, None, None), ack_timeout)


async def finished(conn: object, scope: list[str]) -> int:
    """Visits in scope that came out the other end (to review, self-pay, not billable, remitted)."""
    total = 0
    for _, status_of in hooks("status"):
        total += sum(r.value for r in await status_of(conn, scope) if r.finished)
    return total


async def already_finished(scope: list[str]) -> int:
    conn = await db.connect()
    try:
        return await finished(conn, scope)
    finally:
        await conn.close()


async def wait_finished(scope: list[str], total: int, timeout: float) -> bool:
    conn = await db.connect()
    try:
        with Progress(
            TextColumn("[bold]waiting for remittances"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        ) as progress:
            task = progress.add_task("wait", total=total)
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                done = await finished(conn, scope)
                progress.update(task, completed=done)
                if done >= total:
                    return True
                await asyncio.sleep(0.5)
        return False
    finally:
        await conn.close()


def publish(
    count: int = typer.Option(100, "--count", "-n", help="how many synthetic visits"),
    rate: float = typer.Option(0, "--rate", help="visits per second (0: as fast as possible)"),
    seed: int | None = typer.Option(None, "--seed", help="same seed, same visits"),
    as_of: str | None = typer.Option(None, "--as-of", help="date the synthetic visits are relative to (default today)"),
    self_pay_rate: float = typer.Option(0.0, "--self-pay-rate", help="share of patients without coverage"),
    file: Path | None = typer.Option(None, "--file", help="publish visits from a JSON array or NDJSON file instead"),
    wait: bool = typer.Option(False, "--wait", help="wait until every visit is remitted and posted, then summarise"),
    timeout: float = typer.Option(600, "--timeout", help="seconds to wait with --wait"),
    kafka_timeout: float = typer.Option(
        30, "--kafka-timeout", help="give up when Kafka has not acknowledged for this many seconds"
    ),
) -> None:
    """Publish visits to the `visits` topic (synthetic by default)."""
    if file:
        visits = load_visits(file)
        scope = exactly([v.visit_id for v in visits])
        console.print(f"publishing {len(visits)} visits from {file}")
    else:
        factory = VisitFactory(
            seed=seed, as_of=date.fromisoformat(as_of) if as_of else None, self_pay_rate=self_pay_rate
        )
        visits = list(factory.visits(count))
        scope = prefixed(f"V-{factory.token}-")
        console.print(f"publishing {count} synthetic visits (batch {factory.token})")
    with Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), console=console
    ) as progress:
        try:
            asyncio.run(publish_visits(visits, rate or None, progress, ack_timeout=kafka_timeout))
        except (TimeoutError, KafkaError, OSError) as exc:
            sent = int(progress.tasks[0].completed) if progress.tasks else 0
            progress.stop()
            console.print(
                f"[red]Kafka at {get_settings().kafka_bootstrap_servers} is not answering ({type(exc).__name__}; "
                f"gave up within {kafka_timeout:.0f} s): {sent} of {len(visits)} visits are published, "
                "the rest are not. Publishing the same visits again is safe (a visit's event id is fixed by "
                "its id; the stages skip what they have seen).[/red]"
            )
            raise typer.Exit(1) from None
    if not wait:
        return
    ok = asyncio.run(wait_finished(scope, len(visits), timeout))
    print_status(asyncio.run(read_status(scope)), title=f"this batch of {len(visits)} visits")
    if not ok:
        console.print(f"[red]timed out after {timeout:.0f}s with visits still in flight[/red]")
        raise typer.Exit(1)
