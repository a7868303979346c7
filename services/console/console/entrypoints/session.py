"""Log-in for the console's people (docs/security.md): a form checks the password against the
identity store (argon2id hash) and issues the person's access token, kept in an HttpOnly,
SameSite=Strict cookie; every page then checks it as any service checks a bearer token, with the
scope the page needs; what a page shows of patients is put on the access log before it is sent."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any
from urllib.parse import quote

import faust
from aiohttp import web
from faust.web import Request, Response, View

from console import bootstrap
from shared.security import access_log, issuer
from shared.security.access_log import Access
from shared.security.guard import Denied, Guard, source_of
from shared.security.policy import Principal

log = logging.getLogger(__name__)
COOKIE = "rcm_session"
OPEN = ("/login", "/static/", "/health", "/metrics")
# the scope a page needs, by path prefix (longest first); "" = any logged-in person
PAGE_SCOPES = [("/review-queue", "review.read"), ("/denials", "claims.read"), ("/claims/", "claims.read"),
               ("/search", "claims.read"), ("/balances", "claims.read"), ("/", "")]  # fmt: skip

guard = Guard(bootstrap.database.pool)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def scope_of(path: str, method: str) -> str:
    if path.startswith("/review-queue/") and method == "POST" and not path.endswith("/check"):
        return "review.write"
    return next(scope for prefix, scope in PAGE_SCOPES if path.startswith(prefix))


@web.middleware
async def logged_in(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every page but the log-in form, static files, /health and /metrics needs a person."""
    if request.path.startswith(OPEN):
        return await handler(request)
    token = request.cookies.get(COOKIE, "")
    try:
        if not token:
            raise Denied(401, "log in")
        person = await guard.principal_of_token(token)
        scope = scope_of(request.path, request.method)
        if scope and not person.may(scope):
            raise Denied(403, f"your role does not allow this page (it needs {scope!r})")
        guard.limit(person)
    except Denied as exc:
        if exc.status == 401:
            raise web.HTTPSeeOther(f"/login?next={quote(request.path_qs, safe='')}") from None
        return web.Response(text=exc.reason, status=exc.status, headers=exc.headers())
    request["principal"] = replace(person, source=source_of(request))
    request["token"] = token
    return await handler(request)


def patients_in(value: Any) -> set[str]:
    """Every patient id in what a page shows (rows, a claim, a visit's `patient.id`)."""
    found: set[str] = set()
    if isinstance(value, dict):
        if isinstance(value.get("patient_id"), str):
            found.add(value["patient_id"])
        patient = value.get("patient")
        if isinstance(patient, dict) and isinstance(patient.get("id"), str):
            found.add(patient["id"])
        for v in value.values():
            if isinstance(v, (dict, list)):
                found |= patients_in(v)
    elif isinstance(value, list):
        for v in value:
            found |= patients_in(v)
    return found


async def shown(request: Request, what: str, value: Any, action: str = access_log.READ) -> None:
    """Record what a page shows of patients (nothing is recorded for a page showing none)."""
    patients = patients_in(value)
    if not patients and action == access_log.READ:
        return
    person: Principal = request["principal"]  # type: ignore[index]
    entry = Access.by(person, bootstrap.SERVICE, action, what, patients, path=request.url.path)
    await access_log.record(await bootstrap.database.pool(), entry)


def register_login(app: faust.App, render: Callable[..., Response]) -> None:
    @app.page("/login")
    class Login(View):
        async def get(self, request: Request) -> Response:
            return render(self, "login.html", next=_next(request), error=None, page="login")

        async def post(self, request: Request) -> Response:
            form = await request.post()
            username, password = str(form.get("username", "")), str(form.get("password", ""))
            async with (await bootstrap.database.pool()).acquire() as conn:
                token = await issuer.user_token(conn, username, password)
            if token is None:
                log.info("console log-in refused")
                return render(self, "login.html", 401, next=_next(request), error="Wrong user name or password.",
                              page="login")  # fmt: skip
            response = self.html("", status=303, headers={"Location": _next(request)})
            response.set_cookie(COOKIE, token, httponly=True, samesite="Strict", path="/",  # type: ignore[attr-defined]
                                max_age=8 * 3600)  # fmt: skip
            return response

    @app.page("/logout")
    class Logout(View):
        async def post(self, request: Request) -> Response:
            response = self.html("", status=303, headers={"Location": "/login"})
            response.del_cookie(COOKIE, path="/")  # type: ignore[attr-defined]
            return response


def _next(request: Request) -> str:
    target = request.query.get("next", "/")
    return target if target.startswith("/") and not target.startswith("//") else "/"
