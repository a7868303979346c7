"""TLS for every rcmflow connection (45 CFR 164.312(e), transmission security): a local CA and
certificates made once with `openssl` under .run/tls (git-ignored; private keys 0600), and the
one place that builds `ssl.SSLContext`s from settings — HTTP servers (every service's web port,
/metrics included), MLLP, Kafka and Postgres clients. Nothing else builds one.

Plain HTTP only with RCM_INSECURE_HTTP=1 (development; documented in docs/security.md)."""

from __future__ import annotations

import base64
import hashlib
import os
import ssl
import subprocess
import sys
import tempfile
from pathlib import Path

from shared.settings import get_settings

# One certificate (and key) per server, each for localhost and 127.0.0.1: the services by their
# pipeline names, the infrastructure, and `mllp-sender`, a client certificate for an HL7 sender
# when the MLLP listener asks for one (RCM_MLLP_CLIENT_CERT).
SERVICES = ("encounter", "coder", "biller", "payer-sim", "console")
INFRASTRUCTURE = ("kafka", "postgres", "supervisor")
CLIENTS = ("mllp-sender",)
CA_DAYS, LEAF_DAYS = 3650, 825
PRIVATE = 0o600


def tls_dir() -> Path:
    return Path(get_settings().tls_dir)


def ca_file() -> Path:
    return tls_dir() / "ca.pem"


def cert_file(name: str) -> Path:
    return tls_dir() / f"{name}.pem"


def key_file(name: str) -> Path:
    return tls_dir() / f"{name}.key"


def _openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True)


def _new_leaf(directory: Path, name: str) -> None:
    """A P-256 key and a certificate signed by the CA, for both serving and client use."""
    key, cert = directory / f"{name}.key", directory / f"{name}.pem"
    extensions = (
        "basicConstraints=critical,CA:FALSE\n"
        "keyUsage=critical,digitalSignature,keyEncipherment\n"
        "extendedKeyUsage=serverAuth,clientAuth\n"
        f"subjectAltName=DNS:localhost,IP:127.0.0.1,DNS:{name}\n"
    )
    with tempfile.TemporaryDirectory() as scratch:
        csr, ext = Path(scratch) / "req.csr", Path(scratch) / "ext.cnf"
        ext.write_text(extensions)
        _openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                 "-keyout", str(key), "-out", str(csr), "-subj", f"/O=rcmflow/CN={name}")  # fmt: skip
        key.chmod(PRIVATE)
        _openssl("x509", "-req", "-in", str(csr), "-CA", str(directory / "ca.pem"),
                 "-CAkey", str(directory / "ca.key"), "-set_serial", str(int.from_bytes(os.urandom(8), "big")),
                 "-days", str(LEAF_DAYS), "-sha256", "-extfile", str(ext), "-out", str(cert))  # fmt: skip


def ensure_certificates(directory: Path | None = None) -> list[str]:
    """Create the CA and every missing certificate (safe to run again). Returns what it made.
    To rotate: delete the files (all of .run/tls for a new CA) and run it again (docs/security.md)."""
    directory = directory or tls_dir()
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(0o755)  # the CA certificate is public; the keys in it are 0600
    made: list[str] = []
    old_umask = os.umask(0o077)
    try:
        if not (directory / "ca.pem").exists() or not (directory / "ca.key").exists():
            for name in (*SERVICES, *INFRASTRUCTURE, *CLIENTS):  # a new CA: every leaf again
                (directory / f"{name}.pem").unlink(missing_ok=True)
            _openssl("req", "-x509", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                     "-keyout", str(directory / "ca.key"), "-out", str(directory / "ca.pem"),
                     "-days", str(CA_DAYS), "-sha256", "-subj", "/O=rcmflow/CN=rcmflow local CA",
                     "-addext", "basicConstraints=critical,CA:TRUE",
                     "-addext", "keyUsage=critical,keyCertSign,cRLSign")  # fmt: skip
            (directory / "ca.key").chmod(PRIVATE)
            (directory / "ca.pem").chmod(0o644)
            made.append("ca")
        for name in (*SERVICES, *INFRASTRUCTURE, *CLIENTS):
            if not (directory / f"{name}.pem").exists() or not (directory / f"{name}.key").exists():
                _new_leaf(directory, name)
                made.append(name)
    finally:
        os.umask(old_umask)
    return made


def http_enabled_insecure() -> bool:
    return get_settings().insecure_http


def scheme() -> str:
    return "http" if http_enabled_insecure() else "https"


def url(port: int, path: str = "", host: str | None = None) -> str:
    """Where a service's web port answers: https://127.0.0.1:PORT/path (http only when switched on)."""
    return f"{scheme()}://{host or get_settings().web_host}:{port}{path}"


def server_context(name: str, *, client_certs: str = "none") -> ssl.SSLContext | None:
    """The server side of `name`'s certificate (None when plain HTTP is switched on).
    client_certs: none | optional | required — whether a client certificate signed by the CA is
    asked for (and then checked)."""
    if http_enabled_insecure():
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=str(ca_file()))
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(str(cert_file(name)), str(key_file(name)))
    context.verify_mode = {"none": ssl.CERT_NONE, "optional": ssl.CERT_OPTIONAL, "required": ssl.CERT_REQUIRED}[
        client_certs
    ]
    return context


def client_context(certificate: str | None = None) -> ssl.SSLContext:
    """A client that trusts only the local CA (and checks host names); with `certificate`, it
    presents that certificate too (an MLLP sender, a Kafka or Postgres client)."""
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=str(ca_file()))
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if certificate:
        context.load_cert_chain(str(cert_file(certificate)), str(key_file(certificate)))
    return context


def http_verify() -> ssl.SSLContext | bool:
    """For httpx/aiohttp clients of the services: the CA's context, or default checks over http."""
    return True if http_enabled_insecure() else client_context()


def spki_sha256(name: str) -> str:
    """base64 SHA-256 of a certificate's public key: what Chromium's
    --ignore-certificate-errors-spki-list takes to trust that one key (the browser tests)."""
    public = subprocess.run(["openssl", "x509", "-in", str(cert_file(name)), "-noout", "-pubkey"],
                            check=True, capture_output=True).stdout  # fmt: skip
    der = subprocess.run(
        ["openssl", "pkey", "-pubin", "-outform", "der"], input=public, check=True, capture_output=True
    )
    return base64.b64encode(hashlib.sha256(der.stdout).digest()).decode()


def main() -> None:
    """`python -m shared.tls`: make what is missing (deploy/local/infra.sh runs it before Postgres)."""
    made = ensure_certificates()
    print(f"TLS certificates in {tls_dir()}: {'made ' + ', '.join(made) if made else 'present'}", file=sys.stderr)


if __name__ == "__main__":
    main()
