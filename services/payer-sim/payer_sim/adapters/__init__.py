"""Postgres, Kafka and reference-data glue for this service."""

from pathlib import Path

# Plain SQL migrations, applied in order by shared.migrations.
MIGRATIONS_DIR = Path(__file__).parent / "migrations"
