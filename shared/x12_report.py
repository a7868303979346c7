"""pyx12's verdict on an interchange as 999 notes: for each segment in error its id, position in
the transaction set (IK302), loop (IK303) and error code (IK304), and for each element in error
its position (IK401), reference number (IK402) and error code (IK403). A receiver's translator
(the payer-sim's front end) writes its 999 from these. No value is kept: pyx12's texts quote
values, ours name only places."""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from typing import Any

from shared.schemas.acknowledgment import SyntaxError999
from shared.x12 import _ELEMENT_ERRORS, _SEGMENT_ERRORS, _prepare_pyx12

# IK304 when only an element of the segment is wrong: "segment has data element errors"
SEGMENT_HAS_ELEMENT_ERRORS = "8"


def _notes(seg: dict[str, Any]) -> list[SyntaxError999]:
    where = f"{seg['seg_id']} at position {seg['seg_count']}" + (f" in loop {seg['ls_id']}" if seg["ls_id"] else "")
    common = {
        "segment_id": seg["seg_id"],
        "segment_position": max(int(seg["seg_count"]), 1),
        "loop_id": (seg["ls_id"] or None) and str(seg["ls_id"])[:6],
    }
    notes = [
        SyntaxError999(
            **common,
            segment_error=e["err_cde"],
            description=f"{where}: {_SEGMENT_ERRORS.get(e['err_cde'], 'error ' + e['err_cde'])}",
        )
        for e in seg["errors"]
    ]
    for ele in seg["elements"]:
        for e in ele["errors"]:
            ref = f"{seg['seg_id']}{ele['ele_pos']:02d}" + (f"-{ele['subele_pos']}" if ele["subele_pos"] else "")
            problem = _ELEMENT_ERRORS.get(e["err_cde"], "error " + e["err_cde"])
            notes.append(
                SyntaxError999(
                    **common,
                    segment_error=SEGMENT_HAS_ELEMENT_ERRORS,
                    element_position=ele["ele_pos"],
                    component_position=ele["subele_pos"] or None,
                    element_reference=str(ele["ele_ref_num"]) if ele.get("ele_ref_num") else None,
                    element_error=e["err_cde"],
                    description=f"{where}: {ref} {problem}",
                )
            )
    return notes


def _report(text: str) -> tuple[bool, dict[str, Any]] | None:
    """pyx12 over a file: whether it passed and its report, or None when it cannot read it."""
    import pyx12.errors
    import pyx12.params
    import pyx12.x12n_document

    _prepare_pyx12()
    report = io.StringIO()
    try:
        ok = pyx12.x12n_document.x12n_document(
            param=pyx12.params.params(), src_file=io.StringIO(text), fd_997=None, fd_html=None, fd_json=report
        )
    except (pyx12.errors.X12Error, pyx12.errors.EngineError, ValueError, KeyError, IndexError):
        return None
    return (bool(ok), json.loads(report.getvalue())) if report.getvalue() else None


def _has_errors(isa: dict[str, Any]) -> bool:
    """Any error at any level of one interchange's report."""
    return bool(isa["errors"]) or any(
        gs["errors"]
        or any(
            st["errors"]
            or any(seg["errors"] or any(ele["errors"] for ele in seg["elements"]) for seg in st["segments"])
            for st in gs["transactions"]
        )
        for gs in isa["groups"]
    )


def syntax_errors_each(texts: Sequence[str]) -> list[list[SyntaxError999] | None]:
    """`syntax_errors` of each interchange, in one pyx12 pass over all of them (one file; pyx12's
    cost is per segment, so this saves its per-file work) while they are clean: the ones with any
    error, and all of them when the file does not read as exactly these interchanges, are read
    again alone, so each verdict is the one `syntax_errors` gives."""
    if len(texts) <= 1:
        return [syntax_errors(text) for text in texts]
    found = _report("".join(texts))
    interchanges = found[1].get("interchanges", []) if found else []
    if found is None or len(interchanges) != len(texts):
        return [syntax_errors(text) for text in texts]
    flagged = [_has_errors(isa) for isa in interchanges]
    if not found[0] and not any(flagged):
        return [syntax_errors(text) for text in texts]
    return [syntax_errors(text) if bad else [] for text, bad in zip(texts, flagged, strict=True)]


def syntax_errors(text: str) -> list[SyntaxError999] | None:
    """The errors pyx12 finds in the interchange's transaction sets (empty: none), or None when it
    cannot read the interchange at all (its envelope is broken: nothing to acknowledge)."""
    found = _report(text)
    if found is None:
        return None
    parsed = found[1]
    notes: list[SyntaxError999] = []
    for isa in parsed.get("interchanges", []):
        if isa["errors"]:
            return None
        for gs in isa["groups"]:
            for st in gs["transactions"]:
                for seg in st["segments"]:
                    notes += _notes(seg)
    return notes
