"""Documented diagnosis text -> ICD-10-CM code(s). In order: the data table of clinical
phrasings (services/coder/coder/data/diagnosis_phrases.csv), the same table after the
abbreviations are spelled out, the official code titles (any case, punctuation or order of
words), then a scored index over the official descriptions of every billable FY2026 code.

A match says which codes, how sure (0..1), and which words matched (the evidence). A weak or
ambiguous best match is not a match: the encounter goes to a person with ranked candidates.
Every tie is broken by a total order (score, then the code), never by set or dict order, so the
same text gives the same answer in every process whatever PYTHONHASHSEED is."""

from __future__ import annotations

import math
import re
import sys
from array import array
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

import simple_icd_10_cm as icd

from coder.domain.clinical_text import expand_abbreviations

# Words that carry no diagnostic meaning. with/without/unspecified/other are not here: they
# decide between codes (marked, below, and weighed apart from the content words).
STOPWORDS = frozenset({
    "a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "is", "of", "on", "or", "the", "to",
    "not", "elsewhere", "classified", "due", "than", "type", "site", "nec",
})  # fmt: skip
MARKERS = {"with": "~with", "without": "~without", "unspecified": "~unspecified", "nos": "~unspecified",
           "other": "~other"}  # fmt: skip
ACCEPT = 0.72  # below this the best guess is left to a person
MARGIN = 0.06  # a runner-up this close makes the text ambiguous
UNKNOWN_WORD_WEIGHT = 3.0  # a word the index cannot place counts against the match


_NOT_WORD = re.compile(r"[^a-z0-9]+")
_PARENTHESISED = re.compile(r"\([^()]*\)")


def normalise_text(text: str) -> str:
    return _NOT_WORD.sub(" ", text.lower()).strip()


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _words_of(tokens: list[str]) -> list[str]:
    return [MARKERS.get(w) or _stem(w) for w in tokens if w not in STOPWORDS]


def words(text: str) -> list[str]:
    return _words_of(normalise_text(text).split())


def title_key(text: str) -> str:
    """Every word of a title, sorted: the same key whatever the case, punctuation or order."""
    return " ".join(sorted(map(_stem, normalise_text(text).split())))


def _title_keys(description: str) -> set[str]:
    """The title as written, and without its parenthesised nonessential words."""
    keys = {title_key(description)}
    if "(" in description:
        keys.add(title_key(_PARENTHESISED.sub(" ", description)))
    return keys


@dataclass(frozen=True)
class TextMatch:
    codes: tuple[str, ...]
    confidence: float
    evidence: list[str]

    @property
    def code(self) -> str:
        return self.codes[0]


@dataclass(frozen=True)
class Unsure:
    reason: str
    suggestions: list[str]


@dataclass(frozen=True)
class DiagnosisData:
    """The diagnosis tables an adapter loads from services/coder/coder/data."""

    phrases: dict[str, tuple[str, ...]]  # normalised phrase -> codes
    abbreviations: dict[str, str] = field(default_factory=dict)  # normalised word(s) -> spelled out
    history: dict[str, tuple[str, ...]] = field(default_factory=dict)  # condition -> personal-history code
    status: dict[str, tuple[str, ...]] = field(default_factory=dict)  # procedure/device -> status code
    family: dict[str, tuple[str, ...]] = field(default_factory=dict)  # condition -> family-history code
    integral: tuple[tuple[str, str], ...] = ()  # (diagnosis prefix, routinely associated symptom prefix)
    diabetes: tuple[tuple[str, str, bool], ...] = ()  # (complication prefix, E1x suffix, complication kept)
    needs: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = ()  # (code, needed prefixes, choices)


def _adjust(query: set[str], code_words: tuple[str, ...]) -> float:
    """with/without/unspecified/other decide between codes the content words tie."""
    factor = 1.0
    has = set(code_words)
    if "~without" in query and "~with" in has and "~without" not in has:
        factor *= 0.8
    if "~with" in query and "~without" in has and "~with" not in has:
        factor *= 0.8
    for marker in ("~unspecified", "~other"):
        if marker in query and marker not in has:
            factor *= 0.9
    if "~other" in has and "~other" not in query:
        factor *= 0.93  # with no detail documented, the unspecified code is the default
    if "~with" in has and "~without" not in has and "~with" not in query:
        factor *= 0.95  # a complication the text does not name
    return factor


