"""A client's side of the flow: its credentials file (client id, key id, private key, token URL;
written by `rcm clients add --write`, the demo sender's at `.run/credentials/demo-sender.json`)
and getting an access token from the token endpoint with a signed assertion. Used by `rcm token`,
`rcm publish`, the benchmarks and the tests: they authenticate exactly as an EHR would."""

from __future__ import annotations

import os
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import orjson

from shared import tls
from shared.security import tokens
from shared.settings import get_settings

DEMO_SENDER = "demo-sender"


def credentials_dir() -> Path:
    return Path(os.environ.get("RCM_CREDENTIALS_DIR", ".run/credentials"))


def token_url() -> str:
    s = get_settings()
    return os.environ.get("RCM_TOKEN_URL", tls.url(s.encounter_port, "/oauth/token", host=s.web_host))


@dataclass(frozen=True)
class ClientCredentials:
    client_id: str
    kid: str
    private_pem: str
    token_url: str

    def write(self, path: Path) -> None:
        """Owner-only file (it holds a private key)."""
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(orjson.dumps(self.__dict__, option=orjson.OPT_INDENT_2))

    @classmethod
    def read(cls, path: Path | None = None) -> ClientCredentials:
        path = path or credentials_dir() / f"{DEMO_SENDER}.json"
        try:
            data = orjson.loads(path.read_bytes())
        except FileNotFoundError:
            raise FileNotFoundError(f"{path}: no client credentials here; run `rcm init` (demo) or "
                                    "`rcm clients add NAME --write FILE`") from None  # fmt: skip
        return cls(**data)


class TokenRefused(Exception):
    pass


def request_token(creds: ClientCredentials, scope: str = "", url: str | None = None) -> tuple[str, int]:
    """(access token, seconds valid) from the token endpoint. Synchronous (stdlib HTTP): callers
    are commands and tests, some inside a running event loop."""
    target = url or creds.token_url
    assertion = tokens.client_assertion(creds.client_id, creds.private_pem, creds.kid, target)
    form = {"grant_type": "client_credentials", "client_assertion_type": tokens.CLIENT_ASSERTION_TYPE,
            "client_assertion": assertion}  # fmt: skip
    if scope:
        form["scope"] = scope
    request = urllib.request.Request(target, data=urllib.parse.urlencode(form).encode(), method="POST")
    try:
        verify = tls.http_verify()
        context = verify if isinstance(verify, ssl.SSLContext) else None
        with urllib.request.urlopen(request, timeout=30, context=context) as answer:  # our own token URL
            body = orjson.loads(answer.read())
    except urllib.error.HTTPError as exc:
        refused = orjson.loads(exc.read() or b"{}")
        raise TokenRefused(f"{exc.code} {refused.get('error')}: {refused.get('error_description')}") from None
    return str(body["access_token"]), int(body["expires_in"])


class TokenCache:
    """A client's access token, fetched again shortly before it expires."""

    def __init__(self, creds: ClientCredentials, scope: str = "") -> None:
        self.creds = creds
        self.scope = scope
        self._token = ""
        self._until = 0.0

    def token(self) -> str:
        if time.monotonic() > self._until:
            self._token, seconds = request_token(self.creds, self.scope)
            self._until = time.monotonic() + seconds - 30
        return self._token

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token()}"}
