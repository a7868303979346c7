"""Same visit, same bytes, in any process: the engine run in two interpreters with different
PYTHONHASHSEED values codes ~50 varied visits to identical serialized results (ties in the text
index are broken by a total order, never by set or dict order)."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEXTS = [
    "high blood pressure", "HLD", "T2DM", "CKD 3b", "HFpEF", "COPD exac", "afib on anticoag", "h/o breast cancer",
    "s/p CABG", "otitis media acute right ear", "knee pain", "laceration of left hand", "suspected pneumonia",
    "r/o strep", "no fever", "fracture of wrist", "Low back pain, unspecified", "acute sinusitis",
    "tennis elbow, right", "broken arm", "chronic low back pain", "diabetes with CKD stage 3a", "MS",
    "obesity with BMI 36", "bmi 31", "annual screen for STDs", "obesity, BMI 96th %ile", "cad w/ stable angina",
    "R 1st MTP joint pain", "fell off bike, abrasion L knee", "migraine vs tension HA, headache",
    "pneumonia, confirmed on chest x-ray", "cad s/p cabg", "uti due to e. coli", "dizziness", "ear infection",
]  # fmt: skip
CODES = ["E11.9", "N18.4", "I10", "S61.412A", "Z23", "J45.909", "Z00.00", "E11.A"]

SCRIPT = """
import json, sys
from coder.adapters.reference import load_tables
from coder.domain.coding import code_visit
from tests.unit.sample import make_visit
texts, codes = json.loads(sys.argv[1]), json.loads(sys.argv[2])
tables = load_tables()
out = []
for n in range(50):
    entries = [{"text": texts[(n * 7 + k) % len(texts)]} for k in range(n % 3 + 1)]
    entries += [{"code": codes[(n + k) % len(codes)]} for k in range(n % 2)]
    result = code_visit(make_visit(visit_id=f"V-DET-{n}", diagnoses=entries, procedures=[]), tables)
    out.append([d.model_dump_json() for d in result.diagnoses] + [r.model_dump_json() for r in result.review_reasons])
print(json.dumps(out))
"""


def start(seed: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    return subprocess.Popen([sys.executable, "-c", SCRIPT, json.dumps(TEXTS), json.dumps(CODES)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip


def test_two_processes_with_different_hash_seeds_give_the_same_bytes() -> None:
    processes = [start("1"), start("2024")]  # side by side: the index is built once per process
    (first, err1), (second, err2) = (p.communicate(timeout=600) for p in processes)
    assert [p.returncode for p in processes] == [0, 0], (err1 or err2)[-2000:]
    results = json.loads(first)
    assert len(results) == 50 and any(results) and any("dx-text-unsure" in r for visit in results for r in visit)
    assert first == second
