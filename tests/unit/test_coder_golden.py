"""The coding engine's results pinned byte for byte (bench/coder_golden.py): every hand-coded corpus
and 3,000 synthetic visits give exactly the recorded results. A speed change must leave this
green; a rule change that is meant to alter coding records the new results with
`rcm bench coder-golden --write`, and the file's diff shows which visits it changed."""

from __future__ import annotations

import json

from bench.coder_golden import GOLDEN, SYNTHETIC_VISITS, differences, digests, result_bytes
from coder.adapters.reference import load_tables
from coder.domain.coding import code_visit
from tests.unit.sample import make_visit


def test_every_visit_gives_the_recorded_result() -> None:
    expected = json.loads(GOLDEN.read_text())
    actual = digests()
    assert sum(k.startswith("synthetic:") for k in actual) == SYNTHETIC_VISITS
    assert len(actual) > SYNTHETIC_VISITS + 800  # the corpora are in it
    changed = differences(expected, actual)
    assert not changed, f"{len(changed)} results differ (a rule change: rcm bench coder-golden --write): {changed[:40]}"


def test_the_bytes_cover_the_whole_result() -> None:
    """A change anywhere in a result (here: a review reason, a modifier) changes its bytes."""
    result = code_visit(make_visit(diagnoses=[{"text": "high blood pressure"}]), load_tables())
    before = result_bytes(result)
    result.service_lines[0] = result.service_lines[0].model_copy(update={"modifiers": ["25"]})
    assert result_bytes(result) != before
    result.review_reasons.clear()
    result.code_sets["ICD-10-CM"] = "changed"
    assert result_bytes(result) != before


def test_a_missing_or_changed_digest_is_a_difference() -> None:
    assert differences({"a": "1", "b": "2"}, {"a": "1", "b": "3", "c": "4"}) == ["b", "c"]
