"""A structural check of 270/271 (005010X279A1) and 276/277 (005010X212) files: pyx12 maps them
only for 4010 (its 277 X212 map file is not in its index and walks its loops out of order), and
no well-kept PyPI reader of the 5010 guides fits (docs/x12-loop.md says which were tried).

It checks what the guide's structure says, not the guide's every situational rule: the envelope
(ISA 16 elements, control numbers ISA13 = IEA02, GS06 = GE02, ST02 = SE02, the counts SE01, GE01,
IEA01), GS01/GS08/ST01/ST03 for the transaction, BHT01/BHT02, the HL tree (numbered from 1, each
parent earlier and of the level above: 20 source, 21 receiver, 22 subscriber, 23 dependant; HL04
says whether a child follows), which segments each level may hold and in which order, required
elements, code values the guide lists for the elements we read (EB01-03, AAA01/03/04, DMG, DTP,
TRN01, NM1 qualifiers), and dates. Reasons name the segment, element and position, never a value."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from shared.x12 import read_segments

DATE = re.compile(r"^\d{8}$")
# Per transaction: GS01, the BHT02 purpose, and per HL level the segments in their order (a
# segment may repeat where the guide lets it; others after it must not come back before it).
SETS: dict[str, dict[str, Any]] = {
    "270": {
        "gs01": "HS", "bht01": "0022", "bht02": "13", "trn01": "1", "guide": "005010X279A1",
        "parents": {"21": "20", "22": "21", "23": "22"},
        "levels": {"20": ["NM1"], "21": ["NM1", "REF", "N3", "N4", "PRV"],
                   "22": ["TRN", "NM1", "REF", "N3", "N4", "PRV", "DMG", "INS", "HI", "DTP", "EQ", "AMT", "III",
                          "REF"],
                   "23": ["TRN", "NM1", "REF", "N3", "N4", "PRV", "DMG", "INS", "HI", "DTP", "EQ", "III"]},
    },
    "271": {
        "gs01": "HB", "bht01": "0022", "bht02": "11", "trn01": "2", "guide": "005010X279A1",
        "parents": {"21": "20", "22": "21", "23": "22"},
        "levels": {"20": ["AAA", "NM1", "PER", "AAA"], "21": ["NM1", "REF", "AAA", "PRV"],
                   "22": ["TRN", "NM1", "REF", "N3", "N4", "AAA", "PRV", "DMG", "INS", "HI", "DTP", "MPI", "EB",
                          "HSD", "REF", "DTP", "AAA", "MSG", "III", "LS", "NM1", "LE"],
                   "23": ["TRN", "NM1", "REF", "N3", "N4", "AAA", "PRV", "DMG", "INS", "HI", "DTP", "MPI", "EB",
                          "HSD", "REF", "DTP", "AAA", "MSG", "III", "LS", "NM1", "LE"]},
    },
    # claim status (005010X212): source 20, receiver 21, service provider 19, subscriber 22, dependant 23
    "276": {
        "gs01": "HR", "bht01": "0010", "bht02": "13", "trn01": "1", "guide": "005010X212",
        "parents": {"21": "20", "19": "21", "22": "19", "23": "22"},
        "levels": {"20": ["NM1"], "21": ["NM1"], "19": ["NM1"], "22": ["DMG", "NM1", "TRN", "REF", "AMT", "DTP", "SVC"],
                   "23": ["DMG", "NM1", "TRN", "REF", "AMT", "DTP", "SVC"]},
    },
    "277": {
        "gs01": "HN", "bht01": "0010", "bht02": "08", "trn01": "2", "guide": "005010X212",
        "parents": {"21": "20", "19": "21", "22": "19", "23": "22"},
        "levels": {"20": ["NM1", "PER"], "21": ["NM1", "TRN", "STC"], "19": ["NM1", "TRN", "STC"],
                   "22": ["NM1", "TRN", "STC", "REF", "DTP", "SVC", "STC", "REF", "DTP"],
                   "23": ["NM1", "TRN", "STC", "REF", "DTP", "SVC", "STC", "REF", "DTP"]},
    },
}  # fmt: skip
ENTITY = {"20": {"PR", "2B", "36", "GP", "P5"}, "21": {"1P", "2B", "36", "80", "FA", "GP", "P5", "PR", "41"},
          "19": {"1P"}, "22": {"IL", "QC"}, "23": {"QC", "03"}}  # fmt: skip
STC_CATEGORY = re.compile(r"^[A-Z][0-9A-Z]$")
EB01 = set("12345678ABCDEFGHIJKLMNOPRUVWXY") | {"CB", "MC"}
AAA03 = {"04", "15", "33", "35", "41", "42", "43", "44", "45", "46", "47", "48", "49", "51", "52", "56", "57",
         "58", "60", "61", "62", "63", "64", "65", "66", "67", "68", "69", "70", "71", "72", "73", "74", "75",
         "76", "77", "78", "79", "80", "97", "T4"}  # fmt: skip


def _date_ok(value: str) -> bool:
    if not DATE.fullmatch(value):
        return False
    try:
        datetime.strptime(value, "%Y%m%d")
    except ValueError:
        return False
    return True


def _element(seg: list[str], n: int) -> str:
    return seg[n] if len(seg) > n else ""


def _envelope(segs: list[list[str]], ts: str) -> list[str]:
    errors: list[str] = []
    if not segs or segs[0][0] != "ISA" or len(segs[0]) != 17:
        return ["ISA: missing or not 16 elements"]
    tags = [s[0] for s in segs]
    for tag in ("GS", "ST", "SE", "GE", "IEA"):
        if tag not in tags:
            errors.append(f"{tag}: missing")
    if errors:
        return errors
    isa, iea = segs[0], segs[-1]
    gs, ge = segs[tags.index("GS")], segs[len(tags) - 1 - tags[::-1].index("GE")]
    if iea[0] != "IEA" or _element(iea, 2) != isa[13] or _element(iea, 1) != "1":
        errors.append("IEA: IEA01 or IEA02 does not match the interchange")
    if _element(ge, 2) != _element(gs, 6):
        errors.append("GE02: differs from GS06")
    guide = SETS[ts]["guide"]
    if _element(gs, 1) != SETS[ts]["gs01"] or _element(gs, 8) != guide:
        errors.append(f"GS01/GS08: not a {guide} group for this transaction")
    sets = 0
    start = 0
    for i, s in enumerate(segs):
        if s[0] == "ST":
            start, sets = i, sets + 1
            if _element(s, 1) != ts or _element(s, 3) != guide:
                errors.append(f"ST at position {i + 1}: ST01/ST03 not {ts} {guide}")
        elif s[0] == "SE":
            if _element(s, 1) != str(i - start + 1):
                errors.append(f"SE at position {i + 1}: SE01 segment count is wrong")
            if _element(s, 2) != _element(segs[start], 2):
                errors.append(f"SE at position {i + 1}: SE02 differs from ST02")
    if _element(ge, 1) != str(sets):
        errors.append("GE01: transaction set count is wrong")
    return errors


def _segment_rules(seg: list[str], where: str, ts: str, level: str) -> list[str]:
    tag, errors = seg[0], []
    if tag == "NM1":
        if _element(seg, 1) not in ENTITY.get(level, set()):
            errors.append(f"{where} NM101: entity code not allowed at HL level {level}")
        if _element(seg, 2) not in ("1", "2") or not _element(seg, 3):
            errors.append(f"{where} NM102/NM103: required")
        if _element(seg, 8) and not _element(seg, 9):
            errors.append(f"{where} NM109: required with NM108")
        if _element(seg, 8) == "XX" and not re.fullmatch(r"\d{10}", _element(seg, 9)):
            errors.append(f"{where} NM109: an NPI has 10 digits")
    elif tag == "TRN" and (_element(seg, 1) != SETS[ts]["trn01"] or not _element(seg, 2)):
        errors.append(f"{where} TRN01/TRN02: trace type or number wrong")
    elif tag == "DMG" and (
        _element(seg, 1) != "D8" or not _date_ok(_element(seg, 2)) or _element(seg, 3) not in ("", "F", "M", "U")
    ):
        errors.append(f"{where} DMG01-03: date format, date or gender code invalid")
    elif tag == "DTP" and (_element(seg, 2) != "D8" or not _date_ok(_element(seg, 3))):
        errors.append(f"{where} DTP02/DTP03: date format or date invalid")
    elif tag == "EQ" and not _element(seg, 1):
        errors.append(f"{where} EQ01: service type code required")
    elif tag == "EB":
        if _element(seg, 1) not in EB01:
            errors.append(f"{where} EB01: not an eligibility or benefit code")
        if _element(seg, 2) not in ("", "CHD", "DEP", "ECH", "EMP", "ESP", "FAM", "IND", "SPC", "SPO"):
            errors.append(f"{where} EB02: not a coverage level code")
        if _element(seg, 7) and not re.fullmatch(r"-?\d+(\.\d{1,2})?", _element(seg, 7)):
            errors.append(f"{where} EB07: not an amount")
    elif tag == "STC":
        parts = _element(seg, 1).split(":")
        if not STC_CATEGORY.fullmatch(parts[0]) or len(parts) < 2 or not parts[1].isdigit():
            errors.append(f"{where} STC01: category and status code required")
        if _element(seg, 2) and not _date_ok(_element(seg, 2)):
            errors.append(f"{where} STC02: not a date")
    elif tag == "AMT" and not re.fullmatch(r"-?\d+(\.\d{1,2})?", _element(seg, 2)):
        errors.append(f"{where} AMT02: not an amount")
    elif tag == "AAA":
        if _element(seg, 1) not in ("Y", "N") or _element(seg, 3) not in AAA03:
            errors.append(f"{where} AAA01/AAA03: invalid code")
        if _element(seg, 4) not in ("C", "N", "P", "R", "S", "W", "X", "Y"):
            errors.append(f"{where} AAA04: invalid follow-up action code")
    return errors


def check(text: str, ts: str) -> list[str]:
    """Why this interchange is not a valid `ts` (270 or 271) under 005010X279A1 (empty: it is)."""
    segs = read_segments(text)
    errors = _envelope(segs, ts)
    if any(e.startswith("ISA:") or e.endswith(": missing") for e in errors):
        return errors  # no envelope to walk
    rules = SETS[ts]
    body = [s for s in segs if s[0] not in ("ISA", "GS", "GE", "IEA")]
    levels: dict[str, str] = {}
    level, order_at, expected_hl, has_child, last_hl = "", 0, 1, "0", ""
    for n, seg in enumerate(body, start=1):
        tag, where = seg[0], f"{seg[0]} at position {n}"
        if tag in ("ST", "SE"):
            if tag == "SE" and has_child == "1":
                errors.append("HL: HL04 says a child follows, but none does")
            level, expected_hl, has_child, last_hl = "", 1, "0", ""
            continue
        if tag == "BHT":
            if (
                _element(seg, 1) != rules["bht01"]
                or _element(seg, 2) != rules["bht02"]
                or not _date_ok(_element(seg, 4))
            ):
                errors.append(f"{where} BHT01/BHT02/BHT04: not a {ts} header")
            continue
        if tag == "HL":
            number, parent, code = _element(seg, 1), _element(seg, 2), _element(seg, 3)
            if number != str(expected_hl):
                errors.append(f"{where} HL01: not numbered in sequence")
            expected_hl += 1
            if code not in rules["levels"]:
                errors.append(f"{where} HL03: not a level of this transaction")
            elif code == "20" and parent:
                errors.append(f"{where} HL02: the information source has no parent")
            elif code != "20" and levels.get(parent) != rules["parents"][code]:
                errors.append(f"{where} HL02: parent is not of the level above")
            if (has_child == "1") != (bool(parent) and parent == last_hl):
                errors.append(f"{where} HL02: HL04 of the loop before says otherwise about its children")
            last_hl = number
            levels[number], level, order_at = code, code, 0
            has_child = _element(seg, 4) or "0"
            continue
        if not level:
            errors.append(f"{where}: outside any HL loop")
            continue
        allowed = rules["levels"].get(level, [])
        positions = [i for i, t in enumerate(allowed) if t == tag and i >= order_at]
        if not positions:
            errors.append(f"{where}: not allowed here (HL level {level}) or out of order")
            continue
        order_at = positions[0]
        errors += _segment_rules(seg, where, ts, level)
    return errors


def check_270(text: str) -> list[str]:
    return check(text, "270")


def check_271(text: str) -> list[str]:
    return check(text, "271")


def check_276(text: str) -> list[str]:
    return check(text, "276")


def check_277(text: str) -> list[str]:
    return check(text, "277")
