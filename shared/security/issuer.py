"""The token endpoint (OAuth 2.0 client credentials with a JWT client assertion, RFC 7523 — the
SMART Backend Services flow) and the JWKS, served by the encounter (the front door). Also the
issue of a person's token once their password has been checked (console log-in, `rcm login`)."""

from __future__ import annotations

import logging
from typing import Any

import asyncpg

from shared.security import store, tokens
from shared.security.policy import scopes_of_roles

log = logging.getLogger(__name__)

TOKEN_PATH = "/oauth/token"
JWKS_PATH = "/.well-known/jwks.json"


class OAuthError(Exception):
    """An RFC 6749 error answer: `error` code and a description that quotes nothing sent."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.body = {"error": error, "error_description": description}


async def client_credentials(conn: asyncpg.Connection, form: dict[str, str], audiences: list[str]) -> dict[str, Any]:
    """The token answer for a client that proved it holds its registered private key."""
    if form.get("grant_type") != "client_credentials":
        raise OAuthError(400, "unsupported_grant_type", "grant_type must be client_credentials")
    if form.get("client_assertion_type") != tokens.CLIENT_ASSERTION_TYPE:
        raise OAuthError(400, "invalid_request", f"client_assertion_type must be {tokens.CLIENT_ASSERTION_TYPE}")
    assertion = form.get("client_assertion", "")
    try:
        client_id = tokens.assertion_client_id(assertion)
        row = await store.client(conn, client_id)
        if row is None:
            raise OAuthError(401, "invalid_client", "no active client with this id")
        claims = tokens.verify_assertion(assertion, row["public_jwk"], audiences)
    except tokens.TokenError as exc:
        raise OAuthError(401, "invalid_client", str(exc)) from None
    if not await store.remember_assertion(conn, client_id, str(claims["jti"]), int(claims["exp"])):
        raise OAuthError(401, "invalid_client", "this client_assertion was used before (jti seen)")
    allowed = set(row["scopes"])
    asked = set(form.get("scope", "").split()) or allowed
    granted = asked & allowed
    if not granted:
        raise OAuthError(400, "invalid_scope", "none of the requested scopes is registered for this client")
    key = await store.signing_key(conn)
    token, seconds = tokens.issue(key, client_id, "client", sorted(granted), [], tokens.CLIENT_TOKEN_SECONDS)
    return {"access_token": token, "token_type": "bearer", "expires_in": seconds, "scope": " ".join(sorted(granted))}


async def user_token(conn: asyncpg.Connection, username: str, password: str) -> str | None:
    """A person's access token (their roles' scopes), or None when the name or password is wrong."""
    roles = await store.check_password(conn, username, password)
    if roles is None:
        return None
    key = await store.signing_key(conn)
    token, _ = tokens.issue(key, username, "user", sorted(scopes_of_roles(roles)), roles, tokens.USER_TOKEN_SECONDS)
    return token


async def jwks(conn: asyncpg.Connection) -> dict[str, Any]:
    return {"keys": list((await store.verifying_keys(conn)).values())}
