"""`rcm`: the command line of rcmflow (publish visits, read the ledger, benchmark)."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import date
from pathlib import Path

import orjson
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from shared import db, kafka
from shared.cli import audit, bench, export, ledger
from shared.plugins import hooks
from shared.schemas import VISITS, Producer, Visit, VisitReceived
from shared.schemas.common import utcnow
from shared.synthetic import VisitFactory

app = typer.Typer(help="rcmflow: medical billing and coding pipeline", no_args_is_help=True, add_completion=False)
app.add_typer(bench.app, name="bench")
app.add_typer(export.app, name="export")
audit.register(app)
for _, register in hooks("commands"):  # each service's own verbs (shared.plugins)
    register(app)
console = Console()
PRODUCER = Producer(service="rcm-cli")


@app.command()
def init() -> None:
    """Create the database, the topics and every service's tables (safe to run again)."""

    async def run() -> None:
        from shared.migrations import migrate

        created_db = await db.ensure_database()
        created = await kafka.ensure_topics()
        conn = await db.connect()
        try:
            for service, directory in service_migrations().items():
                applied = await migrate(conn, service, directory)
                if applied:
                    console.print(f"migrated {service}: {', '.join(applied)}")
        finally:
            await conn.close()
        console.print(f"database {'created' if created_db else 'present'}; topics created: {created or 'none'}")

    asyncio.run(run())


def service_migrations() -> dict[str, Path]:
    """Each service's migrations, under the name of the Postgres schema it owns."""
    from biller.adapters import MIGRATIONS_DIR as biller
    from coder.adapters import MIGRATIONS_DIR as coder
    from encounter.adapters import MIGRATIONS_DIR as encounter
    from payer_sim.adapters import MIGRATIONS_DIR as payer

    return {"encounter": encounter, "coder": coder, "biller": biller, "payer": payer}


def load_visits(path: Path) -> list[Visit]:
    """A JSON array of visits, or one visit per line (NDJSON)."""
    text = path.read_bytes()
    items = (
        orjson.loads(text)
        if text.lstrip().startswith(b"[")
        else [orjson.loads(ln) for ln in text.splitlines() if ln.strip()]
    )
    return [Visit.model_validate(item) for item in items]


async def publish_visits(visits: list[Visit], rate: float | None, progress: Progress | None = None) -> None:
    producer = kafka.make_producer()
    await producer.start()
    try:
        task = progress.add_task("publishing", total=len(visits)) if progress else None
        started = time.perf_counter()
        pending = []
        for i, visit in enumerate(visits):
            event = VisitReceived.of(visit, utcnow(), PRODUCER)
            pending.append(await producer.send(VISITS, kafka.encode(event), key=event.key))
            if rate:
                ahead = (i + 1) / rate - (time.perf_counter() - started)
                if ahead > 0:
                    await asyncio.sleep(ahead)
            if progress and task is not None and (i % 100 == 99 or i == len(visits) - 1):
                progress.update(task, completed=i + 1)
        await asyncio.gather(*pending)
    finally:
        await producer.stop()


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
                done = await ledger.finished(conn, scope)
                progress.update(task, completed=done)
                if done >= total:
                    return True
                await asyncio.sleep(0.5)
        return False
    finally:
        await conn.close()


@app.command()
def publish(
    count: int = typer.Option(100, "--count", "-n", help="how many synthetic visits"),
    rate: float = typer.Option(0, "--rate", help="visits per second (0: as fast as possible)"),
    seed: int | None = typer.Option(None, "--seed", help="same seed, same visits"),
    as_of: str | None = typer.Option(None, "--as-of", help="date the synthetic visits are relative to (default today)"),
    self_pay_rate: float = typer.Option(0.0, "--self-pay-rate", help="share of patients without coverage"),
    file: Path | None = typer.Option(None, "--file", help="publish visits from a JSON array or NDJSON file instead"),
    wait: bool = typer.Option(False, "--wait", help="wait until every visit is remitted and posted, then summarise"),
    timeout: float = typer.Option(600, "--timeout", help="seconds to wait with --wait"),
) -> None:
    """Publish visits to the `visits` topic (synthetic by default)."""
    if file:
        visits = load_visits(file)
        scope = ledger.exactly([v.visit_id for v in visits])
        console.print(f"publishing {len(visits)} visits from {file}")
    else:
        factory = VisitFactory(
            seed=seed, as_of=date.fromisoformat(as_of) if as_of else None, self_pay_rate=self_pay_rate
        )
        visits = list(factory.visits(count))
        scope = ledger.prefixed(f"V-{factory.token}-")
        console.print(f"publishing {count} synthetic visits (batch {factory.token})")
    with Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), console=console
    ) as progress:
        asyncio.run(publish_visits(visits, rate or None, progress))
    if not wait:
        return
    ok = asyncio.run(wait_finished(scope, len(visits), timeout))
    print_status(asyncio.run(read_status(scope)), title=f"this batch of {len(visits)} visits")
    if not ok:
        console.print(f"[red]timed out after {timeout:.0f}s with visits still in flight[/red]")
        raise typer.Exit(1)


async def read_status(scope: list[str]) -> dict[str, int]:
    conn = await db.connect()
    try:
        return await ledger.status(conn, scope)
    finally:
        await conn.close()


def dollars(cents: int) -> str:
    return f"${cents / 100:,.2f}"


def print_status(s: dict[str, int], title: str = "rcmflow") -> None:
    table = Table(title=f"rcmflow status — {title}", show_header=True)
    table.add_column("step")
    table.add_column("count / amount", justify="right")
    rows = [
        ("visits", s["visits"]), ("coded", s["coded"]), ("to review", s["review"]),
        ("self-pay statements", s["self_pay"]), ("not billable", s["not_billable"]),
        ("claims", s["claims"]), ("awaiting remittance", s["submitted"]), ("remitted", s["remitted"]),
        ("  paid", s["paid"]), ("  partially paid", s["partially_paid"]), ("  denied", s["denied"]),
        ("rejected by scrubber", s["rejected"]), ("remittance exceptions", s["remittance_exceptions"]),
    ]  # fmt: skip
    for name, value in rows:
        table.add_row(name, str(value))
    table.add_section()
    money = [
        ("billed", "billed_cents"),
        ("allowed", "allowed_cents"),
        ("paid", "paid_cents"),
        ("patient responsibility", "patient_cents"),
        ("adjusted (write-offs, denials)", "adjustment_cents"),
    ]
    for name, key in money:
        table.add_row(name, dollars(s[key]))
    console.print(table)


@app.command()
def status(
    as_json: bool = typer.Option(False, "--json", help="machine-readable"),
    batch: str | None = typer.Option(None, "--batch", help="only visits whose id starts with this"),
) -> None:
    """Where every visit stands: coded, claimed, remitted, paid or denied, and the dollars."""
    summary = asyncio.run(read_status(ledger.prefixed(batch)))
    if as_json:
        typer.echo(json.dumps(summary, indent=2))
    else:
        print_status(summary, title=batch or "all visits")


if __name__ == "__main__":
    app()
