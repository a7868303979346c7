"""Generated secrets of the local stack: one random password per Postgres role and Kafka
principal, made once under .run/secrets (directory 0700, files 0600, git-ignored), read by
whoever connects as that role. Rotating one: `rcm init --rotate NAME` (docs/security.md)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from shared.settings import get_settings


def secrets_dir() -> Path:
    return Path(get_settings().secrets_dir)


def secret_file(name: str) -> Path:
    return secrets_dir() / f"{name}.password"


def from_environment(name: str) -> str | None:
    """RCM_SECRET_<NAME> (pg-coder: RCM_SECRET_PG_CODER): where compose hands a container the
    secrets of its env file instead of files (deploy/docker-compose.yml)."""
    return os.environ.get("RCM_SECRET_" + name.upper().replace("-", "_")) or None


def password(name: str, *, new: bool = False) -> str:
    """The password of `name` (e.g. pg-coder, kafka-coder), made on first use; `new` replaces it."""
    given = from_environment(name)
    if given and not new:
        return given
    path = secret_file(name)
    if path.exists() and not new:
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.parent.chmod(0o700)
    value = secrets.token_urlsafe(32)  # letters, digits, - and _: safe inside a SQL or JAAS literal
    temporary = path.with_suffix(".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as out:
        out.write(value + "\n")
    temporary.replace(path)
    return value


def known_password(name: str) -> str | None:
    """The password of `name` if one was made (connecting never makes one)."""
    given = from_environment(name)
    if given:
        return given
    path = secret_file(name)
    return path.read_text().strip() if path.exists() else None
