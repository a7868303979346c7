"""pyx12's CPU per claim, plain (its maps kept between documents only) against sped up
(shared.x12_pyx12.prepare), interleaved in one run, each pass in a fresh process, and whether the
two wrote the same reports. For docs/benchmarks.md:

    .venv/bin/python -m bench.pyx12_cost --claims 200 --pairs 3
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

# one pass: per-claim files, then one file of all; prints CPU ms per claim and a digest of the reports
PASS = """
import hashlib, io, json, logging, sys, time
import pyx12.map_if, pyx12.params, pyx12.x12n_document
from shared import x12_pyx12
texts = json.load(open(sys.argv[2]))
if sys.argv[1] == "fast":
    x12_pyx12.prepare()
else:
    logging.getLogger("pyx12").disabled = True
    x12_pyx12._keep_maps(pyx12.map_if)
def run(text):
    out = io.StringIO()
    ok = pyx12.x12n_document.x12n_document(param=pyx12.params.params(), src_file=io.StringIO(text),
                                           fd_997=None, fd_html=None, fd_json=out)
    return f"{ok}|{out.getvalue()}"
run(texts[0])
started = time.process_time()
each = [run(t) for t in texts]
per_claim = (time.process_time() - started) * 1000 / len(texts)
started = time.process_time()
whole = run("".join(texts))
one_file = (time.process_time() - started) * 1000 / len(texts)
digest = hashlib.sha256("\\n".join([*each, whole]).encode()).hexdigest()
print(json.dumps({"per_claim_ms": round(per_claim, 2), "one_file_ms": round(one_file, 2), "digest": digest}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=200)
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    from bench.synthetic import VisitFactory, synthetic_claims

    claims = synthetic_claims(VisitFactory(seed=args.seed).visits(int(args.claims * 1.2)))[: args.claims]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "claims.json"
        path.write_text(json.dumps([c.x12_837 for c in claims]))
        runs: dict[str, list[dict]] = {"plain": [], "fast": []}
        for _ in range(args.pairs):
            for mode in runs:
                done = subprocess.run(
                    [sys.executable, "-c", PASS, mode, str(path)], capture_output=True, text=True, check=True
                )
                runs[mode].append(json.loads(done.stdout))
    digests = {r["digest"] for rs in runs.values() for r in rs}
    for kind in ("per_claim_ms", "one_file_ms"):
        plain, fast = ([r[kind] for r in runs[m]] for m in ("plain", "fast"))
        print(f"{kind}: plain {plain}, sped up {fast}, ratio {sum(fast) / sum(plain):.2f}")
    print(f"claims {len(claims)}; reports identical: {len(digests) == 1}")
    print("digest", hashlib.sha256("".join(sorted(digests)).encode()).hexdigest()[:12])


if __name__ == "__main__":
    main()
