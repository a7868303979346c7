"""The console's adapters: SQL on its own schema `console`, the coder's review API, migrations."""

from pathlib import Path

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
