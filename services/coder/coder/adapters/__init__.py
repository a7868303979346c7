"""The coder's adapters: its Postgres repository, its reference tables and its migrations."""

from pathlib import Path

# Plain SQL migrations, applied in order by shared.migrations; also the `rcmflow.migrations` entry point.
MIGRATIONS_DIR = Path(__file__).parent / "migrations"
