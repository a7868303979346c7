"""Misspelt words in documented diagnoses ("diabetes melitus", "pnuemonia") read as the word of the
code titles or phrase tables one edit away (two for long words). Only a unique neighbour is read:
of two words equally near, the commoner is taken only when it is far more common ("migrane" is
"migraine", not "migrans"); otherwise the word stays unplaced and the text goes to a person.
Ties are broken by a total order (distance, frequency, word), never by set order."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

MIN_LENGTH = 5  # shorter words are too often another word one letter away ("gout"/"gut")
TWO_EDITS_FROM = 9  # from this length two edits (a transposition) still name one word
FAVOURITE = 5  # of two words equally near, the commoner is read only when this many times as common


class Speller:
    def __init__(self, words: Iterable[str], frequency: Callable[[str], int]) -> None:
        self.words = sorted({w for w in words if w.isalpha() and len(w) > 3})
        self.frequency = frequency
        self.nearest = lru_cache(maxsize=8192)(self._nearest)

    def _nearest(self, word: str) -> str | None:
        if len(word) < MIN_LENGTH or not word.isalpha():
            return None
        limit = 1 if len(word) < TWO_EDITS_FROM else 2
        near = process.extract(word, self.words, scorer=Levenshtein.distance, score_cutoff=limit, limit=None)
        ranked = sorted((distance, -self.frequency(candidate), candidate) for candidate, distance, _ in near)
        if not ranked:
            return None
        if len(ranked) > 1 and ranked[1][0] == ranked[0][0] and -ranked[0][1] < FAVOURITE * -ranked[1][1]:
            return None  # two words equally near and about as common: not guessed
        return ranked[0][2]
