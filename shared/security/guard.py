"""The one check every service's HTTP views make: who is calling (a bearer access token verified
locally with the issuer's public key), is the identity still active, may it do this, and is it
within its rate. Keys and identities are read from the store and kept for a few seconds, so a
revoked client is refused within REFRESH_SECONDS without a database round trip per request."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

import asyncpg
from aiohttp import web
from faust.web import Response, View

from shared.security import store, tokens
from shared.security.policy import Principal

log = logging.getLogger(__name__)

REFRESH_SECONDS = 5.0  # how long a looked-up identity (or its revocation) is trusted
KEYS_REFRESH_SECONDS = 60.0


class Denied(Exception):
    """401 (who are you?), 403 (not allowed), 429 (slow down) or 503 (cannot check now). The reason
    names the rule, never a value from the request."""

    def __init__(self, status: int, reason: str, retry_after: int | None = None) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.retry_after = retry_after

    def headers(self) -> dict[str, str]:
        headers = {}
        if self.status == 401:
            headers["WWW-Authenticate"] = 'Bearer realm="rcmflow"'
        if self.retry_after is not None:
            headers["Retry-After"] = str(self.retry_after)
        return headers


class TokenBucket:
    """Per-caller rate: `rate` requests a second on average, bursts up to `burst`."""

    def __init__(self) -> None:
        self._buckets: dict[str, tuple[float, float]] = {}  # name -> (tokens, last refill)

    def take(self, name: str, rate: float, burst: int) -> float:
        """0 when allowed; otherwise the seconds until one request would be."""
        now = time.monotonic()
        tokens_left, last = self._buckets.get(name, (float(burst), now))
        tokens_left = min(float(burst), tokens_left + (now - last) * rate)
        if tokens_left >= 1.0:
            self._buckets[name] = (tokens_left - 1.0, now)
            return 0.0
        self._buckets[name] = (tokens_left, now)
        return (1.0 - tokens_left) / rate if rate > 0 else 60.0


def source_of(request: web.Request) -> str:
    """Where a request came from (the peer's address; no proxy is trusted to say otherwise)."""
    peer = request.transport.get_extra_info("peername") if request.transport else None
    return str(peer[0]) if peer else "unknown"


class Guard:
    def __init__(self, pool: Callable[[], Awaitable[asyncpg.Pool]]) -> None:
        self._pool = pool
        self._keys: dict[str, dict[str, Any]] = {}
        self._keys_read = 0.0
        self._identities: dict[tuple[str, str], tuple[float, Principal | None]] = {}
        self._lock = asyncio.Lock()
        self.rates = TokenBucket()

    async def _key(self, kid: str) -> dict[str, Any] | None:
        stale = time.monotonic() - self._keys_read > KEYS_REFRESH_SECONDS
        # an unknown kid refreshes at most once a second: forged kids cannot hammer the database
        if stale or (kid not in self._keys and time.monotonic() - self._keys_read > 1.0):
            async with self._lock:
                async with (await self._pool()).acquire() as conn:
                    self._keys = await store.verifying_keys(conn)
                self._keys_read = time.monotonic()
        return self._keys.get(kid)

    async def _identity(self, kind: str, name: str) -> Principal | None:
        cached = self._identities.get((kind, name))
        if cached and time.monotonic() - cached[0] < REFRESH_SECONDS:
            return cached[1]
        async with (await self._pool()).acquire() as conn:
            found = await store.principal(conn, kind, name)
        self._identities[(kind, name)] = (time.monotonic(), found)
        return found

    async def principal_of_token(self, token: str) -> Principal:
        try:
            kid = tokens.token_key_id(token)
            jwk = await self._key(kid)
            if jwk is None:
                raise Denied(401, "the access token is not signed by this issuer")
            claims = tokens.verify_access_token(token, jwk)
            found = await self._identity(claims["kind"], claims["sub"])
        except tokens.TokenError as exc:
            raise Denied(401, str(exc)) from None
        except Denied:
            raise
        except Exception as exc:  # the identity store is away: nobody is let in unchecked
            log.warning("token check unavailable: %s", type(exc).__name__)
            raise Denied(503, "identities cannot be checked right now; retry shortly", 5) from None
        if found is None:
            raise Denied(401, f"this {claims['kind']} is revoked or unknown")
        granted = set(str(claims.get("scope", "")).split())
        # a token carries what was granted then; the store says what still holds now
        return replace(found, scopes=frozenset(found.scopes & granted))

    async def check(self, request: web.Request, scope: str) -> Principal:
        """The caller, when its token is valid, it holds `scope` and is within its rate."""
        header = request.headers.get("Authorization", "")
        if not header.lower().startswith("bearer "):
            raise Denied(401, "an access token is required (Authorization: Bearer ...); see docs/security.md")
        found = await self.principal_of_token(header[7:].strip())
        if not found.may(scope):
            raise Denied(403, f"this {found.kind} does not hold the scope {scope!r}")
        self.limit(found)
        return replace(found, source=source_of(request))

    def limit(self, found: Principal) -> None:
        wait = self.rates.take(f"{found.kind}:{found.name}", found.rate_per_second, found.burst)
        if wait > 0:
            raise Denied(429, "too many requests from this client; slow down", max(1, int(wait + 0.999)))


def json_denial(view: View, exc: Denied) -> Response:
    body = {"errors": [{"field": "authorization", "message": exc.reason}]}
    return view.json(body, status=exc.status, headers=exc.headers())


def outcome_denial(view: View, exc: Denied) -> Response:
    """FHIR routes answer with an OperationOutcome."""
    code = {401: "login", 403: "forbidden", 429: "throttled"}.get(exc.status, "transient")
    body = {"resourceType": "OperationOutcome",
            "issue": [{"severity": "error", "code": code, "diagnostics": exc.reason}]}  # fmt: skip
    return view.json(body, status=exc.status, headers=exc.headers(), content_type="application/fhir+json")
