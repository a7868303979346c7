"""Second readings of a documented diagnosis the index did not understand whole: without the words that say
how the condition is doing ("htn well controlled"), without a leading qualifier ("new onset afib"), and
without an acuity word where the code's category has no acuity axis ("acute low back pain" is M54.50), and
without a side where the code's subcategory has no side ("abscess of left buttock" is L02.31, I.B.13 applies only
to codes that have laterality)."""

from __future__ import annotations

import re
from functools import lru_cache

import simple_icd_10_cm as icd

from coder.domain.description_words import title_key
from coder.domain.text_index import DiagnosisIndex, TextMatch, normalise_text

# How a condition is doing, not what it is ("well controlled", "stable"); severity words are not among them
STATUS_WORDS = frozenset("""
stable controlled well uncomplicated improving improved better today worsening worse continue continued per recheck
check follow up
""".split())  # noqa: SIM905  # fmt: skip
# "pt w/ HTN": who has the condition, or that it is new, says nothing of which code
LEADING_QUALIFIERS = frozenset({"new", "onset", "known", "newly", "diagnosed", "established", "worsening",
                                "pt", "patient", "with", "w", "has"})  # fmt: skip


@lru_cache(maxsize=2048)
def titles_of(category: str) -> str:
    """Every title of a category's billable codes, as one lower-case text."""
    return " ".join(icd.get_description(c).lower() for c in icd.get_descendants(category) if icd.is_leaf(c))


def without_status_words(norm: str, index: DiagnosisIndex | None = None) -> str:
    """The text without the words that say how a condition is doing, except a word that is part of a term the
    Index names with the next word ("stable angina" is I20.89, an essential modifier, not a status)."""
    tokens = norm.split()
    kept = [
        w
        for i, w in enumerate(tokens)
        if w not in STATUS_WORDS or (index is not None and _names_term(" ".join(tokens[i : i + 2]), index))
    ]
    return " ".join(kept) if kept else norm


def _names_term(phrase: str, index: DiagnosisIndex) -> bool:
    key = title_key(phrase)
    return " " in phrase and (phrase in index.phrases or bool(index.inclusions.get(key) or index.titles.get(key)))


def without_acuity(norm: str, index: DiagnosisIndex) -> TextMatch | None:
    """'acute low back pain': an acuity word read without, when no code of the category has that axis."""
    for word in ("acute", "chronic"):
        if f" {word} " not in f" {norm} ":
            continue
        found = index.lookup(" ".join(w for w in norm.split() if w != word))
        if isinstance(found, TextMatch) and not any(word in titles_of(c[:3]) for c in found.codes):
            return found
    return None


def without_side(norm: str, index: DiagnosisIndex) -> TextMatch | None:
    """'abscess of left buttock': the side read without, when no code beside the match has a side."""
    for word in ("left", "right"):
        if f" {word} " not in f" {norm} ":
            continue
        found = index.lookup(" ".join(w for w in norm.split() if w != word))
        if isinstance(found, TextMatch) and not any(
            side in titles_of(icd.get_parent(c)) for c in found.codes for side in ("left", "right", "bilateral")
        ):
            return found
    return None


_LEVEL = re.compile(r"\b[ctls]\d{1,2}(?:\s+[ctls]?\d{1,2})?\b")


def without_levels(norm: str, index: DiagnosisIndex) -> TextMatch | None:
    """'cervical radiculopathy c5 c6': a spinal level read without, when no code of the category has a level axis
    (M54.12 has none; a disc disorder's M50.12- has one, and keeps the text for a person)."""
    plain = normalise_text(_LEVEL.sub(" ", norm))
    if plain == norm or not plain:
        return None
    found = index.lookup(plain)
    if isinstance(found, TextMatch) and not any("level" in titles_of(c[:3]) for c in found.codes):
        return found
    return None


def without_leading_qualifiers(norm: str) -> str:
    words = norm.split()
    while len(words) > 1 and words[0] in LEADING_QUALIFIERS:
        words.pop(0)
    return " ".join(words)


# words that choose among a condition's codes (acuity, severity, course, side, stage), as titles use them
AXIS_WORDS = frozenset({
    "acute", "chronic", "on", "subacute", "mild", "moderate", "severe", "persistent", "intermittent", "recurrent",
    "single", "episode", "paroxysmal", "permanent", "longstanding", "essential", "primary", "secondary",
    "unspecified", "bilateral", "left", "right", "stage", "1", "2", "3", "3a", "3b", "4", "5",
})  # fmt: skip
_TRAILING = re.compile(r"\s*[,()]\s*")


def qualifiers_first(text: str) -> str | None:
    """'HFrEF, chronic' / 'asthma (mild persistent)': qualifiers written after the condition, read
    before it as the index phrases them ('chronic HFrEF')."""
    pieces = [p for p in _TRAILING.split(text) if normalise_text(p)]
    if len(pieces) < 2 or not all(set(normalise_text(p).split()) <= AXIS_WORDS for p in pieces[1:]):
        return None
    return " ".join([*pieces[1:], pieces[0]])
