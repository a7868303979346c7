"""A stage's parts of a batch (shared/batch_pace.py) are sized so each takes about BATCH_SECONDS:
small while nothing is measured, grown at most twofold a part, never past the batch size, and
cut back when the machine slows down."""

from __future__ import annotations

from shared.batch_pace import FIRST_PART, BatchPace


def test_a_fresh_stage_starts_with_a_small_part() -> None:
    assert BatchPace(500, 2.0).size == FIRST_PART
    assert BatchPace(5, 2.0).size == 5  # never more than a batch


def test_quick_parts_grow_to_the_whole_batch_at_most_twofold_each() -> None:
    pace = BatchPace(500, 2.0)
    sizes = []
    for _ in range(8):
        pace.took(pace.size, 0.01 * pace.size / 100)  # 0.1 ms an event: 20,000 would fit in 2 s
        sizes.append(pace.size)
    assert sizes == [40, 80, 160, 320, 500, 500, 500, 500]


def test_slow_parts_are_cut_to_what_fits_in_the_time() -> None:
    pace = BatchPace(500, 2.0, size=400)
    pace.took(400, 40.0)  # 0.1 s an event: 20 fit in 2 s
    assert pace.size == 20
    pace.took(20, 10.0)  # slower still: 0.5 s an event
    assert pace.size == 4
    pace.took(4, 100.0)
    assert pace.size == 1  # never nothing
    pace.took(0, 0.0)  # nothing measured changes nothing
    assert pace.size == 1
