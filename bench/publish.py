"""`rcm publish`: synthetic visits (or visits from a file) through the intake (POST /visits, as
the demo sender), and the wait until every one has come out the other end."""

from __future__ import annotations

import asyncio
import time
from datetime import date
from pathlib import Path

import aiohttp
import orjson
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bench.synthetic import VisitFactory
from shared import db, tls
from shared.cli.output import console
from shared.cli.status import print_status, read_status
from shared.plugins import exactly, hooks, prefixed
from shared.schemas import Visit
from shared.security.credentials import ClientCredentials, TokenCache, TokenRefused
from shared.settings import get_settings

REQUEST_VISITS = 100  # visits in one POST /visits
SENDERS = 4  # requests in flight at once


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
    """POST the visits to the encounter's intake as the demo sender (docs/security.md) at `rate`
    visits/s (as fast as possible when None), REQUEST_VISITS to a request, SENDERS at once. A
    request not answered within `ack_timeout` seconds raises TimeoutError; 429 and 503 are waited
    out (Retry-After) and sent again: the intake accepts a visit id once."""
    tokens = TokenCache(ClientCredentials.read())
    url = intake_url()
    task = progress.add_task("publishing", total=len(visits)) if progress else None
    started = time.perf_counter()
    done = 0
    chunks = asyncio.Queue[list[Visit]]()
    for first in range(0, len(visits), REQUEST_VISITS):
        chunks.put_nowait(visits[first : first + REQUEST_VISITS])

    async def sender(session: aiohttp.ClientSession) -> None:
        nonlocal done
        while not chunks.empty():
            chunk = chunks.get_nowait()
            body = orjson.dumps([v.model_dump(mode="json") for v in chunk])
            while True:
                headers = {"content-type": "application/json", **await asyncio.to_thread(tokens.headers)}
                async with session.post(url, data=body, headers=headers) as answer:
                    if answer.status in (429, 503):
                        await asyncio.sleep(float(answer.headers.get("Retry-After", "1")))
                        continue
                    if answer.status != 202:
                        raise IntakeRefused(f"intake answered {answer.status}: {(await answer.text())[:300]}")
                    break
            done += len(chunk)
            if rate:
                ahead = done / rate - (time.perf_counter() - started)
                if ahead > 0:
                    await asyncio.sleep(ahead)
            if progress and task is not None:
                progress.update(task, completed=done)

    timeout = aiohttp.ClientTimeout(total=ack_timeout)
    connector = aiohttp.TCPConnector(ssl=tls.http_verify())  # the local CA (shared/tls.py)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        await asyncio.gather(*(sender(session) for _ in range(1 if rate else SENDERS)))


class IntakeRefused(Exception):
    pass


def intake_url(path: str = "/visits") -> str:
    s = get_settings()
    return tls.url(s.encounter_port, path, host=s.web_host)


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
    """Send visits to the intake as the demo sender (synthetic by default); they go on to `visits`."""
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
        except (TimeoutError, aiohttp.ClientError, OSError, IntakeRefused, TokenRefused) as exc:
            sent = int(progress.tasks[0].completed) if progress.tasks else 0
            progress.stop()
            console.print(
                f"[red]The intake at {intake_url()} did not take them ({type(exc).__name__}: {exc}; "
                f"gave up within {kafka_timeout:.0f} s): {sent} of {len(visits)} visits are accepted, "
                "the rest are not. Publishing the same visits again is safe (the intake accepts a visit id "
                "once).[/red]"
            )
            raise typer.Exit(1) from None
    if not wait:
        return
    ok = asyncio.run(wait_finished(scope, len(visits), timeout))
    print_status(asyncio.run(read_status(scope)), title=f"this batch of {len(visits)} visits")
    if not ok:
        console.print(f"[red]timed out after {timeout:.0f}s with visits still in flight[/red]")
        raise typer.Exit(1)
