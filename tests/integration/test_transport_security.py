"""Transmission security (45 CFR 164.312(e)) against the running stack: every web port answers
only over TLS with a certificate of the local CA, MLLP too, and a listener asking for client
certificates refuses a sender without one. Fails if any of these controls is removed."""

from __future__ import annotations

import asyncio
import ssl
import stat

import httpx
import pytest

from encounter.adapters.mllp import MllpServer, frame
from shared import tls
from shared.pipeline import STAGES
from shared.settings import get_settings
from tests.helpers import open_tls_connection, service_url, web

pytestmark = pytest.mark.skipif(get_settings().insecure_http, reason="RCM_INSECURE_HTTP=1: plain HTTP switched on")

SUPERVISOR_OFFSET = 5  # deploy/local/services.sh: each worker's supervisor serves /metrics on its own port + 5


def web_ports() -> list[int]:
    """Each stage's port; a worker's own port where the stage shares one (the encounter); the supervisors'."""
    own = [s.worker_port() for s in STAGES]
    return sorted({s.port() for s in STAGES} | set(own) | {p + SUPERVISOR_OFFSET for p in own})


@pytest.mark.parametrize("port", web_ports())
def test_every_web_port_answers_over_tls_only(port: int) -> None:
    assert web().get(service_url(port, "/metrics"), timeout=10).status_code == 200
    plain = service_url(port, "/metrics").replace("https://", "http://")
    with pytest.raises(httpx.HTTPError):  # a TLS listener does not speak HTTP in the clear
        httpx.get(plain, timeout=10)
    with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):  # not a public CA's
        httpx.get(service_url(port, "/metrics"), timeout=10, verify=True)


async def test_mllp_answers_over_tls_and_not_in_the_clear() -> None:
    s = get_settings()
    reader, writer = await open_tls_connection(s.mllp_port)
    try:
        writer.write(frame("MSH|^~\\&|broken"))
        await writer.drain()
        answer = await asyncio.wait_for(reader.readuntil(b"\x1c\x0d"), timeout=30)
        assert b"MSA|AR" in answer or b"MSA|AE" in answer
    finally:
        writer.close()
    reader, writer = await asyncio.open_connection(s.web_host, s.mllp_port)  # no TLS
    try:
        writer.write(frame("MSH|^~\\&|broken"))
        await writer.drain()
        assert b"MSA" not in await asyncio.wait_for(reader.read(), timeout=30)  # closed, never answered
    finally:
        writer.close()


async def test_mllp_listener_asking_for_client_certificates_refuses_a_sender_without_one() -> None:
    async def answer(text: str) -> str:
        return "MSH|^~\\&|rcmflow\rMSA|AA|1"

    server = MllpServer(answer, broken_frame_ack=lambda reason: "MSA|AR")
    await server.start("127.0.0.1", 0, tls.server_context("encounter", client_certs="required"))
    assert server.server is not None
    port = server.server.sockets[0].getsockname()[1]
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port, ssl=tls.client_context("mllp-sender"))
        writer.write(frame("MSH|^~\\&|sender"))
        await writer.drain()
        assert b"MSA|AA" in await asyncio.wait_for(reader.readuntil(b"\x1c\x0d"), timeout=10)
        writer.close()
        with pytest.raises((ssl.SSLError, ConnectionError, asyncio.IncompleteReadError)):
            reader, writer = await asyncio.open_connection("127.0.0.1", port, ssl=tls.client_context())
            writer.write(frame("MSH|^~\\&|sender"))
            await writer.drain()
            await asyncio.wait_for(reader.readuntil(b"\x1c\x0d"), timeout=10)  # TLS 1.3: refused after the handshake
    finally:
        await server.stop()


def test_private_keys_are_readable_by_their_owner_only() -> None:
    keys = sorted(tls.tls_dir().glob("*.key"))
    assert {k.stem for k in keys} >= {"ca", *tls.SERVICES, *tls.INFRASTRUCTURE}
    for key in keys:
        assert stat.S_IMODE(key.stat().st_mode) == 0o600, key
