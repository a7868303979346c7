"""Procedure text as a coder reads it: the services named (longest phrase first), the drug and its
dose (HCPCS units = dose / unit size; an IM/SC route adds the injection), lesion and nail counts,
repair lengths, the side and body site. Pure and cached: the same text always gives the same lines."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from coder.domain import imaging

TOKEN = re.compile(r"\d+(?:\.\d+)?|[a-z0-9]+")
SIDES = {"left": "LT", "right": "RT", "bilateral": "50", "both": "50", "bilat": "50", "bilaterally": "50"}
SITES = frozenset((
    "scalp", "face", "cheek", "forehead", "nose", "lip", "ear", "neck", "shoulder", "arm", "forearm", "elbow",
    "wrist", "hand", "finger", "thumb", "chest", "back", "abdomen", "axilla", "axillae", "flank", "buttock",
    "gluteal", "glute", "gluteus", "ventrogluteal", "buttocks", "hip", "thigh", "knee", "leg", "ankle", "foot", "toe",
    "deltoid", "trunk"))  # fmt: skip
INJECTION_ROUTES = frozenset({"im", "intramuscular", "intramuscularly", "subcut", "subcutaneous", "subcutaneously",
                              "sc", "sq", "injection", "injections", "injected", "shot"})  # fmt: skip
JOINT_PROCEDURE = frozenset({"injection", "injections", "injected", "aspiration", "aspirated", "arthrocentesis"})
# CPT joint sizes: major 20610 (ultrasound 20611), intermediate 20605 (20606), small 20600 (20604)
JOINTS = {"knee": ("20610", "20611"), "shoulder": ("20610", "20611"), "hip": ("20610", "20611"),
          "subacromial": ("20610", "20611"), "wrist": ("20605", "20606"), "elbow": ("20605", "20606"),
          "ankle": ("20605", "20606"), "finger": ("20600", "20604"), "thumb": ("20600", "20604"),
          "toe": ("20600", "20604"), "olecranon": ("20605", "20606"), "prepatellar": ("20610", "20611"),
          "trochanteric": ("20610", "20611")}  # fmt: skip  # bursae by the joint they lie on (CPT: joint or bursa)
JOINT_CODES = frozenset(code for pair in JOINTS.values() for code in pair)
POINT_OF_CARE = re.compile(r"\b(point of care|poc|clia waived|waived|fingerstick|coaguchek|analyzer)\b")
COUNSELLED = re.compile(r"\b(counsel(l)?ed|counsel(l)?ing)\b")
# 90460/90461 need counselling by a physician or other qualified health care professional (CPT): not by staff
STAFF = r"(rn|lpn|ma|nurse|staff|medical assistant)"
NOT_COUNSELLED = re.compile(
    rf"\bno (physician )?counsel|\b{STAFF} counsel|\bcounsel(l)?(ed|ing) (done )?by (the )?{STAFF}\b"
)
COUNT = re.compile(r"\b(\d+) (?:[a-z]+ ){0,2}?(actinic keratos[a-z]*|warts?|skin tags?|toenails?|nails?|lesions?)\b")
TIMES = re.compile(r"\bx ?(\d+)\b")
LENGTH = re.compile(r"\b(\d+(?:\.\d+)?) ?cm\b")
# a concentration and a volume ("40 mg/mL, 2 mL"): the dose is their product
CONCENTRATION = re.compile(r"\b(\d+(?:\.\d+)?) ?(mg|mcg|units?) ml (?:x )?(\d+(?:\.\d+)?) ?ml\b")
NAILS = re.compile(r"\b(\d+) (?:[a-z]+ ){0,2}?(?:toe|finger)?nails?\b")
DOSE = re.compile(r"\b(\d+(?:\.\d+)?) ?(million units?|units?|mg|milligrams?|g|grams?|gm|mcg|micrograms?)\b")
TO_MG = {"mg": 1.0, "milligram": 1.0, "milligrams": 1.0, "g": 1000.0, "gram": 1000.0, "grams": 1000.0, "gm": 1000.0,
         "mcg": 0.001, "microgram": 0.001, "micrograms": 0.001,
         "unit": 1.0, "units": 1.0, "million unit": 1e6, "million units": 1e6}  # fmt: skip  # units: penicillins
DESTRUCTION = ("17000", "17003", "17004", "17110", "17111")
# Simple repair by total length (CPT: lengths of simple repairs in one anatomic group are added), cm upper bounds.
SIMPLE_REPAIR = ((2.5, "12001"), (7.5, "12002"), (12.5, "12004"), (20.0, "12005"))


@dataclass(frozen=True)
class Term:
    # code (a catalog phrase), drug, bundled, flu-unnamed, vaccine-unnamed (code: the candidates, ";"-separated),
    # destruction (lesion type not named)
    kind: str
    code: str = ""
    unit_amount: float = 0.0
    unit_uom: str = ""
    without_dose: int = 0  # drug units when no dose is written (0: the dose decides, a person must give it)


@dataclass(frozen=True)
class TextLine:
    code: str
    units: int = 1
    implied: bool = False  # added by a rule (the injection of an IM drug), not named in the text
    needs_dose: bool = False  # a drug billed by dose whose dose is not written


@dataclass(frozen=True)
class ParsedText:
    lines: tuple[TextLine, ...]
    side: str | None
    site: str | None  # "left deltoid", "right knee": a distinct site tells services apart
    words: str
    flags: frozenset[str] = field(default_factory=frozenset)  # poc, counselled, flu-unnamed, bundled, repair-cm=…
    repair_cm: float = 0.0


SYNONYMS = {"ekg": "ecg", "electrocardiogram": "ecg"}  # one word for the test, however it is spelled
# Counts written in words ("debridement of ten toenails") read as numbers, so counting rules see them.
_NUMBERS = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen"
NUMBER_WORDS = {w: str(n) for n, w in enumerate(_NUMBERS.split())}


THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")
FILLER = frozenset({"of", "the"})  # "avulsion of nail plate" and "avulsion nail plate" name one service
SIDE_LETTERS = {"rt": "right", "lt": "left", "r": "right", "l": "left"}


Words = dict[tuple[str, ...], tuple[str, ...]]  # how notes write it -> the catalog's words (procedure_words.csv)


def _read_as(found: list[str], words: Words) -> list[str]:
    """Abbreviations replaced by the words they stand for: single words, then two-word forms ("tangential bx")."""
    found = [w for word in found for w in words.get((word,), (word,))]
    out: list[str] = []
    i = 0
    while i < len(found):
        pair = words.get(tuple(found[i : i + 2])) if i + 1 < len(found) else None
        if pair is not None:
            out.extend(pair)
            i += 2
            continue
        out.append(found[i])
        i += 1
    return out


def tokens(text: str, words: Words | None = None) -> list[str]:
    low = THOUSANDS.sub("", text.lower())  # "2,400,000 units" is one number
    low = low.replace("i&d", " incision and drainage ").replace("w/", "with ").replace("-", " ")
    found = [NUMBER_WORDS.get(w, SYNONYMS.get(w, w)) for w in TOKEN.findall(low)]
    if words:
        found = _read_as(found, words)
    if any(w in SITES or w in JOINTS for w in found):  # "knee inj L", "R knee": a lone letter by a body site is a side
        found = [SIDE_LETTERS.get(w, w) for w in found]
    return found


def phrase_key(phrase: str, words: Words | None = None) -> tuple[str, ...]:
    """What a phrase is matched on: its words without the side (the side becomes a modifier)."""
    return tuple(w for w in tokens(phrase, words) if w not in SIDES and w not in FILLER)


def _matches(words: list[str], terms: dict[tuple[str, ...], Term], longest: int) -> list[Term]:
    """Longest phrases first, left to right, without overlap."""
    found: list[tuple[int, Term]] = []
    i = 0
    while i < len(words):
        for size in range(min(longest, len(words) - i), 0, -1):
            term = terms.get(tuple(words[i : i + size]))
            if term is not None:
                found.append((i, term))
                i += size
                break
        else:
            i += 1
    return [t for _, t in found]


def _count(text: str, code: str = "") -> int | None:
    if code in ("11720", "11721"):  # CPT counts every nail debrided, toes and fingers together
        nails = [int(n) for n in NAILS.findall(text)]
        if len(nails) > 1:
            return sum(nails)
    found = COUNT.search(text) or TIMES.search(text)
    return int(found.group(1)) if found else None


def _lesions(code: str, n: int | None) -> list[TextLine]:
    """CPT counting rules for the lesion and nail families."""
    if n is None or n <= 1:
        return [TextLine(code)]
    if code == "17000":
        return [TextLine("17004")] if n >= 15 else [TextLine("17000"), TextLine("17003", n - 1)]
    if code == "17110":
        return [TextLine("17111" if n >= 15 else "17110")]
    if code == "11200":
        return [TextLine("11200")] + ([TextLine("11201", math.ceil((n - 15) / 10))] if n > 15 else [])
    if code == "11720":
        return [TextLine("11721" if n >= 6 else "11720")]
    if code in ("11102", "11104"):
        return [TextLine(code), TextLine("11103" if code == "11102" else "11105", n - 1)]
    return [TextLine(code)]


def _joint(words: list[str]) -> TextLine | None:
    """An injection or aspiration of a named joint, however it is worded."""
    if not JOINT_PROCEDURE & set(words):
        return None
    joint = next((JOINTS[w] for w in words if w in JOINTS), None)
    if joint is None:
        return None
    return TextLine(joint[1] if "ultrasound" in words else joint[0])


def _drug_units(term: Term, text: str, bilateral_each: bool) -> int:
    dose = DOSE.search(text)
    if dose is None:
        return term.without_dose or 1
    strength = CONCENTRATION.search(text)
    if strength is not None:
        amount = float(strength.group(1)) * float(strength.group(3)) * TO_MG[strength.group(2)]
    else:
        amount = float(dose.group(1)) * TO_MG[dose.group(2)]
    per_unit = term.unit_amount * TO_MG.get(term.unit_uom, 1.0)
    units = max(1, math.ceil(round(amount / per_unit, 6)))
    return units * (2 if bilateral_each else 1)


def parse(
    text: str,
    terms: dict[tuple[str, ...], Term],
    longest: int,
    read_as: Words | None = None,
    radiographs: imaging.Imaging | None = None,
) -> ParsedText:
    words = tokens(text, read_as)
    joined = " ".join(words)
    side = next((SIDES[w] for w in words if w in SIDES), None)
    site_word = next((w for w in words if w in SITES), None)
    site = f"{side or ''} {site_word}".strip() if site_word else None
    times = TIMES.search(joined)
    flags = {f"times={times.group(1)}"} if times else set()  # "x2": the edits compare it with the MUE
    if POINT_OF_CARE.search(joined):
        flags.add("poc")
    if counselled(joined):
        flags.add("counselled")
    lines: list[TextLine] = []
    drugs: list[Term] = []
    repair_cm = 0.0
    for term in _matches([w for w in words if w not in SIDES and w not in FILLER], terms, longest):
        if term.kind in ("bundled", "flu-unnamed"):
            flags.add(term.kind)
        elif term.kind == "vaccine-unnamed":
            flags.add(f"vaccine-unnamed={term.code}")
        elif term.kind == "destruction":
            flags.add("destruction")
        elif term.kind == "drug":
            if all(d.code != term.code for d in drugs):
                drugs.append(term)
        elif term.code == "12001":
            length = LENGTH.search(joined)
            repair_cm = float(length.group(1)) if length else 0.0
            lines.append(TextLine(repair_code(repair_cm) if repair_cm else "12001"))
        elif all(line.code != term.code for line in lines):
            lines.extend(_lesions(term.code, _count(joined, term.code)))
    if "destruction" in flags and not any(line.code in DESTRUCTION for line in lines):
        lines.extend(_lesions("17110", _count(joined)))  # a destruction without its lesion type: benign lesions
    joint = _joint(words)
    if joint and any(line.code in JOINT_CODES for line in lines):
        # a generic phrase ("joint injection") read as the joint the text names: "thumb joint injection" is 20600
        lines = [joint if line.code in JOINT_CODES else line for line in lines]
    if not lines:
        lines.extend([joint] if joint else [])
    film, candidates = imaging.read(words, radiographs) if radiographs and not lines else (None, ())
    lines.extend([TextLine(film)] if film else [])
    flags.update(["imaging-views=" + ";".join(candidates)] if candidates else [])
    if drugs:
        bilateral_each = side == "50" and " each " in f" {joined} "
        if not lines and INJECTION_ROUTES & set(words):
            lines.append(TextLine("96372", implied=True))
        for drug in drugs:
            missing = DOSE.search(joined) is None and not drug.without_dose
            lines.append(TextLine(drug.code, _drug_units(drug, joined, bilateral_each), needs_dose=missing))
    return ParsedText(tuple(lines), side, site, joined, frozenset(flags), repair_cm)


def counselled(words: str) -> bool:
    """Vaccine counselling by a physician or other qualified health care professional (90460/90461)."""
    return COUNSELLED.search(words) is not None and NOT_COUNSELLED.search(words) is None


def repair_code(total_cm: float) -> str:
    for upper, code in SIMPLE_REPAIR:
        if total_cm <= upper:
            return code
    return "12006"
