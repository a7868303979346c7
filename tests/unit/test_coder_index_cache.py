"""The coder's diagnosis index kept on disk (adapters/diagnosis_data.py) codes exactly as the one
built in the process: the same state after a pickle round trip, the same results for ~50 varied
visits, and a kept file is what the next start reads."""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from coder.adapters import diagnosis_data
from coder.adapters.code_set_cache import keep_pickle
from coder.adapters.reference import DATA_DIR, load_tables
from coder.domain.coding import code_visit
from coder.domain.text_index import DiagnosisIndex
from shared.settings import get_settings
from tests.unit.sample import make_visit
from tests.unit.test_diagnosis_determinism import CODES, TEXTS


@pytest.fixture
def kept_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("RCM_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CODER_INDEX_CACHE", "1")
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def state(index: DiagnosisIndex) -> dict[str, object]:
    return {k: v for k, v in vars(index).items() if k not in diagnosis_data.LOOKUP_CACHES}


def coded(index: DiagnosisIndex) -> list[list[str]]:
    tables = replace(load_tables(), diagnosis_index=index)
    out = []
    for n in range(50):
        entries = [{"text": TEXTS[(n * 7 + k) % len(TEXTS)]} for k in range(n % 3 + 1)]
        entries += [{"code": CODES[(n + k) % len(CODES)]} for k in range(n % 2)]
        result = code_visit(make_visit(visit_id=f"V-IDX-{n}", diagnoses=entries, procedures=[]), tables)
        out.append([d.model_dump_json() for d in (*result.diagnoses, *result.review_reasons)])
    return out


def test_a_pickled_index_codes_as_the_built_one() -> None:
    built = load_tables().diagnosis_index
    loaded = pickle.loads(pickle.dumps(built, protocol=pickle.HIGHEST_PROTOCOL))
    assert loaded is not built
    assert state(loaded) == state(built)
    before = coded(built)
    assert any("dx-text-unsure" in r for visit in before for r in visit)  # the index was asked, not only codes
    assert coded(loaded) == before
    # the respelling path reads the postings through the rebuilt speller
    assert loaded.speller.nearest("hypertensoin") == built.speller.nearest("hypertensoin")


def test_a_kept_index_is_read_by_the_next_start(kept_in: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    built = load_tables().diagnosis_index
    path = kept_in / f"coder-index-{diagnosis_data._index_key(DATA_DIR)}.pickle"
    keep_pickle(path, built, "coder index")
    assert [p.name for p in kept_in.iterdir()] == [path.name]  # no temporary file left behind

    def no_building(*args: object) -> None:
        raise AssertionError("the index was built, not read")

    monkeypatch.setattr(DiagnosisIndex, "__init__", no_building)
    read = diagnosis_data.load_diagnosis_index(DATA_DIR)
    assert read is not built and state(read) == state(built)
