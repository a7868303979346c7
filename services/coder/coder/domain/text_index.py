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
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

import simple_icd_10_cm as icd

from coder.domain.clinical_text import expand_abbreviations
from coder.domain.description_words import adjust, normalise_text, stem, title_key, title_keys, tokens, words
from coder.domain.site_refine import SIDES, SITES, both_sides, refine
from coder.domain.spelling import Speller

__all__ = ["DiagnosisData", "DiagnosisIndex", "TextMatch", "Unsure", "normalise_text", "words"]

ACCEPT = 0.72  # below this the best guess is left to a person
MARGIN = 0.06  # a runner-up this close makes the text ambiguous
UNKNOWN_WORD_WEIGHT = 3.0  # a word the index cannot place counts against the match
SITED_BASE = 0.9  # a condition read this surely may be refined by the side/site written with it
SPELLING_CONFIDENCE = 0.9  # a respelt text is read, but below a phrase-table or title match
CONNECTORS = frozenset({"of", "the", "on", "in", "at", "to"})
# The encounter an injury's 7th character states (I.C.19.a): the injury looked up without it, then given it
ENCOUNTER = re.compile(r"\b(?:(?P<A>initial(?: encounter| visit)?|active treatment)|"
                       r"(?P<D>subsequent(?: encounter| visit)?|routine healing|healing well|follow up|f u)|"
                       r"(?P<S>sequelae?|late effects?))\b")  # fmt: skip


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
    pairs: tuple[tuple[str, str, tuple[str, ...], bool], ...] = ()  # (A, B, A becomes, B kept): both listed
    contradictory: tuple[tuple[str, str], ...] = ()  # prefixes never coded together: a person decides
    ambiguous: dict[str, tuple[str, ...]] = field(default_factory=dict)  # abbreviation -> its meanings
    screening: dict[str, str] = field(default_factory=dict)  # what a screening is for -> its Z11-Z13 code


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
        self.inclusions: dict[str, str] = {}  # inclusion terms of billable codes, read like titles
        postings: dict[str, array[int]] = defaultdict(lambda: array("I"))
        described_words: set[str] = set()
        for code in sorted(icd.get_all_codes(with_dots=True)):
            if not icd.is_leaf(code) or icd.is_chapter_or_block(code):
                continue
            described = icd.get_description(code)
            described_words.update(normalise_text(described).split())
            for key in title_keys(described):
                # two codes with the same words: the key names neither (ties are not guessed)
                self.titles[key] = "" if key in self.titles and self.titles[key] != code else code
            for term in icd.get_inclusion_term(code):
                for key in title_keys(term):
                    self.inclusions[key] = "" if self.inclusions.get(key, code) != code else code
            ws = tuple(sorted({sys.intern(w) for w in tokens(described)}))
            if not ws:
                continue
            index = len(self.codes)
            self.codes.append(code)
            self.code_words.append(ws)
            for w in {w.lstrip("-") for w in ws if not w.startswith("~")}:
                postings[w].append(index)
        total = len(self.codes)
        self.postings = dict(postings)
        # words a documented text may use: the index's, the phrase and abbreviation tables'
        self.vocabulary = frozenset(w for key in (*self.phrases, *data.abbreviations) for w in key.split())
        self.speller = Speller(described_words | self.vocabulary, lambda w: len(self.postings.get(stem(w), ())))
        self.idf = {w: math.log(total / len(ids)) for w, ids in postings.items()}
        self._cache: dict[tuple[str, str], TextMatch | Unsure] = {}
        self.list_cache: dict[Hashable, Any] = {}  # a documented list -> its coding (diagnoses.py)

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
        if found := self._encounter(phrase, within):
            return found
        for candidate in (phrase, expanded):
            if candidate in self.phrases and all(c.startswith(within) for c in self.phrases[candidate]):
                return TextMatch(self.phrases[candidate], 0.97, [candidate])
        for candidate in (phrase, expanded):
            code = self.inclusions.get(title_key(candidate))
            if code and code.startswith(within):
                return TextMatch((code,), 0.99, [f"inclusion term of {code}"])
        for candidate in (phrase, expanded):  # "lesion of skin *": the words after it do not change the code
            found = self._prefix(candidate, within)
            if found:
                return found
        scored = self._scored(expanded, within)
        if isinstance(scored, Unsure):
            return self._sited(expanded, within) or self._respelled(expanded, within) or scored
        return scored

    def _respelled(self, phrase: str, within: str) -> TextMatch | None:
        """A misspelt word ("melitus") read as the index word next to it (spelling.py); no unique one: unplaced."""
        raw = phrase.split()
        fixed = [w if stem(w) in self.postings or w in self.vocabulary else self.speller.nearest(w) for w in raw]
        if fixed == raw or None in fixed:
            return None
        found = self.lookup(" ".join(w for w in fixed if w), within)
        if not isinstance(found, TextMatch):
            return None
        changed = [f"spelling: {a} read as {b}" for a, b in zip(raw, fixed, strict=True) if a != b]
        return TextMatch(found.codes, min(found.confidence, SPELLING_CONFIDENCE), [*found.evidence, *changed])

    def _encounter(self, phrase: str, within: str) -> TextMatch | None:
        """'sprain of right ankle, subsequent encounter': the injury's code with 7th character D."""
        if not (m := ENCOUNTER.search(phrase)) or not (rest := normalise_text(ENCOUNTER.sub(" ", phrase))):
            return None
        base = self.lookup(rest, within)
        if not isinstance(base, TextMatch) or len(base.codes) != 1:
            return None
        code, seventh = base.code, m.lastgroup or ""
        if len(code) != 8 or code[-1] not in "ADS":
            return None
        coded = code[:-1] + seventh
        if not (icd.is_valid_item(coded) and icd.is_leaf(coded)):
            return None
        return TextMatch((coded,), base.confidence, [*base.evidence, f"7th character {seventh}: {m[0]}"])

    def _sited(self, phrase: str, within: str) -> TextMatch | Unsure | None:
        """A known condition written with its side or site: the category's code for them (site_refine)."""
        raw = phrase.split()
        condition = [w for w in raw if stem(w) not in SIDES and stem(w) not in SITES]
        site_words = [stem(w) for w in raw if stem(w) in SIDES or stem(w) in SITES]
        while condition and condition[-1] in CONNECTORS:
            condition.pop()
        while condition and condition[0] in CONNECTORS:
            condition.pop(0)
        if not site_words or not condition or len(condition) == len(raw):
            return None
        base = self.lookup(" ".join(condition), within)
        if not isinstance(base, TextMatch) or len(base.codes) != 1 or base.confidence < SITED_BASE:
            return None
        code, tied = refine(base.code, site_words)
        if code is None and not tied and (pair := both_sides(base.code, site_words)) and pair[0].startswith(within):
            return TextMatch(pair, min(base.confidence, 0.96), [*base.evidence, "no bilateral code (I.B.13)"])
        if code is None:
            written = " ".join(site_words)
            return Unsure(f"{base.code}: more than one code for the site written ({written})", tied) if tied else None
        if not code.startswith(within):
            return None
        evidence = [*base.evidence, f"site/side in the title of {code}: {' '.join(site_words)}"]
        return TextMatch((code,), min(base.confidence, 0.96), evidence)

    def _prefix(self, phrase: str, within: str) -> TextMatch | None:
        parts = phrase.split()
        for size in range(len(parts), 0, -1):
            key = " ".join(parts[:size]) + " *"
            codes = self.phrases.get(key)
            if codes and all(c.startswith(within) for c in codes):
                return TextMatch(codes, 0.97, [key])
        return None

    def _scored(self, text: str, within: str) -> TextMatch | Unsure:
        query = set(words(text))
        said_plainly = {w for w in tokens(text) if not w.startswith(("-", "~"))}
        said_absent = {w[1:] for w in tokens(text) if w.startswith("-")} - said_plainly
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
            # "not intractable" in a title is not matched by a text that says "intractable"
            matched = [w.lstrip("-") for w in cw if w.lstrip("-") in query and not w.startswith("~")
                       and not (w.startswith("-") and w[1:] in said_plainly) and w not in said_absent]  # fmt: skip
            found = sum(self.idf[w] for w in matched)
            coverage = found / weight
            # what the code says and the text does not, weighed by how telling each word is; a
            # default word ("without ...") costs nothing when the text is silent about it
            said = sum(self.idf[w] for w in cw if not w.startswith(("~", "-")))
            said += sum(self.idf[w[1:]] for w in cw if w.startswith("-") and w[1:] in query)
            precision = found / max(said, 1e-9)
            score = round(coverage * precision * adjust(query, set(cw)), 4)
            scored.append((-score, len(cw), self.codes[i], matched))
        if not scored:
            return Unsure("no code in the range asked for matches the text", [])
        scored.sort(key=lambda s: (s[0], s[1], s[2]))
        best, runner = scored[0], scored[1] if len(scored) > 1 else None
        suggestions = [code for _, _, code, _ in scored[:5]]
        note = f"; not placed: {' '.join(unknown)}" if unknown else ""
        if unknown:  # a word the index cannot place may change the code: not dropped silently
            return Unsure(f"best match {best[2]} leaves words unplaced{note}", suggestions)
        if -best[0] < ACCEPT:
            return Unsure(f"best match {best[2]} is weak ({-best[0]:.2f}){note}", suggestions)
        if runner and runner[0] - best[0] < MARGIN:
            return Unsure(f"ambiguous between {best[2]} and {runner[2]}{note}", suggestions)
        evidence = [*best[3], *(f"not placed: {w}" for w in unknown)]
        return TextMatch((best[2],), min(-best[0], 0.95), evidence)
