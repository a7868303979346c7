"""A coder started on the kept ICD-10-CM code set (adapters/code_set_cache.py) holds the same code
set and codes the same visits as one that parsed it: two fresh processes, the first parsing and
keeping, the second reading what was kept without parsing. Each prints how it loaded the code set,
a digest of everything the library answers about every code, and the coding of ~50 varied visits;
a torn kept file is parsed again."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

START = """
import hashlib, json, sys
from coder.adapters import code_set_cache
how = code_set_cache.prepare()  # as the coder's entry point does, before anything imports the library
import simple_icd_10_cm as icd
from tests.unit.test_coder_index_cache import coded
from coder.adapters.reference import load_tables
digest = hashlib.sha256()
for code in icd.get_all_codes():
    answers = (icd.get_full_data(code, search_in_ancestors=True), icd.get_ancestors(code),
               icd.is_leaf(code), icd.get_seven_chr_def(code, search_in_ancestors=True))
    digest.update(repr(answers).encode())
print(json.dumps({"how": how, "codes": len(icd.get_all_codes()), "digest": digest.hexdigest(),
                  "coded": coded(load_tables().diagnosis_index)}))
"""


def start(data_dir: Path) -> dict[str, object]:
    env = {**os.environ, "RCM_DATA_DIR": str(data_dir), "CODER_INDEX_CACHE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", START], cwd=ROOT, env=env, capture_output=True, text=True, check=True, timeout=600
    )
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@pytest.mark.slow  # three fresh coders: the first parses the code set and builds the index
def test_a_start_on_the_kept_code_set_codes_as_a_start_that_parsed_it(tmp_path: Path) -> None:
    cold = start(tmp_path)
    assert cold["how"] == "parsed"
    [kept] = tmp_path.glob("icd10cm-*.pickle")  # kept for the next start
    warm = start(tmp_path)
    assert warm["how"] == "kept"
    assert warm["codes"] == cold["codes"] and isinstance(cold["codes"], int) and cold["codes"] > 90_000
    assert warm["digest"] == cold["digest"]
    assert warm["coded"] == cold["coded"]
    assert any("dx-text-unsure" in r for visit in cold["coded"] for r in visit)  # type: ignore[attr-defined]
    # a torn file (a crash while it was written elsewhere, a full disk): parsed again and replaced
    kept.write_bytes(kept.read_bytes()[:1000])
    again = start(tmp_path)
    assert again["how"] == "parsed" and again["digest"] == cold["digest"]
    assert kept.stat().st_size > 1_000_000
