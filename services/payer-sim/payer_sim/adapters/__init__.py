"""The payer-sim's adapters: its Postgres repositories, its reference-data loaders and its
SQL migrations (publishing goes through shared.streaming.FaustPublisher)."""

from pathlib import Path

# Plain SQL migrations, applied in order by shared.migrations under the schema name payer_sim.
MIGRATIONS_DIR = Path(__file__).parent / "migrations"
