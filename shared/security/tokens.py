"""Keys and tokens (PyJWT over `cryptography`; nothing hand-rolled): the issuer's signing keys,
client assertions (RFC 7523, as SMART Backend Services uses them) and the access tokens the
issuer signs. Pure: no database, no network."""

from __future__ import annotations

import json
import secrets
import time
import uuid
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

ISSUER = "rcmflow"
AUDIENCE = "rcmflow"
# SMART Backend Services asks servers to support RS384 and ES384; ES384 keys are what rcm makes.
ALGORITHMS = ["ES384", "RS384", "ES256", "RS256"]
SIGNING_ALGORITHM = "ES384"
CLIENT_TOKEN_SECONDS = 300  # SMART's recommended maximum for a backend access token
USER_TOKEN_SECONDS = 8 * 3600  # a person's working session
ASSERTION_MAX_SECONDS = 300  # a client assertion may not be valid longer than this
CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


class TokenError(Exception):
    """A token or assertion that does not verify. The message says why, never what it held."""


@dataclass(frozen=True)
class KeyPair:
    kid: str
    private_pem: str
    public_jwk: dict[str, Any]


def new_key_pair() -> KeyPair:
    """A fresh P-384 key pair (ES384) with a random key id."""
    key = ec.generate_private_key(ec.SECP384R1())
    kid = uuid.uuid4().hex
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(key.public_key()))
    jwk.update({"kid": kid, "alg": SIGNING_ALGORITHM, "use": "sig"})
    return KeyPair(kid, pem, jwk)


def public_key(jwk: dict[str, Any]) -> Any:
    return jwt.PyJWK.from_dict(jwk).key


def client_assertion(client_id: str, private_pem: str, kid: str, token_url: str) -> str:
    """What a client posts as `client_assertion`: signed with its own private key, valid 5 min."""
    now = int(time.time())
    claims = {"iss": client_id, "sub": client_id, "aud": token_url, "iat": now, "exp": now + 240,
              "jti": secrets.token_urlsafe(16)}  # fmt: skip
    return jwt.encode(claims, private_pem, algorithm=SIGNING_ALGORITHM, headers={"kid": kid})


def assertion_client_id(assertion: str) -> str:
    """The client an assertion claims to come from (not yet verified: only to find its key)."""
    try:
        claims = jwt.decode(assertion, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise TokenError("client_assertion is not a JWT") from None
    client_id = claims.get("sub")
    if not isinstance(client_id, str) or claims.get("iss") != client_id:
        raise TokenError("client_assertion must carry iss = sub = the client id")
    return client_id


def verify_assertion(assertion: str, client_jwk: dict[str, Any], audiences: list[str]) -> dict[str, Any]:
    """The assertion's claims, once its signature, audience, expiry and lifetime check out."""
    try:
        claims: dict[str, Any] = jwt.decode(
            assertion,
            public_key(client_jwk),
            algorithms=ALGORITHMS,
            audience=audiences,
            options={"require": ["iss", "sub", "aud", "exp", "jti"]},
            leeway=30,
        )
    except jwt.ExpiredSignatureError:
        raise TokenError("client_assertion has expired") from None
    except jwt.InvalidAudienceError:
        raise TokenError("client_assertion's aud is not this token endpoint") from None
    except jwt.PyJWTError:
        raise TokenError("client_assertion is not signed by the client's registered key") from None
    if claims["exp"] - int(time.time()) > ASSERTION_MAX_SECONDS + 30:
        raise TokenError("client_assertion may be valid for 5 minutes at most")
    return claims


def issue(
    signing: KeyPair, subject: str, kind: str, scopes: list[str], roles: list[str], seconds: int
) -> tuple[str, int]:
    """An access token (JWT) for a client or a user, and its lifetime in seconds."""
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": subject, "kind": kind, "scope": " ".join(sorted(scopes)),
              "roles": sorted(roles), "iat": now, "exp": now + seconds, "jti": secrets.token_urlsafe(12)}  # fmt: skip
    token = jwt.encode(claims, signing.private_pem, algorithm=SIGNING_ALGORITHM, headers={"kid": signing.kid})
    return token, seconds


def token_key_id(token: str) -> str:
    try:
        kid = jwt.get_unverified_header(token).get("kid")
    except jwt.PyJWTError:
        raise TokenError("the bearer token is not a JWT") from None
    if not isinstance(kid, str):
        raise TokenError("the bearer token names no signing key")
    return kid


def verify_access_token(token: str, issuer_jwk: dict[str, Any]) -> dict[str, Any]:
    """The access token's claims, once signature, issuer, audience and expiry check out."""
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            public_key(issuer_jwk),
            algorithms=[SIGNING_ALGORITHM],
            audience=AUDIENCE,
            issuer=ISSUER,
            options={"require": ["iss", "aud", "sub", "exp", "kind"]},
        )
    except jwt.ExpiredSignatureError:
        raise TokenError("the access token has expired; get a new one") from None
    except jwt.PyJWTError:
        raise TokenError("the access token does not verify") from None
    if claims["kind"] not in ("client", "user"):
        raise TokenError("the access token does not verify")
    return claims
