"""Documented diagnosis text -> ICD-10-CM code. First the data table of clinical phrasings
and abbreviations (services/coder/coder/data/diagnosis_phrases.csv); then an index over the official
descriptions of every billable code in the FY2026 set, built once at start-up.

A match says which code, how sure (0..1), and which words matched (the evidence). A weak or
ambiguous best match is not a match: the encounter goes to a person with the candidates."""

from __future__ import annotations

import math
import re
import sys
from array import array
from collections import defaultdict
from dataclasses import dataclass

import simple_icd_10_cm as icd

# Words that carry no diagnostic meaning in descriptions or notes.
STOPWORDS = frozenset({
    "a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "is", "of", "on", "or", "the", "to", "with",
    "without", "unspecified", "other", "not", "elsewhere", "classified", "nos", "nec", "due", "than", "type", "site",
})  # fmt: skip
ACCEPT = 0.72  # below this the best guess is left to a person
MARGIN = 0.06  # a runner-up this close makes the text ambiguous


def normalise_text(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def _stem(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def words(text: str) -> list[str]:
    return [_stem(w) for w in normalise_text(text).split() if w not in STOPWORDS]


@dataclass(frozen=True)
class TextMatch:
    code: str
    confidence: float
    evidence: list[str]


@dataclass(frozen=True)
class Unsure:
    reason: str
    suggestions: list[str]


class DiagnosisIndex:
    def __init__(self, phrases: dict[str, str]) -> None:
        self.phrases = phrases
        self.codes: list[str] = []
        # tuples and typed arrays rather than sets and lists of ints: ~75k entries, held by every worker
        self.code_words: list[tuple[str, ...]] = []
        postings: dict[str, array[int]] = defaultdict(lambda: array("I"))
        for code in icd.get_all_codes(with_dots=True):
            if not icd.is_leaf(code) or icd.is_chapter_or_block(code):
                continue
            ws = tuple(sorted({sys.intern(w) for w in words(icd.get_description(code))}))
            if not ws:
                continue
            index = len(self.codes)
            self.codes.append(code)
            self.code_words.append(ws)
            for w in ws:
                postings[w].append(index)
        total = len(self.codes)
        self.postings = dict(postings)
        self.idf = {w: math.log(total / len(ids)) for w, ids in postings.items()}

    def lookup(self, text: str) -> TextMatch | Unsure:
        phrase = normalise_text(text)
        if phrase in self.phrases:
            return TextMatch(self.phrases[phrase], 0.97, [phrase])
        query = set(words(text))
        known = [w for w in query if w in self.postings]
        if not known:
            return Unsure("no word of the text names a diagnosis", [])
        weight = sum(self.idf[w] for w in known) + sum(3.0 for w in query if w not in self.postings)
        rare = sorted(known, key=lambda w: -self.idf[w])[:2]
        both = set(self.postings[rare[0]]).intersection(*(self.postings[w] for w in rare[1:]))
        candidates = both or set(self.postings[rare[0]])
        scored = []
        for i in candidates:
            matched = query.intersection(self.code_words[i])
            coverage = sum(self.idf[w] for w in matched) / weight
            precision = len(matched) / len(self.code_words[i])
            scored.append((round(coverage * math.sqrt(precision), 4), self.codes[i], sorted(matched)))
        scored.sort(key=lambda s: (-s[0], s[1]))
        best = scored[0]
        suggestions = [code for _, code, _ in scored[:5]]
        if best[0] < ACCEPT:
            return Unsure(f"best match {best[1]} is weak ({best[0]:.2f})", suggestions)
        if len(scored) > 1 and best[0] - scored[1][0] < MARGIN:
            return Unsure(f"ambiguous between {best[1]} and {scored[1][1]}", suggestions)
        return TextMatch(best[1], min(best[0], 0.95), best[2])
