"""MLLP (minimal lower layer protocol) listener for HL7 v2: each message comes framed as
<VT> message <FS><CR>; each gets an ACK framed the same way. A broken frame is answered with
an AR and the listener waits for the next start block; the connection stays open."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

START, END, CR = b"\x0b", b"\x1c", b"\x0d"
MAX_MESSAGE = 1024 * 1024

log = logging.getLogger(__name__)

Handler = Callable[[str], Awaitable[str]]  # message text -> ACK text


def frame(text: str) -> bytes:
    return START + text.encode() + END + CR


class MllpServer:
    def __init__(self, handle: Handler, broken_frame_ack: Callable[[str], str]) -> None:
        self.handle = handle
        self.broken_frame_ack = broken_frame_ack
        self.server: asyncio.base_events.Server | None = None

    async def start(self, host: str, port: int) -> None:
        self.server = await asyncio.start_server(self._connection, host, port)
        log.info("MLLP listening on %s:%d", host, port)

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        buffer = b""
        try:
            while True:
                chunk = await reader.read(65536)
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
                    if START in body:  # a new start block inside: the previous frame never ended
                        writer.write(frame(self.broken_frame_ack("start block inside a frame (end block missing)")))
                        buffer = body[body.rfind(START) :] + END + CR + buffer
                        continue
                    writer.write(frame(await self.handle(body.decode(errors="replace"))))
                await writer.drain()
        except (ConnectionResetError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()
