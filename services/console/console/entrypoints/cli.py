"""The console's `rcm` verb, over its own tables only: `rcm kpis`."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from typing import Any

import typer

from console import bootstrap
from console.domain.kpis import AGING_BUCKETS
from console.entrypoints.format import FIGURES, figure, money
from console.service_layer import reports
from shared.cli.output import print_json, print_table


def register(app: typer.Typer) -> None:
    app.command("kpis")(kpis)


def _day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter("a date as YYYY-MM-DD", param_hint=option) from None


def kpis(
    by: str | None = typer.Option(None, "--by", help="payer or provider"),
    since: str | None = typer.Option(None, "--from", help="first day of claims submitted (default: 90 days back)"),
    until: str | None = typer.Option(None, "--to", help="last day (default: today)"),
    as_json: bool = typer.Option(False, "--json", help="machine-readable"),
) -> None:
    """The revenue-cycle figures as HFMA MAP Keys define them (docs/kpis.md)."""
    if by not in (None, "payer", "provider"):
        raise typer.BadParameter("payer or provider", param_hint="--by")
    start, end = reports.period(_day(since, "--from"), _day(until, "--to"), datetime.now(UTC).date())
    report = asyncio.run(_report(start, end, by))
    if as_json:
        print_json(report)
        return
    groups: dict[str, Any] = report["groups"]
    names = ["all", *groups]
    values = [report["total"], *groups.values()]
    print_table(
        f"Revenue-cycle figures, claims submitted {report['from']} to {report['to']}",
        ["figure", *names],
        [[label, *(figure(v[key], kind) for v in values)] for key, label, kind in FIGURES],
        right=names,
    )
    aging = report["total"]["ar_aging"]
    buckets = [name for name, _, _ in AGING_BUCKETS]
    print_table(
        "A/R aging by payer (days since service)",
        ["payer", *buckets],
        [[payer, *(money(row[b]) for b in buckets)] for payer, row in aging.items()],
        right=buckets,
    )
    carcs = report["total"]["denials_by_carc"]
    print_table("Initial denials by CARC", ["CARC", "claims"], [[c, n] for c, n in carcs.items()], right=["claims"])


async def _report(start: date, end: date, by: Any) -> dict[str, Any]:
    pool = await bootstrap.database.pool()
    try:
        async with pool.acquire() as conn:
            return await reports.kpi_report(conn, start, end, by)
    finally:
        await bootstrap.database.close()
