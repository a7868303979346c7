"""Wiring of the payer-sim: settings, its database, reference data, knobs and the unit of work.
Nothing heavy happens at import: the reference tables load on first use, the pool (and the
migrations) on the first batch, so a database that is away only delays the work."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from payer_sim.adapters import MIGRATIONS_DIR
from payer_sim.adapters.reference import load_front_end_rejections, load_reference
from payer_sim.domain.claims import Knobs
from payer_sim.domain.front_end import FrontEndKnobs
from payer_sim.domain.model import ReferenceData
from payer_sim.service_layer.unit_of_work import PayerUnitOfWork
from shared.db import Database
from shared.settings import get_settings

SERVICE = "payer-sim"  # the service's one name: folder, metrics label, log name, pipeline stage
SCHEMA = "payer_sim"  # its package and its Postgres schema

database = Database(SCHEMA, MIGRATIONS_DIR)  # connects on first use


def reference() -> ReferenceData:
    return load_reference()  # read once, then cached


@lru_cache(maxsize=1)
def knobs() -> Knobs:
    settings = get_settings()
    return Knobs(random_denial_rate=settings.payer_random_denial_rate, seed=settings.payer_seed)


@lru_cache(maxsize=1)
def front_end_knobs() -> FrontEndKnobs:
    settings = get_settings()
    return FrontEndKnobs(
        rejection_rate=settings.payer_front_end_rejection_rate,
        seed=settings.payer_seed,
        rejections=load_front_end_rejections(),
        syntax_check=settings.payer_front_end_syntax_check,
    )


async def unit_of_work() -> Callable[[], PayerUnitOfWork]:
    """A factory of units of work over the service's pool (created and migrated on first call)."""
    pool = await database.pool()
    return lambda: PayerUnitOfWork(pool)
