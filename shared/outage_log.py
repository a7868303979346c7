"""Quiet outages: while the broker is away, aiokafka and faust log a connection error every few
milliseconds (65,000 lines per service in a 10-minute outage). This filter lets the first one
of an outage through per client (logger), holds back the repeats, says every few minutes that
the outage goes on, and logs one summary with the outage's length once the errors stop.

Installed by streaming.make_app on the loggers of the Kafka clients; a record it does not
recognise as a connection error passes untouched."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

# Loggers whose connection errors are held back (their children included).
CLIENT_LOGGERS = ("aiokafka", "faust.transport", "faust.sensors", "mode", "faust.tables", "faust.app")
# What a connection error says (aiokafka and faust word it in many ways).
MARKERS = (
    "connect",
    "unable to",
    "nodenotready",
    "coordinator",
    "metadata",
    "timed out",
    "timeout",
    "broken pipe",
    "kafkaerror",
    "brokers",
    "not available",
)
OVER_AFTER = 10.0  # seconds without a connection error: the outage is over
REMIND_EVERY = 300.0  # a line every five minutes while it lasts


@dataclass
class _Outage:
    started: float
    last: float
    held_back: int = 0
    reminded: float = 0.0


class OutageFilter(logging.Filter):
    def __init__(self) -> None:
        super().__init__("rcmflow-outages")
        self._lock = threading.Lock()
        self._outages: dict[str, _Outage] = {}
        self._watcher: threading.Thread | None = None

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING or getattr(record, "rcm_outage_summary", False):
            return True
        if not record.name.startswith(CLIENT_LOGGERS):
            return True
        if not _is_connection_error(record):
            return True
        now = time.monotonic()
        client = record.name
        with self._lock:
            outage = self._outages.get(client)
            if outage is None:
                self._outages[client] = _Outage(started=now, last=now, reminded=now)
                self._watch()
                record.msg = f"{client}: {record.msg} (repeats held back until the connection is back)"
                return True
            outage.last = now
            outage.held_back += 1
            if now - outage.reminded < REMIND_EVERY:
                return False
            outage.reminded = now
        logging.getLogger(client).warning(
            "%s: still no connection after %.0f s (%d repeated errors held back)",
            client,
            now - outage.started,
            outage.held_back,
            extra={"rcm_outage_summary": True},
        )
        return False

    def _watch(self) -> None:
        if self._watcher is None or not self._watcher.is_alive():
            self._watcher = threading.Thread(target=self._close_outages, name="outage-log", daemon=True)
            self._watcher.start()

    def _close_outages(self) -> None:
        while True:
            time.sleep(1.0)
            now = time.monotonic()
            with self._lock:
                over = {c: o for c, o in self._outages.items() if now - o.last >= OVER_AFTER}
                for client in over:
                    del self._outages[client]
                remaining = bool(self._outages)
            for client, o in over.items():
                logging.getLogger(client).warning(
                    "%s: connection errors stopped, the outage lasted %.0f s (%d repeated errors held back)",
                    client,
                    o.last - o.started,
                    o.held_back,
                    extra={"rcm_outage_summary": True},
                )
            if not remaining:
                return


def _is_connection_error(record: logging.LogRecord) -> bool:
    try:
        text = record.getMessage().lower()
    except Exception:  # a malformed record is not ours to judge
        return False
    if record.exc_info and record.exc_info[0] is not None:
        text += " " + record.exc_info[0].__name__.lower()
    return any(marker in text for marker in MARKERS)


_installed = OutageFilter()


def install() -> OutageFilter:
    """Attach the one filter to every Kafka-client logger that exists now (created when their
    modules were imported) — a logger's filter sees only its own records, so call
    install_on_handlers() too once the worker has set up logging."""
    names = [n for n in logging.root.manager.loggerDict if n.startswith(CLIENT_LOGGERS)] + list(CLIENT_LOGGERS)
    for name in names:
        logger = logging.getLogger(name)
        if _installed not in logger.filters:
            logger.addFilter(_installed)
    return _installed


def install_on_handlers() -> OutageFilter:
    """Attach the filter to the root logger's handlers: it then sees every record, also those of
    loggers created later (faust sets up its handlers when the worker starts)."""
    for handler in logging.root.handlers:
        if _installed not in handler.filters:
            handler.addFilter(_installed)
    return _installed
