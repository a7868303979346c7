"""MLLP (minimal lower layer protocol) listener for HL7 v2: each message comes framed as
<VT> message <FS><CR>; each gets an ACK framed the same way. A broken frame is answered with
an AR and the listener waits for the next start block; the connection stays open.

Timeouts: a connection with nothing to say for IDLE_TIMEOUT is closed; a frame that has started
must end within READ_TIMEOUT (else an AR, and the connection is closed)."""

from __future__ import annotations

import asyncio
import logging
import ssl
from collections.abc import Awaitable, Callable

START, END, CR = b"\x0b", b"\x1c", b"\x0d"
MAX_MESSAGE = 1024 * 1024
IDLE_TIMEOUT = 300.0
READ_TIMEOUT = 30.0

log = logging.getLogger(__name__)

Handler = Callable[[str], Awaitable[str]]  # message text -> ACK text


def frame(text: str) -> bytes:
    return START + text.encode() + END + CR


class MllpServer:
    def __init__(self, handle: Handler, broken_frame_ack: Callable[[str], str]) -> None:
        self.handle = handle
        self.broken_frame_ack = broken_frame_ack
        self.server: asyncio.base_events.Server | None = None

    async def start(
        self, host: str, port: int, ssl_context: ssl.SSLContext | None = None, *, reuse_port: bool = False
    ) -> None:
        # reuse_port: several encounter workers share the port (shared/faust_web.py)
        self.server = await asyncio.start_server(self._connection, host, port, ssl=ssl_context, reuse_port=reuse_port)
        log.info("MLLP listening on %s:%d (%s)", host, port, "TLS" if ssl_context else "plain, development only")

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        buffer = b""
        frame_started = 0.0
        loop = asyncio.get_running_loop()
        try:
            while True:
                if buffer:
                    frame_started = frame_started or loop.time()
                    wait = READ_TIMEOUT - (loop.time() - frame_started)
                else:
                    frame_started, wait = 0.0, IDLE_TIMEOUT
                try:
                    chunk = await asyncio.wait_for(reader.read(65536), max(wait, 0.001))
                except TimeoutError:
                    if buffer:
                        writer.write(frame(self.broken_frame_ack(f"message not completed within {READ_TIMEOUT:.0f} s")))
                        await writer.drain()
                    break
                if not chunk:
                    break
                buffer += chunk
                while buffer:
                    start = buffer.find(START)
                    if start != 0:
                        garbage, buffer = (buffer, b"") if start < 0 else (buffer[:start], buffer[start:])
                        if garbage.strip(b"\r\n\x1c "):  # bytes outside a frame: say so, then resynchronise
                            writer.write(frame(self.broken_frame_ack("data outside an MLLP frame (no start block)")))
                        continue
                    end = buffer.find(END + CR)
                    if end < 0:
                        if len(buffer) > MAX_MESSAGE:
                            writer.write(frame(self.broken_frame_ack("message too large or end block missing")))
                            buffer = b""
                        break  # wait for the rest of the frame
                    body, buffer = buffer[1:end], buffer[end + 2 :]
                    frame_started = 0.0
                    if START in body:  # a new start block inside: the previous frame never ended
                        writer.write(frame(self.broken_frame_ack("start block inside a frame (end block missing)")))
                        buffer = body[body.rfind(START) :] + END + CR + buffer
                        continue
                    writer.write(frame(await self._answer(body)))
                await writer.drain()
        except (ConnectionResetError, BrokenPipeError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    async def _answer(self, body: bytes) -> str:
        try:
            return await self.handle(body.decode(errors="replace"))
        except Exception as exc:  # the link outlives any one message; the error's text may quote it
            log.warning("MLLP message not handled: %s", type(exc).__name__)
            return self.broken_frame_ack(f"message could not be handled ({type(exc).__name__})")
