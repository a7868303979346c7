"""Wiring of the console: settings, its database (schema `console`), the unit of work, where
the coder's review API listens. Nothing heavy at import: the pool opens on first use."""

from __future__ import annotations

from collections.abc import Callable

from console.adapters import MIGRATIONS_DIR
from console.service_layer.unit_of_work import ConsoleUnitOfWork
from shared import tls
from shared.db import Database
from shared.pipeline import stage
from shared.settings import get_settings

SERVICE = "console"
SCHEMA = "console"

database = Database(SCHEMA, MIGRATIONS_DIR)


def web_port() -> int:
    return stage(SERVICE).port()


def coder_url() -> str:
    """The coder's first worker: the review queue lives in the coder's tables, any worker answers."""
    return tls.url(stage("coder").port(), host="127.0.0.1")


def biller_url() -> str:
    """The biller's first worker: denial work reads and writes the biller's tables, any worker answers."""
    return tls.url(stage("biller").port(), host="127.0.0.1")


def bind_host() -> str:
    """People log in (docs/security.md); listening beyond this machine, with TLS, is sec-infra's."""
    host = get_settings().web_host
    return host if host in ("127.0.0.1", "localhost", "::1") else "127.0.0.1"


async def unit_of_work() -> Callable[[], ConsoleUnitOfWork]:
    pool = await database.pool()
    return lambda: ConsoleUnitOfWork(pool)
