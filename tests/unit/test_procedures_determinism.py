"""Same visit, same bytes, in any process: no rule of the service lines depends on set or dict order
(PYTHONHASHSEED changes string hashing, so a set-ordered rule would differ between processes)."""

import os
import subprocess
import sys

SCRIPT = """
from coder.adapters.reference import load_tables
from coder.domain.coding import code_visit
from tests.unit.sample import make_visit

tables = load_tables()
visits = [
    make_visit(procedures=[{"code": "81002"}, {"code": "81003"}, {"code": "12002"}, {"code": "12001"},
                           {"text": "ketorolac 60 mg IM left deltoid"},
                           {"text": "right knee injection, kenalog 40 mg"}],
               diagnoses=[{"code": "M17.11"}, {"code": "N39.0"}]),
    make_visit(procedures=[{"text": "Tdap IM"}, {"text": "Fluad trivalent IM"}, {"text": "Prevnar 20 IM"},
                           {"text": "flu shot"}, {"code": "17003", "units": 20}], total_minutes=None, mdm=None,
               coverage={"payer_id": "MEDICARE", "member_id": "1EG4TE5MK73"}, diagnoses=[]),
]
for visit in visits:
    result = code_visit(visit, tables)
    print([ln.model_dump_json() for ln in result.service_lines], [r.model_dump_json() for r in result.review_reasons])
"""


def run(seed: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, check=True,
                          cwd=os.getcwd())  # fmt: skip
    return done.stdout


def test_service_lines_and_reasons_are_the_same_bytes_for_any_hash_seed() -> None:
    first, second = run("1"), run("4242")
    assert "20610" in first and "edit-pair" in first
    assert first == second
