"""How the fault harness reads recovery from consumer-group samples (bench/faults/probe.py)."""

from __future__ import annotations

from bench.faults.probe import Probe, Sample


def probe_of(*rows: tuple[float, int, int]) -> Probe:
    """(time, committed, end) of one group per sample."""
    return Probe(samples=[Sample(at, {"g": c}, {"g": e}) for at, c, e in rows])


def test_recovery_is_the_first_commit_past_where_the_group_stood() -> None:
    p = probe_of((9.5, 100, 120), (10.5, 100, 130), (11.0, 104, 140), (15.0, 104, 150), (21.0, 110, 160))
    # the commit seen at 11.0 was the killed worker's last (within SETTLED of the kill at 10.0)
    assert p.recovery_seconds(10.0) == 11.0


def test_a_group_that_never_moves_again_has_no_recovery() -> None:
    p = probe_of((9.5, 100, 120), (12.0, 100, 130), (30.0, 100, 140))
    assert p.recovery_seconds(10.0) is None


def test_a_group_with_nothing_to_do_does_not_count() -> None:
    p = probe_of((9.5, 100, 100), (12.0, 100, 100), (30.0, 100, 100))
    assert p.recovery_seconds(10.0) == 0.0
