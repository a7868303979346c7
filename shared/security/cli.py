"""`rcm clients`, `rcm users`, `rcm keys`, `rcm token`, `rcm login` and `rcm access-log`."""

from __future__ import annotations

import asyncio
import getpass
import os
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import orjson
import typer

from shared import db
from shared.cli.output import console, print_json, print_table
from shared.security import access_log, issuer, store, tokens
from shared.security.access_log import Access
from shared.security.credentials import ClientCredentials, TokenRefused, request_token, token_url
from shared.security.policy import ROLES, SCOPES, SENDER_SCOPES, unknown
from shared.security.session import allowed, operator, record_read, save_session

T = TypeVar("T")


def _run(work: Callable[[asyncpg.Connection], Awaitable[T]]) -> T:
    async def go() -> T:
        conn = await db.connect()
        try:
            return await work(conn)
        finally:
            await conn.close()

    return asyncio.run(go())


def _changed(conn: asyncpg.Connection, what: str, **detail: Any) -> Awaitable[int]:
    return access_log.record(conn, Access.by(operator(), "rcm", access_log.UPDATE, what, [], **detail))


async def register_client(
    conn: asyncpg.Connection,
    name: str,
    scopes: list[str],
    facilities: list[str],
    hl7_facilities: list[str],
    rate: float = 50.0,
    burst: int = 100,
    client_id: str | None = None,
) -> ClientCredentials:
    """A new client with a fresh key pair: the public half registered, the private half returned
    (to be written to the client's credentials file, then held only by the client)."""
    key = tokens.new_key_pair()
    cid = client_id or f"{name}-{uuid.uuid4().hex[:8]}"
    await store.add_client(conn, cid, name, key.public_jwk, scopes, facilities, hl7_facilities, rate, burst)
    await _changed(conn, "clients add", client_id=cid, scopes=scopes, facilities=facilities)
    return ClientCredentials(cid, key.kid, key.private_pem, token_url())


