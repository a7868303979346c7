"""`rcm bench coder`'s steady-state rate leaves the start-up out: a run that idles while its
workers start and then codes at a constant rate reports that rate, not the whole run's average."""

from bench.stages import steady_rate


def test_steady_rate_is_the_rate_after_start_up_not_the_average() -> None:
    # 5 s of start-up with nothing coded, then 1,000 events a second until 10,000
    progress = [(t / 10, 0) for t in range(50)] + [(5 + t / 10, t * 100) for t in range(101)]
    assert steady_rate(progress, 10_000) == 1000.0
    assert 10_000 / progress[-1][0] < 700  # the whole run's average, start-up included


def test_steady_rate_of_a_run_that_slows_down_is_lower() -> None:
    fast_then_slow = [(t / 10, t * 100) for t in range(41)] + [(4 + t / 10, 4000 + t * 50) for t in range(1, 121)]
    assert steady_rate(fast_then_slow, 10_000) < 1000.0
