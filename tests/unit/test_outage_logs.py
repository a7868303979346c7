"""Quiet outages: a run of one connection error logs its first line, then one line per doubling
window with the count held back; a new outage after a quiet spell logs again at once."""

import logging

from shared.outages import OutageLogFilter


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def record(msg: str = "Unable connect to node with id %s: %s", level: int = logging.ERROR) -> logging.LogRecord:
    return logging.LogRecord("aiokafka.client", level, __file__, 1, msg, (1, "refused"), None)


def test_a_run_of_errors_logs_its_first_line_then_one_per_doubling_window_with_the_count() -> None:
    clock = Clock()
    quiet = OutageLogFilter(first_window=5, max_window=20, quiet_after=60, clock=clock)
    passed: list[str] = []
    for tick in range(0, 400):  # ten a second for 40 s
        clock.now = tick / 10
        r = record()
        if quiet.filter(r):
            passed.append(f"{clock.now:g} {r.getMessage()}")
    assert [p.split(" ")[0] for p in passed] == ["0", "5", "15", "35"]  # windows of 5, 10, 20 (the cap) s
    assert passed[0].endswith("Unable connect to node with id 1: refused")
    assert passed[1].endswith("[49 more like this held back in the last 5 s]")
    assert passed[2].endswith("[99 more like this held back in the last 10 s]")
    assert passed[3].endswith("[199 more like this held back in the last 20 s]")


def test_other_messages_info_lines_and_a_later_outage_are_not_held_back() -> None:
    clock = Clock()
    quiet = OutageLogFilter(first_window=5, quiet_after=60, clock=clock)
    assert quiet.filter(record())
    assert not quiet.filter(record())
    assert quiet.filter(record("Unable to update metadata from %s"))  # another error: its own run
    assert quiet.filter(record(level=logging.INFO))
    clock.now = 61  # quiet for a minute: the next outage is news
    assert quiet.filter(record())
    assert not quiet.filter(record())