def register(app: typer.Typer) -> None:
    clients = typer.Typer(
        help="Systems that send visits (OAuth 2.0 clients with a registered key)", no_args_is_help=True
    )
    users = typer.Typer(help="People (coders, billers, auditors, admins) and their roles", no_args_is_help=True)
    keys = typer.Typer(help="The access-token issuer's signing keys", no_args_is_help=True)
    log_app = typer.Typer(
        help="Who read or changed patient data (append-only, hash-chained)", invoke_without_command=True
    )
    app.add_typer(clients, name="clients")
    app.add_typer(users, name="users")
    app.add_typer(keys, name="keys")
    app.add_typer(log_app, name="access-log")

    @clients.command("add")
    def clients_add(
        name: str = typer.Argument(..., help="who the client is, e.g. the EHR's name"),
        scope: list[str] = typer.Option(SENDER_SCOPES, "--scope", help=f"one of: {', '.join(SCOPES)}"),
        facility: list[str] = typer.Option([], "--facility", help="billing NPI or TIN it may submit for"),
        hl7_facility: list[str] = typer.Option([], "--hl7-facility", help="HL7 MSH-4 sending facility it is"),
        rate: float = typer.Option(50.0, "--rate", help="requests a second, on average"),
        burst: int = typer.Option(100, "--burst", help="requests at once"),
        write: Path = typer.Option(..., "--write", help="credentials file to write (private key; owner-only)"),
    ) -> None:
        """Register a client and write its credentials (client id, key id, private key, token URL)."""
        if bad := unknown(scope, dict(SCOPES)):
            raise typer.BadParameter(f"unknown scope(s): {', '.join(bad)}")
        creds = _run(lambda c: register_client(c, name, scope, facility, hl7_facility, rate, burst))
        creds.write(write)
        console.print(f"client {creds.client_id} registered; credentials in {write}")

    @clients.command("list")
    def clients_list(as_json: bool = typer.Option(False, "--json")) -> None:
        rows = [dict(r) for r in _run(lambda c: store.list_rows(c, "clients"))]
        if as_json:
            print_json(rows)
            return
        print_table("clients", ("client id", "name", "scopes", "facilities", "HL7 MSH-4", "rate/s", "revoked"),
                    [(r["client_id"], r["name"], " ".join(r["scopes"]), " ".join(r["facilities"]),
                      r["hl7_sending_facility"], r["rate_per_second"], r["revoked_at"]) for r in rows])  # fmt: skip

    @clients.command("revoke")
    def clients_revoke(client_id: str) -> None:
        """Revoke a client: its tokens stop working within seconds, it gets no new ones."""

        async def work(conn: asyncpg.Connection) -> bool:
            done = await store.revoke(conn, "clients", client_id)
            await _changed(conn, "clients revoke", client_id=client_id, revoked=done)
            return done

        if not _run(work):
            raise typer.BadParameter("no active client with this id")
        console.print(f"client {client_id} revoked")

    @users.command("add")
    def users_add(
        username: str,
        role: list[str] = typer.Option(..., "--role", help=f"one of: {', '.join(ROLES)}"),
    ) -> None:
        """Add a person. The password is asked for (or read from RCM_PASSWORD); only its hash is kept."""
        if bad := unknown(role, dict(ROLES)):
            raise typer.BadParameter(f"unknown role(s): {', '.join(bad)}")
        password = os.environ.get("RCM_PASSWORD") or getpass.getpass(f"password for {username}: ")
        if len(password) < 12:
            raise typer.BadParameter("a password has at least 12 characters")

        async def work(conn: asyncpg.Connection) -> None:
            await store.add_user(conn, username, password, role)
            await _changed(conn, "users add", username=username, roles=role)

        _run(work)
        console.print(f"user {username} added ({', '.join(role)})")

    @users.command("list")
    def users_list(as_json: bool = typer.Option(False, "--json")) -> None:
        rows = [dict(r) for r in _run(lambda c: store.list_rows(c, "users"))]
        if as_json:
            print_json(rows)
            return
        print_table("users", ("user", "roles", "added", "revoked"),
                    [(r["username"], " ".join(r["roles"]), r["created_at"], r["revoked_at"])
                     for r in rows])  # fmt: skip

    @users.command("revoke")
    def users_revoke(username: str) -> None:
        async def work(conn: asyncpg.Connection) -> bool:
            done = await store.revoke(conn, "users", username)
            await _changed(conn, "users revoke", username=username, revoked=done)
            return done

        if not _run(work):
            raise typer.BadParameter("no active user with this name")
        console.print(f"user {username} revoked")

    @keys.command("rotate")
    def keys_rotate() -> None:
        """A new signing key; tokens signed by the old one stay valid until they expire."""

        async def work(conn: asyncpg.Connection) -> str:
            key = await store.rotate_signing_key(conn)
            await _changed(conn, "keys rotate", kid=key.kid)
            return key.kid

        console.print(f"signing with key {_run(work)}")

    @app.command("token")
    def token(
        credentials: Path | None = typer.Option(
            None, "--credentials", help="default .run/credentials/demo-sender.json"
        ),
        scope: str = typer.Option("", "--scope", help="space-separated; default every scope the client holds"),
    ) -> None:
        """Print an access token for a client (for curl: -H "Authorization: Bearer $(rcm token)")."""
        try:
            access, _ = request_token(ClientCredentials.read(credentials), scope)
        except (FileNotFoundError, TokenRefused, OSError) as exc:
            typer.echo(f"no token: {exc}", err=True)
            raise typer.Exit(1) from None
        typer.echo(access)

    @app.command("login")
    def login(username: str = typer.Option(..., "--user")) -> None:
        """Log in as a person; the session (8 h) is kept owner-only for the commands that need a role."""
        password = os.environ.get("RCM_PASSWORD") or getpass.getpass(f"password for {username}: ")
        access = _run(lambda c: issuer.user_token(c, username, password))
        if access is None:
            typer.echo("not logged in: wrong user name or password (or the user is revoked)", err=True)
            raise typer.Exit(1)
        console.print(f"logged in as {username}; session in {save_session(access)}")

    @log_app.callback()
    def access_log_list(
        ctx: typer.Context,
        patient: str | None = typer.Option(None, "--patient", help="records about this patient id"),
        who: str | None = typer.Option(None, "--who", help="records by this user or client"),
        limit: int = typer.Option(200, "--limit", min=1, max=10_000),
        as_json: bool = typer.Option(False, "--json"),
    ) -> None:
        """Who read or changed what, newest first (needs the auditor role)."""
        if ctx.invoked_subcommand is not None:
            return

        async def work(conn: asyncpg.Connection) -> list[dict[str, Any]]:
            person = await allowed(conn, "access-log.read")
            rows = [dict(r) for r in await access_log.search(conn, patient, who, limit)]
            await record_read(conn, person, "rcm", "rcm access-log", [patient] if patient else [], who=who or "")
            return rows

        rows = _run(work)
        if as_json:
            print_json(rows)
            return
        print_table("access log", ("seq", "when", "who", "from", "service", "action", "what", "outcome", "patients"),
                    [(r["seq"], r["recorded_at"], r["who"], r["source"], r["service"], r["action"], r["what"],
                      r["outcome"], " ".join(r["patients"])) for r in rows])  # fmt: skip

    @log_app.command("verify")
    def verify(as_json: bool = typer.Option(False, "--json")) -> None:
        """Prove the chain: every record follows the one before and matches its hash."""
        verdict = _run(access_log.verify)
        if as_json:
            typer.echo(orjson.dumps(verdict.__dict__).decode())
        elif verdict.first_broken is None:
            console.print(f"access log intact: {verdict.records} records, chain verified")
        else:
            console.print(f"[red]access log broken at record {verdict.first_broken}: {verdict.reason}[/red] "
                          f"({verdict.records} records before it verify)")  # fmt: skip
        if verdict.first_broken is not None:
            raise typer.Exit(1)
