"""Shared fixtures. Integration and e2e tests talk to the real Kafka, Postgres and services
that `make test` starts (deploy/local/test.sh); nothing here is a fake."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from datetime import date

import asyncpg
import pytest

from bench.synthetic import VisitFactory
from shared import db


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # unit tests first: they fail fastest
    items.sort(key=lambda i: {"unit": 0, "integration": 1, "e2e": 2}.get(i.path.parent.name, 3))


@pytest.fixture
async def conn() -> AsyncIterator[asyncpg.Connection]:
    connection = await db.connect()
    try:
        yield connection
    finally:
        await connection.close()


@pytest.fixture
def run_token() -> str:
    """A fresh token, so each test's visits and patients are its own."""
    return "T" + secrets.token_hex(4).upper()


CONTENT_SEED = 11


@pytest.fixture
def factory(run_token: str) -> VisitFactory:
    # The same visits every run (seed 11: the coder settles each of its first 300 without a person —
    # a random diagnosis pair can rightly need one), under this run's ids.
    f = VisitFactory(seed=CONTENT_SEED, as_of=date.today())
    f.token = run_token
    return f
