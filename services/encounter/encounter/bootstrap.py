"""Wiring of the encounter service: settings, database, reference data, the unit-of-work factory.
Nothing here does work at import time: the pool opens on first use, tables load when first read."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Any

from encounter.adapters import MIGRATIONS_DIR
from encounter.adapters.outbox import OutboxRelay
from encounter.adapters.reference import load_facilities, load_payer_directory
from encounter.domain.payers import PayerDirectory
from encounter.service_layer.unit_of_work import EncounterUnitOfWork
from shared.db import Database
from shared.schemas import Producer
from shared.settings import Settings, get_settings

SERVICE = "encounter"
PRODUCER = Producer(service=SERVICE)


class Bootstrap:
    """The service's collaborators, made once per process on first use."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()
        self.db = Database(SERVICE, MIGRATIONS_DIR)
        # publishes what the units of work wrote into the outbox; run as a task of the app
        self.relay = OutboxRelay(self.db.pool)

    @cached_property
    def facilities(self) -> dict[str, dict[str, Any]]:
        return load_facilities()

    @cached_property
    def payers(self) -> PayerDirectory:
        return load_payer_directory()

    async def unit_of_work(self) -> Callable[[], EncounterUnitOfWork]:
        """A factory of units of work on the service's pool (created and migrated on first call)."""
        pool = await self.db.pool()
        return lambda: EncounterUnitOfWork(pool)
