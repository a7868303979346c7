"""Read-only queries for `rcm status` and the waits of publish/bench. The coder's lines are still
here; every other service gives its own through the `rcmflow.status` hook (shared.plugins)."""

from __future__ import annotations

import asyncpg

from shared.plugins import StatusRow, hooks

CODER_STATUS_SQL = """
WITH enc AS (SELECT outcome FROM coder.encounters WHERE visit_id LIKE ANY($1::text[]))
SELECT
  (SELECT count(*) FROM enc)                                   AS visits,
  (SELECT count(*) FROM enc WHERE outcome IN ('coded', 'reviewed')) AS coded,
  (SELECT count(*) FROM enc WHERE outcome = 'review')          AS review
"""


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def prefixed(prefix: str | None) -> list[str]:
    """Scope: visits whose id starts with prefix (all visits when None)."""
    return [_escape(prefix or "") + "%"]


def exactly(visit_ids: list[str]) -> list[str]:
    """Scope: exactly these visits."""
    return [_escape(v) for v in visit_ids]


async def status_rows(conn: asyncpg.Connection, scope: list[str]) -> list[StatusRow]:
    """The coder's lines (the visits it finished: those sent to review), then every hook's."""
    coder = await conn.fetchrow(CODER_STATUS_SQL, scope)
    rows = [
        StatusRow("visits", "visits", int(coder["visits"])),
        StatusRow("coded", "coded", int(coder["coded"])),
        StatusRow("review", "to review", int(coder["review"]), finished=True),
    ]
    for _, service_status in hooks("status"):
        rows += await service_status(conn, scope)
    return rows


async def status(conn: asyncpg.Connection, scope: list[str]) -> dict[str, int]:
    return {row.key: row.value for row in await status_rows(conn, scope)}


async def finished(conn: asyncpg.Connection, scope: list[str]) -> int:
    """Visits no step has more to do for."""
    return sum(row.value for row in await status_rows(conn, scope) if row.finished)
