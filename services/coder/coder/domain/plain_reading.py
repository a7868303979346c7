"""Second readings of a documented diagnosis the index did not understand whole: without the words that say
how the condition is doing ("htn well controlled"), without a leading qualifier ("new onset afib"), and
without an acuity word where the code's category has no acuity axis ("acute low back pain" is M54.50), and
without a side where the code's subcategory has no side ("abscess of left buttock" is L02.31, I.B.13 applies only
to codes that have laterality)."""

from __future__ import annotations

from functools import lru_cache

import simple_icd_10_cm as icd

from coder.domain.text_index import DiagnosisIndex, TextMatch

# How a condition is doing, not what it is ("well controlled", "stable"); severity words are not among them
STATUS_WORDS = frozenset("""
stable controlled well uncomplicated improving improved better today worsening worse continue continued per recheck
check follow up
""".split())  # noqa: SIM905  # fmt: skip
LEADING_QUALIFIERS = frozenset({"new", "onset", "known", "newly", "diagnosed", "established", "worsening"})


@lru_cache(maxsize=2048)
def titles_of(category: str) -> str:
    """Every title of a category's billable codes, as one lower-case text."""
    return " ".join(icd.get_description(c).lower() for c in icd.get_descendants(category) if icd.is_leaf(c))


def without_status_words(norm: str) -> str:
    words = [w for w in norm.split() if w not in STATUS_WORDS]
    return " ".join(words) if words else norm


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


def without_leading_qualifiers(norm: str) -> str:
    words = norm.split()
    while len(words) > 1 and words[0] in LEADING_QUALIFIERS:
        words.pop(0)
    return " ".join(words)
