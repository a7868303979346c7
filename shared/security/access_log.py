"""The access log: who read or changed patient data, when, from where, what, which patients.

One module every service records through. Append-only (a trigger refuses UPDATE, DELETE and
TRUNCATE) and tamper-evident: each record's hash is SHA-256 over its own fields and the previous
record's hash, so changing, removing or reordering a record breaks the chain from there on, and
`verify` names the first record that does not fit. Records are appended one at a time under an
advisory lock, so the chain has one order whatever the number of writers.

Fields map onto FHIR AuditEvent (docs/security.md): who -> agent.who, who_kind/roles ->
agent.type/role, source -> agent.network.address, service -> source.observer, action ->
action (C R U D E), what -> type/subtype, outcome -> outcome (0 4 8 12), patients -> entity
(Patient), detail -> entity (other ids: visit, claim; never patient values)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import asyncpg
import orjson

from shared.security.policy import Principal

GENESIS = "0" * 64
_LOCK = "security.access_log"

READ, CREATE, UPDATE, DELETE, EXECUTE = "R", "C", "U", "D", "E"
SUCCESS, MINOR_FAILURE, SERIOUS_FAILURE = "0", "4", "8"

_FIELDS = ("recorded_at", "who", "who_kind", "roles", "source", "service", "action", "what", "outcome",
           "patients", "detail")  # fmt: skip


@dataclass(frozen=True)
class Access:
    who: str
    who_kind: str
    roles: list[str]
    source: str
    service: str
    action: str
    what: str
    patients: list[str]
    outcome: str = SUCCESS
    detail: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def by(
        cls, principal: Principal, service: str, action: str, what: str, patients: Iterable[str], **detail: Any
    ) -> Access:
        return cls(principal.name, principal.kind, list(principal.roles), principal.source or "local", service,
                   action, what, sorted(set(patients)), detail=detail)  # fmt: skip


def record_hash(prev_hash: str, values: dict[str, Any]) -> str:
    """SHA-256 over the previous hash and the record's fields in a fixed, canonical JSON form."""
    canonical = dict(values)
    canonical["recorded_at"] = values["recorded_at"].astimezone(UTC).isoformat()
    canonical["roles"] = list(values["roles"])
    canonical["patients"] = list(values["patients"])
    body = orjson.dumps({k: canonical[k] for k in _FIELDS}, option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(prev_hash.encode() + b"\n" + body).hexdigest()


async def record(conn_or_pool: asyncpg.Connection | asyncpg.Pool, access: Access) -> int:
    """Append one record; its sequence number back. Raises if it cannot be written: the caller
    then refuses the read (nothing shown that is not on record)."""
    values = {name: getattr(access, name) for name in _FIELDS if name != "recorded_at"}
    values["recorded_at"] = datetime.now(UTC)
    if isinstance(conn_or_pool, asyncpg.Pool):
        async with conn_or_pool.acquire() as conn:
            return await _append(conn, values)
    return await _append(conn_or_pool, values)


async def _append(conn: asyncpg.Connection, values: dict[str, Any]) -> int:
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", _LOCK)
        prev = await conn.fetchval("SELECT hash FROM security.access_log ORDER BY seq DESC LIMIT 1") or GENESIS
        seq: int = await conn.fetchval(
            """INSERT INTO security.access_log (recorded_at, who, who_kind, roles, source, service, action, what,
                                               outcome, patients, detail, prev_hash, hash)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING seq""",
            values["recorded_at"], values["who"], values["who_kind"], values["roles"], values["source"],
            values["service"], values["action"], values["what"], values["outcome"], values["patients"],
            values["detail"], prev, record_hash(prev, values),
        )  # fmt: skip
    return seq


@dataclass(frozen=True)
class Verdict:
    records: int
    first_broken: int | None  # seq of the first record that does not fit the chain
    reason: str = ""


async def verify(conn: asyncpg.Connection) -> Verdict:
    """Walk the chain from the first record; stop at the first that does not fit."""
    if conn.is_in_transaction():  # the caller's snapshot (a test that tampers inside a transaction)
        return await _walk(conn)
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        return await _walk(conn)


async def _walk(conn: asyncpg.Connection) -> Verdict:
    prev, count = GENESIS, 0
    cols = ", ".join(_FIELDS)
    async for row in conn.cursor(f"SELECT seq, prev_hash, hash, {cols} FROM security.access_log ORDER BY seq"):
        values = {name: row[name] for name in _FIELDS}
        values["detail"] = _as_dict(values["detail"])
        if row["prev_hash"] != prev:
            return Verdict(count, row["seq"], "does not follow the record before it (one removed or reordered?)")
        if record_hash(prev, values) != row["hash"]:
            return Verdict(count, row["seq"], "its content does not match its hash (changed after it was written)")
        prev, count = row["hash"], count + 1
    return Verdict(count, None)


def _as_dict(value: Any) -> dict[str, Any]:
    if isinstance(value, (str, bytes)):
        loaded: dict[str, Any] = orjson.loads(value)
        return loaded
    return dict(value)


async def search(
    conn: asyncpg.Connection, patient: str | None = None, who: str | None = None, limit: int = 200
) -> list[asyncpg.Record]:
    """Records about one patient and/or by one person or system, newest first."""
    return await conn.fetch(
        """SELECT seq, recorded_at, who, who_kind, roles, source, service, action, what, outcome, patients, detail
           FROM security.access_log
           WHERE ($1::text IS NULL OR $1 = ANY(patients)) AND ($2::text IS NULL OR who = $2)
           ORDER BY seq DESC LIMIT $3""",
        patient,
        who,
        limit,
    )
