"""`rcm status`: every service's lines for a scope of visits, in pipeline order."""

from __future__ import annotations

from shared import db
from shared.cli.output import dollars, print_table
from shared.plugins import StatusRow, hooks


async def read_status(scope: list[str]) -> list[StatusRow]:
    """Every service's status lines for the visits in scope, in pipeline order."""
    conn = await db.connect(db.reporting_url())  # read-only
    try:
        rows: list[StatusRow] = []
        for _, status_of in hooks("status"):
            rows += await status_of(conn, scope)
        return rows
    finally:
        await conn.close()


def print_status(rows: list[StatusRow], title: str) -> None:
    counts = [(r.label, str(r.value)) for r in rows if r.kind == "count"]
    money = [(r.label, dollars(r.value)) for r in rows if r.kind == "cents"]
    print_table(
        f"rcmflow status — {title}",
        ("step", "count / amount"),
        counts + money,
        right=("count / amount",),
        sections=(len(counts),) if money else (),
    )
