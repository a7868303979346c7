"""Who may send, read and change what, and the record of every access (docs/security.md).

tokens (keys, assertions, access tokens), policy (scopes and roles), store (identities in the
`security` schema), issuer (the token endpoint), guard (every HTTP view's check), access_log
(the append-only, hash-chained record), credentials (a client's side), cli (`rcm clients`,
`rcm users`, `rcm token`, `rcm login`, `rcm access-log`)."""

from pathlib import Path

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
