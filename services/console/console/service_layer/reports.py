"""The revenue-cycle figures for a period, whole or by payer or provider: one function for
`rcm kpis`, the dashboard and the Prometheus gauges, so all three show the same numbers."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, timedelta
from typing import Any, Literal

import asyncpg

from console.adapters import queries
from console.domain import kpis

Grouping = Literal["payer", "provider"]


def period(since: date | None, until: date | None, today: date) -> tuple[date, date]:
    """Default: the last 90 days up to today (the usual window for average daily revenue)."""
    until = until or today
    return since or until - timedelta(days=89), until


async def kpi_report(
    conn: asyncpg.Connection, since: date, until: date, by: Grouping | None = None, as_of: date | None = None
) -> dict[str, Any]:
    claims = await queries.claim_facts(conn, since, until)
    encounters = await queries.encounter_facts(conn, since, until)
    days = (until - since).days + 1
    as_of = as_of or until
    report: dict[str, Any] = {
        "from": since.isoformat(),
        "to": until.isoformat(),
        "period_days": days,
        "total": asdict(kpis.compute(claims, encounters, as_of, days)),
    }
    if by == "payer":
        groups = kpis.by(lambda c: c.payer_id, claims, encounters, lambda e: e.payer_id, as_of, days)
    elif by == "provider":
        groups = kpis.by(lambda c: c.provider, claims, encounters, lambda e: e.provider, as_of, days)
    else:
        groups = {}
    report["by"] = by
    report["groups"] = {name: asdict(k) for name, k in groups.items()}
    return report


async def daily_series(conn: asyncpg.Connection, since: date, until: date, by: Grouping | None) -> dict[str, Any]:
    """Each day's figures (claims submitted that day) for the dashboard's charts."""
    claims = await queries.claim_facts(conn, since, until)
    encounters = await queries.encounter_facts(conn, since, until)
    series: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    day = since
    while day <= until:
        today = [c for c in claims if c.submitted_on == day]
        coded = [e for e in encounters if e.coded_at is not None and e.coded_at.date() == day]
        if today or coded:
            if by is None:
                groups = {"all": kpis.compute(today, coded, day, 1)}
            elif by == "payer":
                groups = kpis.by(lambda c: c.payer_id, today, coded, lambda e: e.payer_id, day, 1)
            else:
                groups = kpis.by(lambda c: c.provider, today, coded, lambda e: e.provider, day, 1)
            for name, k in groups.items():
                series.setdefault(name, []).append((day.isoformat(), asdict(k)))
        day += timedelta(days=1)
    return series