class DiagnosisIndex:
    def __init__(self, data: DiagnosisData | dict[str, str]) -> None:
        if isinstance(data, dict):  # a bare phrase table (tests)
            data = DiagnosisData(phrases={k: (v,) for k, v in data.items()})
        self.data = data
        self.phrases = data.phrases
        self.codes: list[str] = []
        # tuples and typed arrays rather than sets and lists of ints: ~75k entries, held by every worker
        self.code_words: list[tuple[str, ...]] = []
        self.titles: dict[str, str] = {}
        postings: dict[str, array[int]] = defaultdict(lambda: array("I"))
        for code in sorted(icd.get_all_codes(with_dots=True)):
            if not icd.is_leaf(code) or icd.is_chapter_or_block(code):
                continue
            described = icd.get_description(code)
            for key in _title_keys(described):
                # two codes with the same words: the key names neither (ties are not guessed)
                self.titles[key] = "" if key in self.titles and self.titles[key] != code else code
            ws = tuple(sorted({sys.intern(w) for w in words(described)}))
            if not ws:
                continue
            index = len(self.codes)
            self.codes.append(code)
            self.code_words.append(ws)
            for w in ws:
                if not w.startswith("~"):
                    postings[w].append(index)
        total = len(self.codes)
        self.postings = dict(postings)
        self.idf = {w: math.log(total / len(ids)) for w, ids in postings.items()}
        self._cache: dict[tuple[str, str], TextMatch | Unsure] = {}

    def expand(self, phrase: str) -> str:
        return expand_abbreviations(phrase, self.data.abbreviations)

    def lookup(self, text: str, within: str = "") -> TextMatch | Unsure:
        """The code(s) for a text; `within` restricts the description index to codes with that prefix."""
        key = (text, within)
        found = self._cache.get(key)
        if found is None:
            found = self._lookup(text, within)
            if len(self._cache) < 50_000:  # bounded: a worker's memory does not grow with traffic
                self._cache[key] = found
        return found

    def _lookup(self, text: str, within: str) -> TextMatch | Unsure:
        phrase = normalise_text(text)
        expanded = self.expand(phrase)
        for candidate in (phrase, expanded):  # an official title is the surest evidence there is
            code = self.titles.get(title_key(candidate))
            if code and code.startswith(within):
                return TextMatch((code,), 1.0, [f"official title of {code}"])
        for candidate in (phrase, expanded):
            if candidate in self.phrases and all(c.startswith(within) for c in self.phrases[candidate]):
                return TextMatch(self.phrases[candidate], 0.97, [candidate])
        return self._scored(expanded, within)

    def _scored(self, text: str, within: str) -> TextMatch | Unsure:
        query = set(words(text))
        content = sorted(w for w in query if not w.startswith("~"))
        known = [w for w in content if w in self.postings]
        if not known:
            return Unsure("no word of the text names a diagnosis", [])
        unknown = [w for w in content if w not in self.postings]
        weight = sum(self.idf[w] for w in known) + UNKNOWN_WORD_WEIGHT * len(unknown)
        rare = sorted(known, key=lambda w: (-self.idf[w], w))[:2]
        both = set(self.postings[rare[0]]).intersection(*(self.postings[w] for w in rare[1:]))
        scored = []
        for i in sorted(both or set(self.postings[rare[0]])):
            if not self.codes[i].startswith(within):
                continue
            cw = self.code_words[i]
            matched = [w for w in cw if w in query and not w.startswith("~")]
            found = sum(self.idf[w] for w in matched)
            coverage = found / weight
            # what the code says and the text does not, weighed by how telling each word is
            precision = found / max(sum(self.idf[w] for w in cw if not w.startswith("~")), 1e-9)
            score = round(coverage * precision * _adjust(query, cw), 4)
            scored.append((-score, len(cw), self.codes[i], matched))
        if not scored:
            return Unsure("no code in the range asked for matches the text", [])
        scored.sort(key=lambda s: (s[0], s[1], s[2]))
        best, runner = scored[0], scored[1] if len(scored) > 1 else None
        suggestions = [code for _, _, code, _ in scored[:5]]
        note = f"; not placed: {' '.join(unknown)}" if unknown else ""
        if -best[0] < ACCEPT:
            return Unsure(f"best match {best[2]} is weak ({-best[0]:.2f}){note}", suggestions)
        if runner and runner[0] - best[0] < MARGIN:
            return Unsure(f"ambiguous between {best[2]} and {runner[2]}{note}", suggestions)
        evidence = [*best[3], *(f"not placed: {w}" for w in unknown)]
        return TextMatch((best[2],), min(-best[0], 0.95), evidence)
