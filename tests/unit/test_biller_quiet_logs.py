"""During an outage the clients' repeated failures are held back, and counted."""

from __future__ import annotations

import logging

from biller.entrypoints.quiet_logs import OncePerWindow, install


def record(msg: str, *args: object, level: int = logging.ERROR, name: str = "aiokafka") -> logging.LogRecord:
    return logging.LogRecord(name, level, __file__, 1, msg, args, None)


def test_one_line_per_kind_per_window_then_the_count_held_back() -> None:
    now = [0.0]
    quiet = OncePerWindow(60.0, clock=lambda: now[0])
    template = "Unable connect to node with id %s: %s"
    assert quiet.filter(record(template, 1, "refused"))
    assert [quiet.filter(record(template, 1, "refused")) for _ in range(500)] == [False] * 500
    assert quiet.filter(record("Unable to update metadata from %s", [1]))  # another kind: shown
    assert quiet.filter(record(template, 1, "refused", name="aiokafka.conn"))  # another client: shown
    now[0] = 61.0
    later = record(template, 1, "refused")
    assert quiet.filter(later)
    assert "500 more like this held back" in later.getMessage()
    assert later.getMessage().startswith("Unable connect to node with id 1: refused")


def test_info_and_debug_are_left_alone() -> None:
    quiet = OncePerWindow(60.0, clock=lambda: 0.0)
    assert all(quiet.filter(record("Starting the Kafka producer", level=logging.INFO)) for _ in range(3))


def test_install_puts_one_filter_on_each_noisy_logger() -> None:
    install()
    install()
    filters = [f for f in logging.getLogger("aiokafka.consumer.fetcher").filters if isinstance(f, OncePerWindow)]
    assert len(filters) == 1
