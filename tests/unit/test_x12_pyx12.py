"""pyx12's speed-ups (shared/x12_pyx12.py) change no verdict: pyx12's whole report (every error,
code, segment, element and line) with them is the one plain pyx12 writes in a fresh process, over
valid claims and claims it rejects for many reasons, one interchange per file and all in one file.
And a claim pyx12 rejects is still rejected by the biller with the same reasons."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from datetime import UTC, datetime

from bench.synthetic import VisitFactory, synthetic_claims
from biller.adapters.reference import load_payers, load_submitter
from biller.domain.claim_validation import validate_837, validate_837_each
from biller.domain.x12_837 import claim_interchange
from shared import x12
from shared.x12_report import syntax_errors, syntax_errors_each
from tests.unit.sample import make_claim

CREATED = datetime(2026, 11, 27, 9, 15, tzinfo=UTC)

# pyx12 as it comes, in a process without the speed-ups (only its maps kept between files, which
# the speed-ups do not touch): one report per file.
PLAIN = """
import io, json, logging, sys
import pyx12.map_if, pyx12.params, pyx12.x12n_document
from shared.x12_pyx12 import _keep_maps
logging.getLogger("pyx12").disabled = True
_keep_maps(pyx12.map_if)
out = []
for text in json.load(sys.stdin):
    report = io.StringIO()
    try:
        ok = pyx12.x12n_document.x12n_document(param=pyx12.params.params(), src_file=io.StringIO(text),
                                               fd_997=None, fd_html=None, fd_json=report)
        out.append([bool(ok), report.getvalue()])
    except Exception as exc:
        out.append([None, type(exc).__name__])
json.dump(out, sys.stdout)
"""


def _sped_up(texts: list[str]) -> list[list[object]]:
    import pyx12.params
    import pyx12.x12n_document

    x12._prepare_pyx12()
    out: list[list[object]] = []
    for text in texts:
        report = io.StringIO()
        try:
            ok = pyx12.x12n_document.x12n_document(
                param=pyx12.params.params(), src_file=io.StringIO(text), fd_997=None, fd_html=None, fd_json=report
            )
            out.append([bool(ok), report.getvalue()])
        except Exception as exc:  # the same failure must happen on both sides
            out.append([None, type(exc).__name__])
    return out


def _plain(texts: list[str]) -> list[list[object]]:
    done = subprocess.run(
        [sys.executable, "-c", PLAIN], input=json.dumps(texts), capture_output=True, text=True, check=True
    )
    result: list[list[object]] = json.loads(done.stdout)
    return result


def _broken(text: str) -> list[str]:
    """The same claim broken in ways pyx12 reports differently (element, segment, loop, envelope)."""
    lines = text.split("\n")
    clm = next(i for i, line in enumerate(lines) if line.startswith("CLM*"))
    return [
        text.replace("NM1*IL*1*", "NM1*IL*1*" + "X" * 70, 1),  # too long
        text.replace("*ZZ*", "*Z*", 1),  # too short in the envelope
        text.replace("DMG*D8*", "DMG*D8*2026133", 1),  # a bad date
        text.replace("CLM*", "CLM*\x07", 1),  # a control character
        "\n".join(lines[:clm] + lines[clm + 1 :]),  # a required segment missing
        "\n".join([*lines[:clm], "ZZZ*1~", *lines[clm:]]),  # an unknown segment
        "\n".join([*lines[:clm], lines[clm], lines[clm], *lines[clm + 1 :]]),  # a segment repeated
        text.replace("SV1*HC:", "SV1*XX:", 1),  # an invalid code value
        # the same elements a valid claim has, read differently: segments pyx12 found valid in the
        # claims before must be checked again (shared/x12_pyx12.py remembers valid segments)
        text.replace("LX*1~", "LX*1*~", 1),  # one empty element too many (the text drops it)
        text.replace("*P*:~", "*P*>~", 1),  # another sub-element separator: "HC:99215" is one value
        text.replace("~\nSE*", "~\nSE*1", 1),  # a wrong segment count
        text[: len(text) // 2],  # cut short
        "not x12 at all",
    ]


def _claims() -> list[str]:
    texts = [claim.x12_837 for claim in synthetic_claims(VisitFactory(seed=5).visits(8))]
    one = make_claim([("99213", 15000), ("36415", 2500)])
    texts.append(claim_interchange([one], load_payers()[one.payer_id], load_submitter(), 7, CREATED))
    return texts


def test_pyx12_reports_the_same_with_and_without_the_speed_ups() -> None:
    good = _claims()
    broken = [b for text in good[-2:] for b in _broken(text)]
    files = [*good, *broken, "".join(good), "".join(good[:3] + broken[:4])]
    plain = _plain(files)
    assert sum(1 for ok, _ in plain if ok is False) >= len(broken) - 2  # the broken ones are rejected
    assert _sped_up(files) == plain


def test_a_segment_valid_at_one_map_node_is_checked_again_at_another() -> None:
    import pyx12.map_if
    import pyx12.params
    import pyx12.segment

    x12._prepare_pyx12()
    claim_map = pyx12.map_if.load_map_file("837.5010.X222.A1.xml", pyx12.params.params())
    nodes = {node.id: node for node in claim_map.loop_segment_iterator() if node.is_segment()}
    line = pyx12.segment.Segment("LX*1~", "~", "*", ":")
    assert nodes["LX"].is_valid_errors(line) == (True, [])
    assert nodes["LX"].is_valid_errors(line) == (True, [])  # remembered
    ok, errors = nodes["SE"].is_valid_errors(line)  # SE02 (the control number) is required
    assert not ok and errors


def test_a_claim_pyx12_rejects_is_rejected_with_the_same_reasons_alone_and_in_a_batch() -> None:
    good = _claims()
    bad = _broken(good[0])[0]
    alone = validate_837(bad)
    assert any("NM103" in reason and "too long" in reason for reason in alone), alone
    verdicts = validate_837_each([good[1], bad, good[2]])
    assert verdicts == [[], alone, []]


def test_the_payer_front_ends_batch_read_gives_each_claim_its_own_verdict() -> None:
    good = _claims()
    broken = _broken(good[0])
    texts = [good[1], *broken[:3], good[2], broken[4], broken[-2], good[3]]
    alone = [syntax_errors(text) for text in texts]
    assert alone[0] == [] and alone[1] and alone[-2] is None  # clean, rejected, unreadable: all three kinds
    assert syntax_errors_each(texts) == alone
    assert syntax_errors_each(good[:4]) == [[], [], [], []]


def test_the_installed_pyx12_is_one_the_comparison_covers() -> None:
    # A new pyx12 runs plain (slower) until the comparisons above pass against it and it is listed
    from importlib import metadata

    from shared.x12_pyx12 import VERIFIED_VERSIONS

    assert metadata.version("pyx12") in VERIFIED_VERSIONS
