"""The coder's part of `rcm` (entry points `rcmflow.commands`, `rcmflow.status`,
`rcmflow.visit_story`): `rcm recode`, and its lines of `rcm status` and `rcm audit visit`.

Only the coder's own table is queried here. Dollars come from whichever package provides the
`rcmflow.pricing` hook (the biller): `price_lines(facility_npi, [(code, modifiers, units)]) -> cents`."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, cast

import asyncpg
import typer

from coder.adapters.repository import EncounterRepository
from shared import db, kafka, plugins
from shared.cli.output import err, print_json, print_table, progress_bar
from shared.plugins import StatusRow
from shared.schemas import VISITS, VisitReceived
from shared.topic_reader import parse_time, read_range

Line = tuple[str, tuple[str, ...], int]  # procedure code, modifiers, units
Codes = tuple[tuple[str, ...], tuple[Line, ...]]  # diagnoses in order, lines
PriceLines = Callable[[str, list[Line]], int]


def _codes(coded: dict[str, Any]) -> Codes:
    """What a coding decides: diagnoses in order, and lines (code, modifiers, units)."""
    return (
        tuple(d["code"] for d in coded.get("diagnoses", [])),
        tuple((ln["procedure_code"], tuple(ln["modifiers"]), ln["units"]) for ln in coded.get("service_lines", [])),
    )


def _lines(lines: tuple[Line, ...]) -> list[str]:
    return ["-".join((c, *m)) + (f" x{u}" if u > 1 else "") for c, m, u in lines]


def pricing() -> PriceLines | None:
    """The installed `rcmflow.pricing` hook, if any (the coder never imports the biller)."""
    found = plugins.hooks("pricing")
    return cast(PriceLines, found[0][1]) if found else None


async def recode_changes(
    start: datetime, end: datetime | None, tables_dir: Path | None, price_lines: PriceLines | None
) -> list[dict[str, Any]]:
    """Run today's coder over the visits recorded in a time range; every encounter whose codes
    would change, with old and new codes and versions and (with pricing installed) the dollar
    difference at today's prices."""
    # imported here: building the ICD-10-CM index takes seconds, and every `rcm` verb loads this module
    from coder.adapters.reference import DATA_DIR, load_tables
    from coder.domain.coding import code_visit

    tables = load_tables(tables_dir or DATA_DIR)
    visits: dict[str, VisitReceived] = {}
    with progress_bar() as progress:
        async for record in read_range(VISITS, start, end, progress=progress):
            try:
                received = kafka.decode(VisitReceived, record.value)
            except ValueError:
                continue  # not a visit (it went to the dead-letter topic)
            visits.setdefault(received.visit_id, received)
    conn = await db.connect(db.reporting_url())  # read-only
    try:
        recorded = await EncounterRepository(conn).recorded(list(visits))
    finally:
        await conn.close()

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
        difference = (
            price_lines(npi, list(now_codes[1])) - price_lines(npi, list(then_codes[1])) if price_lines else None
        )
        changes.append({
            "visit_id": visit_id,
            "old_outcome": then_outcome,
            "new_outcome": now_outcome,
            "old_coder_version": before["coder_version"] if before is not None else None,
            "new_coder_version": tables.coder_version,
            "old_diagnoses": list(then_codes[0]),
            "new_diagnoses": list(now_codes[0]),
            "old_lines": _lines(then_codes[1]),
            "new_lines": _lines(now_codes[1]),
            "dollar_difference_cents": difference,
        })  # fmt: skip
    return changes


def recode(
    start: str = typer.Option(..., "--from", help="ISO time or date, or an age such as 6h or 2d"),
    end: str | None = typer.Option(None, "--to"),
    tables: Path | None = typer.Option(None, "--tables", help="coder data folder to try instead of today's"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Would today's coder code the recorded visits the same? Lists every encounter that would change."""
    price_lines = pricing()
    changes = asyncio.run(recode_changes(parse_time(start), parse_time(end) if end else None, tables, price_lines))
    if as_json:
        print_json(changes)
        return
    if price_lines is None:
        err.print("no pricing installed (entry point group rcmflow.pricing): codes shown without dollars")
    columns = ["visit", "old codes", "new codes", "old → new coder"] + (["Δ at today's prices"] if price_lines else [])
    rows = [
        [
            c["visit_id"],
            f"{c['old_outcome']}: {' '.join(c['old_diagnoses'])} | {' '.join(c['old_lines'])}",
            f"{c['new_outcome']}: {' '.join(c['new_diagnoses'])} | {' '.join(c['new_lines'])}",
            f"{c['old_coder_version']} → {c['new_coder_version']}",
        ]
        + ([f"${c['dollar_difference_cents'] / 100:+,.2f}"] if price_lines else [])
        for c in changes
    ]
    print_table(f"{len(changes)} encounter(s) would be coded differently", columns, rows)


async def status(conn: asyncpg.Connection, scope: list[str]) -> list[StatusRow]:
    """The coder's lines of `rcm status`: coded (by the engine or a person), and waiting for review
    (finished for `rcm publish --wait`: a person takes it from there)."""
    counts = await EncounterRepository(conn).outcome_counts(scope)
    return [
        StatusRow("visits", "visits", sum(counts.values())),
        StatusRow("coded", "coded", counts.get("coded", 0) + counts.get("reviewed", 0)),
        StatusRow("review", "to review", counts.get("review", 0), finished=True),
    ]


async def visit_story(conn: asyncpg.Connection, visit_id: str) -> dict[str, Any]:
    """For `rcm audit visit`: whose visit it is and when it arrived (which narrows the search to
    the patient's partition), and the coder's record of it."""
    return await EncounterRepository(conn).story(visit_id)


def register(app: typer.Typer) -> None:
    from coder.entrypoints import cli_codesets

    app.command("recode")(recode)
    app.add_typer(cli_codesets.app, name="codesets")
