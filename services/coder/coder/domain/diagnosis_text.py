"""One documented diagnosis entry -> codes, an uncertain concept, or a reason for a person.

The entry is read (clinical_text), looked up whole (text_index), and, when the whole is not
understood or only guessed, split into the parts of a list ("HTN, HLD", "diabetes with CKD 3a",
"afib on DOAC", "CAD s/p CABG"), each read on its own; parts that only qualify ("stable on
statin") add nothing, and the parts are taken only when every other one is understood."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import simple_icd_10_cm as icd

from coder.domain.clinical_text import COMPLAINT, normalise, only_qualifies, read_statement, spell_out_signs
from coder.domain.diagnosis_rules import Coded
from coder.domain.measures import bmi_code, percentile_code
from coder.domain.plain_reading import (
    LEADING_QUALIFIERS,
    qualifiers_first,
    without_acuity,
    without_leading_qualifiers,
    without_levels,
    without_side,
    without_status_words,
)
from coder.domain.screening import code_screening
from coder.domain.text_index import DiagnosisIndex, TextMatch, Unsure, normalise_text
from shared.schemas import ReviewReason

# Where the index looks for a code when the statement is not about an active condition.
KIND_RANGE = {"history": "Z8", "family": "Z8", "status": "Z9"}
KIND_WORDS = {"history": "personal history of", "family": "family history of", "status": ""}
KIND_WHERE = {"history": "a personal-history code (Z85–Z87)", "family": "a family-history code (Z80–Z84)",
              "status": "a status code (Z95–Z99)"}  # fmt: skip
_PARTS = re.compile(r"\s*(?:[,;+&]|\band\b|\bwith\b|\bin\b|(?<!not )\bdue to\b|\s/\s)\s*")
# split before the cue, keep it; not in "acute on chronic" nor "not on dialysis"
_KEEP_CUE = re.compile(r"(?<!acute)(?<!\bnot)(?<!\bno)\s+(?=(?:on|status post|history of)\s)")
# "f/u pneumonia, resolved": a visit after the treatment is complete (Z09, with the history code)
_FOLLOW_UP = re.compile(r"^(?:follow up|followup|f u|fu)\b")
PHRASE_CONFIDENCE = 0.97  # a phrase-table or title match; below: the scored index guessed


def reason(code: str, message: str, suggestions: list[str] | None = None) -> ReviewReason:
    return ReviewReason(code=code, message=message, suggestions=suggestions or [])


@dataclass
class Entry:
    """What one documented diagnosis gave: codes, reasons for a person, or uncertain concepts."""

    codes: list[Coded] = field(default_factory=list)
    reasons: list[ReviewReason] = field(default_factory=list)
    uncertain: list[tuple[str, list[str]]] = field(default_factory=list)  # (cue, candidate codes)
    negated: str = ""  # the negation cue when the whole entry is negated


def _coded(found: TextMatch, evidence: list[str]) -> list[Coded]:
    return [Coded(code, found.confidence, "text", [*evidence, *found.evidence]) for code in found.codes]


def _not_active(position: int, kind: str, concept: str, cue: str, index: DiagnosisIndex) -> Entry:
    """A history, family history or status: its Z code (or the table's own code), never the condition."""
    table = {"history": index.data.history, "status": index.data.status, "family": index.data.family}[kind]
    concept_text = _when_and_side(normalise_text(concept))
    for text in (concept_text, index.expand(concept_text)):
        if text in table:
            return Entry(codes=[Coded(c, 0.97, "text", [f"{cue}: {text}"]) for c in table[text]])
    found = index.lookup(f"{KIND_WORDS[kind]} {index.expand(concept_text)}".strip(), within=KIND_RANGE[kind])
    if isinstance(found, TextMatch):
        return Entry(codes=_coded(found, [cue]))
    message = f"diagnosis {position} is documented as {cue} a condition: choose {KIND_WHERE[kind]}, not the active one"
    return Entry(reasons=[reason("dx-history-unplaced", message, found.suggestions)])


_WHEN = re.compile(r"\s+(?:in\s+)?(?:(?:19|20)\d\d|\d+\s+(?:yrs?|years?|months?|mos?)\s+ago)$")
# "hx of CVA without residual deficits": the history codes (Z86.73) are the condition without residuals
_NO_RESIDUALS = re.compile(r"\s+(?:without|no|wo)\s+(?:residual|residuals|sequelae|deficits?)(?:\s+deficits?)?$")
_SIDE_LAST = re.compile(r"^(?P<rest>.+?)\s+(?P<side>r|l|rt|lt|right|left|bilateral)$")
_SIDES = {"r": "right", "rt": "right", "l": "left", "lt": "left"}


def _when_and_side(concept: str) -> str:
    """'mi 2019' is 'mi'; 'tha l' is 'left tha' (a date says when, a side written last says which)."""
    concept = _NO_RESIDUALS.sub("", _WHEN.sub("", concept))
    if m := _SIDE_LAST.match(concept):
        concept = f"{_SIDES.get(m['side'], m['side'])} {m['rest']}"
    return concept


def _uncertain(position: int, concept: str, signs: tuple[str, ...], cue: str, index: DiagnosisIndex) -> Entry:
    """IV.H: the signs documented with an uncertain diagnosis are coded; without any, the concept waits.
    A sign the index cannot place is not dropped: a person codes it."""
    entry = Entry()
    sides = [w for w in index.expand(concept).split() if w in ("right", "left")][:1]
    for sign in signs:
        # "questionable fx R wrist, wrist pain": the side written once is the sign's side too
        sided = index.lookup(f"{sides[0]} {sign}") if sides and not {"right", "left"} & set(sign.split()) else None
        found = sided if isinstance(sided, TextMatch) else index.lookup(sign)
        if isinstance(found, TextMatch):
            entry.codes += _coded(found, [f"sign documented with a {cue} diagnosis (IV.H)"])
        elif not only_qualifies(sign):
            entry.reasons.append(_unsure(position, found))
    if not entry.codes:
        guesses = [index.lookup(side) for side in re.split(r"\s+(?:vs|versus)\s+", concept)]
        entry.uncertain.append((cue, [c for g in guesses if isinstance(g, TextMatch) for c in g.codes]))
    return entry


def _one_statement(position: int, text: str, index: DiagnosisIndex) -> Entry:
    statement = read_statement(text)
    if statement.assertion == "absent" and statement.cue == "resolved" and _FOLLOW_UP.match(normalise(text)):
        follow_up = Coded("Z09", PHRASE_CONFIDENCE, "text", ["follow-up, treatment completed (I.C.21.c.8)"])
        healed = _FOLLOW_UP.sub("", normalise(statement.concept)).strip()
        # Z09 "code also any applicable history of disease code (Z86.-, Z87.-)": when the index has one
        history = _not_active(position, "history", healed, "resolved", index).codes if healed else []
        return Entry(codes=[follow_up, *history])
    if statement.assertion == "absent":
        # a result that is itself a code ("pregnancy test negative", Z32.02) is no negation
        if codes := index.phrases.get(normalise_text(text)):
            return Entry(codes=[Coded(c, PHRASE_CONFIDENCE, "text", [text]) for c in codes])
        return Entry(negated=statement.cue)  # documented as absent or ruled out: nothing to code
    if statement.assertion in KIND_RANGE:
        return _not_active(position, statement.assertion, statement.concept, statement.cue, index)
    if statement.assertion == "uncertain":
        return _uncertain(position, statement.concept, statement.signs, statement.cue, index)
    norm = normalise(statement.concept)
    if norm in index.data.ambiguous:
        meanings = index.data.ambiguous[norm]
        found_each = [index.lookup(m) for m in meanings]
        candidates = [c for f in found_each if isinstance(f, TextMatch) for c in f.codes]
        return Entry(reasons=[reason("dx-ambiguous-abbreviation", f"diagnosis {position} is an abbreviation with "
                                     f"{len(meanings)} meanings: the provider says which", candidates)])  # fmt: skip
    if bmi := bmi_code(norm) or percentile_code(COMPLAINT.sub("", spell_out_signs(text))):
        return Entry(codes=[Coded(bmi, 0.97, "text", ["body mass index"])])
    if screened := code_screening(position, norm, index, index.data.screening):
        return Entry(*screened)
    found = index.lookup(COMPLAINT.sub("", spell_out_signs(text)))
    if isinstance(found, Unsure) and (plain := without_leading_qualifiers(norm)) != norm:
        found = index.lookup(plain)  # "new onset atrial fibrillation", "known htn"
    if isinstance(found, Unsure) and (plain := without_status_words(norm, index)) != norm:
        found = index.lookup(plain)  # "htn well controlled": how the condition is doing is not a code
    if isinstance(found, Unsure):
        found = without_acuity(norm, index) or without_side(norm, index) or without_levels(norm, index) or found
    if isinstance(found, TextMatch) and (wrong := side_conflict(norm, found.codes)):
        message = f"diagnosis {position}: the side written is not the side of {wrong} (best match): a person chooses"
        return Entry(reasons=[reason("dx-text-unsure", message, list(found.codes))])
    if isinstance(found, TextMatch):
        return Entry(codes=_coded(found, []))
    return Entry(reasons=[_unsure(position, found)])


def side_conflict(norm: str, codes: tuple[str, ...]) -> str | None:
    """A code whose title names another side than the text ("right ... joint" matched to a bilateral code)."""
    words = set(norm.split())
    said = words & {"right", "left"}
    if not said or words & {"bilateral", "both", "bilat"}:
        return None
    for code in codes:
        title = set(normalise(icd.get_description(code)).split())
        if "bilateral" in title or (title & {"right", "left"} and not title & said):
            return code
    return None


def _unsure(position: int, found: Unsure) -> ReviewReason:
    tail = "; candidates best first" if found.suggestions else "; no candidate found"
    message = f"diagnosis {position}: choose the code for the documented text — {found.reason}{tail}"
    return reason("dx-text-unsure", message, found.suggestions)


def parts_of(text: str, index: DiagnosisIndex | None = None) -> list[str]:
    pieces: list[str] = []
    for chunk in _PARTS.split(spell_out_signs(text)):
        pieces += _KEEP_CUE.split(chunk)
    # "pt w/ HTN, HLD": a part saying only who has the list ("pt") names no condition
    parts = [p.strip() for p in pieces if set(normalise_text(p).split()) - LEADING_QUALIFIERS]
    for i in range(1, len(parts)):  # "on insulin and metformin": the second drug is taken "on" too
        drug = f"on {normalise_text(parts[i])}"
        if index and normalise_text(parts[i - 1]).startswith("on ") and drug in index.phrases:
            parts[i] = drug
    return parts


def _merged(position: int, parts: list[str], index: DiagnosisIndex) -> list[Entry]:
    """Each part read on its own; a part that names no condition ("class 2", "intractable") read with the
    part before it ("obesity, class 2, BMI 37" is class 2 obesity and the BMI)."""
    entries: list[Entry] = []
    previous = ""
    for part in parts:
        if only_qualifies(part):  # "mdd, recurrent, mild": a severity read with the condition, else nothing
            joined = _one_statement(position, f"{previous} {part}", index) if previous and entries else Entry()
            if joined.codes and not joined.reasons and entries[-1].codes and joined.codes != entries[-1].codes:
                entries[-1], previous = joined, f"{previous} {part}"
            continue
        entry = _statement(position, part, index)
        if entry.reasons and previous:
            joined = _one_statement(position, f"{previous} {part}", index)
            if joined.codes and not joined.reasons:
                entries[-1], previous = joined, f"{previous} {part}"
                continue
        entries.append(entry)
        previous = part
    return entries


def _with_therapy(position: int, text: str, whole: Entry, index: DiagnosisIndex) -> Entry:
    """'h/o PE, on anticoagulation': the drug therapy written after a history keeps its own code (Z79)."""
    if not whole.codes:
        return whole
    for part in parts_of(text, index)[1:]:
        if normalise_text(part).startswith("on ") and not only_qualifies(part):
            more = _one_statement(position, part, index)
            # only a drug or status code ("on insulin", "on dialysis"): another condition is not a therapy
            if more.codes and not more.reasons and all(c.code.startswith("Z") for c in more.codes):
                whole = Entry([*whole.codes, *more.codes], whole.reasons, whole.uncertain, whole.negated)
    return whole


def _statement(position: int, text: str, index: DiagnosisIndex) -> Entry:
    whole = _one_statement(position, text, index)
    if (whole.reasons or not whole.codes) and (reordered := qualifiers_first(text)):
        again = _one_statement(position, reordered, index)
        if again.codes and not again.reasons:
            return again
    return whole


_PARENTHESIS = re.compile(r"\s*\(([^()]*)\)\s*")


def _without_synonym(position: int, text: str, index: DiagnosisIndex) -> Entry | None:
    """'R epicondylitis (tennis elbow)': an aside naming the same condition (same subcategory) restates it."""
    inner, outside = [p for p in _PARENTHESIS.findall(text) if p.strip()], _PARENTHESIS.sub(" ", text).strip()
    if len(inner) != 1 or not outside or not isinstance(aside := index.lookup(inner[0]), TextMatch):
        return None
    plain = _statement(position, outside, index)
    same = all(any(c.code[:5] == a[:5] for c in plain.codes) for a in aside.codes)
    return plain if same and plain.codes and not plain.reasons else None


def code_text(position: int, text: str, index: DiagnosisIndex) -> Entry:
    spelled = normalise(spell_out_signs(text))
    # only a reading ("BP 128/82", "wt 212 lb today"): the numbers went, nothing left names a condition
    if not spelled or (re.search(r"\d", text) and not re.search(r"\d", spelled) and only_qualifies(spelled)):
        return Entry()
    whole = _statement(position, text, index)
    settled = not whole.reasons and all(c.confidence >= PHRASE_CONFIDENCE for c in whole.codes)
    if settled and (whole.codes or whole.uncertain or whole.negated not in ("negative", "ruled out", "excluded")):
        return _with_therapy(position, text, whole, index)  # a negation before a list covers all of it
    if (synonym := _without_synonym(position, text, index)) is not None:
        return synonym
    parts = parts_of(text, index)
    if len(parts) < 2:
        return whole
    entries = _merged(position, parts, index)
    if not entries or any(e.reasons for e in entries) or not any(e.codes or e.uncertain for e in entries):
        return whole
    return Entry(codes=[c for e in entries for c in e.codes], uncertain=[u for e in entries for u in e.uncertain])
