"""Postgres repositories, the outbox relay, the MLLP listener and reference-data loaders."""

from pathlib import Path

# Plain SQL migrations, applied in order by shared.migrations (entry point rcmflow.migrations).
MIGRATIONS_DIR = Path(__file__).parent / "migrations"
