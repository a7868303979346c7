"""`rcm`: the command line, assembled from the services' command modules.

The root owns only what belongs to no service: `init` (database, topics, every service's
tables), `status` (every service's lines, in pipeline order), `pipeline` (the declared stages,
for scripts) and the topic commands (`replay`, `reprocess`, `audit visit`). Every other verb is
registered by a service or by bench/ through the `rcmflow.commands` entry points."""

from __future__ import annotations

import asyncio
from pathlib import Path

import typer

from shared import db, db_roles, kafka, kafka_acls, tls
from shared.cli import topics
from shared.cli.output import console, print_json, print_table
from shared.cli.status import print_status, read_status
from shared.migrations import migrate
from shared.pipeline import STAGES
from shared.pipeline import topics as pipeline_topics
from shared.plugins import hooks, prefixed
from shared.settings import get_settings

app = typer.Typer(help="rcmflow: medical billing and coding pipeline", no_args_is_help=True, add_completion=False)
topics.register(app)


@app.command()
def init(
    rotate: list[str] = typer.Option([], "--rotate", help="a Postgres role whose password to replace (repeatable)"),
) -> None:
    """Create the database, the topics, the roles and every service's tables (safe to run again)."""

    made = tls.ensure_certificates()  # the local CA and certificates, once (.run/tls)
    if made:
        console.print(f"TLS certificates made: {', '.join(made)}")

    async def run() -> None:
        created_db = await db.ensure_database()
        created = await kafka.ensure_topics(pipeline_topics())
        if get_settings().kafka_sasl:
            async with kafka.admin_client() as admin:
                await kafka_acls.ensure_acls(admin)  # each service principal: its own topics only
        conn = await db.connect()
        try:
            await db_roles.ensure_roles(conn, rotate=tuple(rotate))  # before migrations: they may grant to them
            migrations: list[tuple[str, Path]] = hooks("migrations")
            for schema, directory in migrations:
                applied = await migrate(conn, schema, directory)
                await db_roles.secure_schema(conn, schema)
                if applied:
                    console.print(f"migrated {schema}: {', '.join(applied)}")
            await db_roles.grant_ledger(conn)
            for _, after_init in hooks("init"):  # e.g. the demo sender (bench/demo.py)
                await after_init(conn)
        finally:
            await conn.close()
        console.print(f"database {'created' if created_db else 'present'}; topics created: {created or 'none'}")

    asyncio.run(run())


@app.command()
def status(
    as_json: bool = typer.Option(False, "--json", help="machine-readable"),
    batch: str | None = typer.Option(None, "--batch", help="only visits whose id starts with this"),
) -> None:
    """Where every visit stands: coded, claimed, remitted, paid or denied, and the dollars."""
    rows = asyncio.run(read_status(prefixed(batch)))
    if as_json:
        print_json({r.key: r.value for r in rows})
    else:
        print_status(rows, title=batch or "all visits")


@app.command()
def pipeline(
    shell: bool = typer.Option(False, "--shell", help="one stage a line: name port command yes|no|shared"),
) -> None:
    """The declared stages: what each consumes and produces, and where it listens."""
    if shell:
        for s in STAGES:
            scales = "shared" if s.shares_port else "yes" if s.scales_out else "no"
            typer.echo(f"{s.service} {s.port()} {s.command} {scales}")
        return
    print_table(
        "rcmflow pipeline",
        ("service", "consumes", "produces", "port", "command"),
        [
            (s.service, ", ".join(s.consumes) or "HTTP, MLLP", ", ".join(s.produces), s.port(), s.command)
            for s in STAGES
        ],
    )


for _, register in hooks("commands"):
    register(app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
