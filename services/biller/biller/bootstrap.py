"""Wiring of the biller: its database, reference data and unit of work. Nothing is loaded or
connected at import time; each piece is made on first use (from main or a command)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from biller.adapters import MIGRATIONS_DIR
from biller.adapters.reference import load_reference
from biller.domain.model import Reference
from biller.service_layer.unit_of_work import BillerUnitOfWork
from shared.db import Database

SERVICE = "biller"


@cache
def database() -> Database:
    return Database(SERVICE, MIGRATIONS_DIR)


@cache
def reference() -> Reference:
    return load_reference()


async def unit_of_work(db: Database | None = None) -> Callable[[], BillerUnitOfWork]:
    """A factory of units of work on the biller's pool (created and migrated on first use)."""
    pool = await (db or database()).pool()
    return lambda: BillerUnitOfWork(pool)
