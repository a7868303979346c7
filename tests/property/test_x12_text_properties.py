"""Property: the intake's check and the renderers agree. For any text at all, what `check_text`
accepts becomes an element within its lengths, in the X12 data character set, with no
delimiter; what the renderer refuses, the intake refuses too; no error quotes the value."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from shared import x12
from tests.property.strategies import HOSTILE, PLAIN, examples

anything = st.text(st.one_of(st.characters(), st.sampled_from(HOSTILE), st.sampled_from(PLAIN)), max_size=80)
limits = st.tuples(st.integers(1, 3), st.integers(3, 60))


@settings(max_examples=examples(500))
@given(anything, limits, st.booleans())
def test_intake_check_and_renderer_agree(value: str, bounds: tuple[int, int], truncate: bool) -> None:
    min_len, max_len = bounds
    problem = x12.check_text(value, max_len, min_len)
    try:
        written = x12.element(value, "NM103", max_len, min_len, truncate=truncate)
    except x12.X12ElementError as refused:
        assert problem is not None  # the renderer never refuses what the intake accepted
        assert refused.element == "NM103"
        assert len(value) < 4 or value not in str(refused)
        return
    assert min_len <= len(written) <= max_len
    assert set(written) <= x12.DATA_CHARACTERS
    assert written == written.strip() and "  " not in written
    if problem is None:
        assert written == x12.normalise(value)  # accepted at intake: written whole, never cut
    assert problem is None or len(value) < 4 or value not in problem
