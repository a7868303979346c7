"""The biller's adapters: its repositories (the SQL on its own tables), read-only queries for
its commands, reference-data loaders and migrations."""

from pathlib import Path

# Plain SQL migrations, applied in order by shared.migrations.
MIGRATIONS_DIR = Path(__file__).parent / "migrations"
