"""Quiet outages: a storm of connection errors from one Kafka client becomes one line, and a
summary with the outage's length once the errors stop."""

from __future__ import annotations

import logging
import time

import pytest

from shared import outage_log


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.name}: {record.getMessage()}")


@pytest.fixture
def logged(monkeypatch: pytest.MonkeyPatch) -> Collect:
    monkeypatch.setattr(outage_log, "OVER_AFTER", 0.3)
    quiet = outage_log.OutageFilter()
    handler = Collect()
    handler.addFilter(quiet)
    root = logging.getLogger()
    root.addHandler(handler)
    yield handler
    root.removeHandler(handler)


def test_a_storm_of_connection_errors_is_one_line_then_a_summary(logged: Collect) -> None:
    conn = logging.getLogger("aiokafka.conn")
    for _ in range(1000):
        conn.error("Unable connect to node with id 1: [Errno 111] Connect call failed")
    assert len(logged.lines) == 1 and "held back" in logged.lines[0]
    time.sleep(1.6)  # the watcher notices the quiet and sums up
    assert len(logged.lines) == 2
    assert "the outage lasted" in logged.lines[1] and "999 repeated errors" in logged.lines[1]


def test_each_client_gets_its_own_line_and_other_warnings_pass(logged: Collect) -> None:
    logging.getLogger("aiokafka.conn").error("Unable connect to node with id 1")
    logging.getLogger("aiokafka.conn").error("Unable connect to node with id 1")
    logging.getLogger("aiokafka.consumer.group_coordinator").error("Error sending OffsetCommitRequest: timeout")
    logging.getLogger("aiokafka.conn").warning("unexpected record batch")  # not a connection error
    logging.getLogger("shared.streaming").warning("transient error, retrying in 1s: timeout")  # not a client
    assert len(logged.lines) == 4
    assert sum("held back" in line for line in logged.lines) == 2
