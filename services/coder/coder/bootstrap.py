"""Wiring of the coder: settings, its database, its reference tables, the unit of work and the
publisher. Nothing heavy happens at import: the tables are read the first time they are asked
for, the database is created, migrated and pooled on first use."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from coder.adapters import MIGRATIONS_DIR
from coder.adapters.reference import load_tables
from coder.domain.model import ReferenceTables
from coder.service_layer.unit_of_work import CoderUnitOfWork
from shared.db import Database
from shared.pipeline import stage
from shared.settings import get_settings
from shared.unit_of_work import Outgoing, Publisher

SERVICE = "coder"
database = Database(SERVICE, MIGRATIONS_DIR)


def tables() -> ReferenceTables:
    """The coding tables, read and indexed once per process (load_tables caches them)."""
    return load_tables()


def worker() -> int:
    """Which worker of the coder group this process is (CODER_WORKER)."""
    return get_settings().worker


def web_port() -> int:
    """Worker N serves /metrics and /review on CODER_PORT + 10 * N."""
    return stage(SERVICE).port(worker())


def topic_suffix() -> str:
    """CODER_TOPIC_SUFFIX: "" in service; `rcm bench coder` runs workers on topics of their own."""
    return get_settings().coder_topic_suffix


async def unit_of_work() -> Callable[[], CoderUnitOfWork]:
    """A factory of units of work on the coder's pool (created on the first call; while Postgres
    is away this raises a connection error, which the callers wait out)."""
    return partial(CoderUnitOfWork, await database.pool())


class SuffixedPublisher:
    """Publishes to `<topic><suffix>`: the handlers name the pipeline's topics, a benchmark's
    workers use copies of them."""

    def __init__(self, inner: Publisher, suffix: str) -> None:
        self._inner = inner
        self._suffix = suffix

    async def publish(self, outgoing: list[Outgoing]) -> None:
        await self._inner.publish([Outgoing(o.topic + self._suffix, o.event) for o in outgoing])
