"""The words of an ICD-10-CM description or a documented diagnosis, as the text index weighs them.

- with / without / unspecified / other and the 7th-character encounter words become markers
  (~with, ~initial, ...) that decide between codes the content words tie;
- the words of a "without ..." clause, "not <word>" and "uncomplicated" state a default (the
  absence of something): they are marked "-word" and cost a code nothing when the text is silent
  about them, so "type 2 diabetes" lands on "... without complications";
- stop words carry no diagnostic meaning."""

from __future__ import annotations

import re
from functools import lru_cache

STOPWORDS = frozenset({
    "a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "is", "of", "on", "or", "the", "to",
    "elsewhere", "classified", "due", "than", "type", "site", "nec",
})  # fmt: skip
MARKERS = {"with": "~with", "without": "~without", "unspecified": "~unspecified", "nos": "~unspecified",
           "other": "~other"}  # fmt: skip
ENCOUNTER = (("initial encounter", " zzinitial "), ("subsequent encounter", " zzsubsequent "))
CLAUSE_END = frozenset({"of", "in", "at", "on", "with", "due", "to", "and", "or", "for"})
_NOT_WORD = re.compile(r"[^a-z0-9]+")
_CLAUSES = re.compile(r"[,;()\[\]]")
_SEQUELA = re.compile(r"\bsequelae?\b")


_APOSTROPHE = re.compile(r"['\u2019]")  # "Alzheimer's" and "Alzheimers" are one word


def normalise_text(text: str) -> str:
    return _NOT_WORD.sub(" ", _APOSTROPHE.sub("", text.lower())).strip()


# One word for what the tabular and physicians write two ways ("lower extremity" / "lower limb", "both" /
# "bilateral"), applied to titles and documented text alike.
CANONICAL = {"extremity": "limb", "extremitie": "limb", "both": "bilateral", "bilat": "bilateral"}


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    return CANONICAL.get(_stem(word), _stem(word))


def _stem(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 5 and word.endswith("oses"):  # keratoses -> keratosis
        return word[:-2] + "is"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def tokens(text: str) -> list[str]:
    """Content words, markers (~x) and default words (-x) of a text, in order."""
    low = text.lower()
    for phrase, marker in ENCOUNTER:
        low = low.replace(phrase, marker)
    low = _SEQUELA.sub(" zzsequela ", low)
    out: list[str] = []
    fracture = "fracture" in low  # I.C.19.c.1: displaced and closed are the defaults a text need not write
    for clause in _CLAUSES.split(low):
        default = 0  # words left in a default clause: -1 to the clause end, n for the next n words
        for w in _NOT_WORD.sub(" ", clause).split():
            if w.startswith("zz"):
                out.append("~" + w[2:])
            elif w == "without":
                out.append("~without")
                default = -1
            elif w == "not":
                default = 1
            elif w in CLAUSE_END:
                default = 0
            elif w in STOPWORDS:
                continue
            elif w in MARKERS:
                out.append(MARKERS[w])
            else:
                absent = default != 0 or w == "uncomplicated" or (fracture and w in ("displaced", "closed"))
                out.append(("-" if absent else "") + stem(w))
                default = default - 1 if default > 0 else default
    return out


def words(text: str) -> list[str]:
    """The words of a documented text: what it says, default words read as plain words."""
    return [w.lstrip("-") for w in tokens(text)]


def title_key(text: str) -> str:
    """Every word of a title, sorted: the same key whatever the case, punctuation or order."""
    return " ".join(sorted(map(stem, normalise_text(text).split())))


_PARENTHESISED = re.compile(r"\([^()]*\)")


def title_keys(description: str) -> set[str]:
    """The title as written, and without its parenthesised nonessential words."""
    keys = {title_key(description)}
    if "(" in description:
        keys.add(title_key(_PARENTHESISED.sub(" ", description)))
    return keys


def adjust(query: set[str], has: set[str]) -> float:
    """Markers decide between codes the content words tie."""
    factor = 1.0
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
    if "fracture" in has and "fracture" in query:  # I.C.19.c.1: not documented -> displaced, closed
        if "nondisplaced" in has and "nondisplaced" not in query:
            factor *= 0.9
        if "open" in has and "open" not in query:
            factor *= 0.9
    for marker in ("~initial", "~subsequent", "~sequela"):
        if marker in query and marker not in has:
            factor *= 0.75
        elif marker in has and marker not in query and marker != "~initial":
            factor *= 0.75  # active treatment is the default encounter
    return factor
