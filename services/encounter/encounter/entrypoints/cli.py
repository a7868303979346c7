"""The encounter's part of `rcm`: queries on its own tables only."""

from __future__ import annotations

import asyncio

import asyncpg
import typer

from encounter.adapters import repository
from encounter.adapters.outbox import pending_count
from shared import db
from shared.plugins import StatusRow


async def status(conn: asyncpg.Connection, scope: list[str]) -> list[StatusRow]:
    """Entry point rcmflow.status: visits received at intake (accepted once each), events the
    outbox still owes the `visits` topic (not scoped: the outbox is not kept by visit id), and
    visits a stage dead-lettered (their senders see the reason on GET /visits/{id})."""
    by_channel = await repository.intake_counts(conn, scope)
    return [
        StatusRow("visits_received", "visits received", sum(by_channel.values())),
        StatusRow("intake_outbox_pending", "  not yet published", await pending_count(conn)),
        StatusRow("visits_failed", "failed (dead-lettered)", await repository.failed_count(conn, scope), finished=True),
    ]


def register(app: typer.Typer) -> None:
    """Entry point rcmflow.commands: `rcm intake` — visits accepted at intake, by channel."""

    @app.command("intake")
    def intake(
        as_json: bool = typer.Option(False, "--json", help="machine-readable"),
        batch: str | None = typer.Option(None, "--batch", help="only visits whose id starts with this"),
    ) -> None:
        """Visits accepted at intake, by channel (json, fhir, hl7v2)."""
        from shared.cli.output import print_json, print_table

        async def read() -> dict[str, int]:
            conn = await db.connect(db.reporting_url())  # read-only
            try:
                escaped = (batch or "").replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
                return await repository.intake_counts(conn, [escaped + "%"])
            finally:
                await conn.close()

        counts = asyncio.run(read())
        if as_json:
            print_json(counts)
        else:
            print_table("visits accepted at intake", ["channel", "visits"], sorted(counts.items()), right=["visits"])
