"""Site and laterality as physicians write them, mapped onto the tabular's site/laterality axes.

A condition the index knows ("otitis externa" -> H60.90, "deep vein thrombosis" -> I82.409) written
with a side or site ("both ears", "lle", "left heel") is refined to the billable code of the same
category whose title says the same condition with that side and site: the code titles are the
index (every leaf of the category, read by its words), not a row per phrasing. The refined code
must keep every content word of the condition's code and name every side/site word of the text
(or its broader site: a great toe is coded at "ankle and foot" where the tabular has no toe);
among those, the one adding the fewest other words wins, and a tie goes to a person."""

from __future__ import annotations

from functools import lru_cache

import simple_icd_10_cm as icd

from coder.domain.description_words import tokens

SIDES = frozenset({"left", "right", "bilateral"})
# Body-site words of the tabular's site axes (stemmed as description_words stems them).
SITES = frozenset("""
ear eye eyelid shoulder upper arm elbow forearm wrist hand finger thumb hip thigh knee lower leg ankle foot toe heel
midfoot limb axilla back buttock flank neck face chest abdomen breast great index middle ring little calf shin
""".split())  # noqa: SIM905  # fmt: skip
# Where the tabular has no axis for a site, the broader site that contains it (ICD-10-CM site conventions:
# toes and heel are coded at "ankle and foot", fingers at "hand").
BROADER = {"toe": ("foot",), "great": (), "heel": ("foot", "heel"), "midfoot": ("foot",), "finger": ("hand",),
           "index": (), "middle": (), "ring": (), "little": (), "leg": ("lower", "limb"), "arm": ("upper", "limb"),
           "thigh": ("lower", "limb"), "calf": ("lower", "limb"), "shin": ("lower", "limb"),
           "forearm": ("upper", "limb")}  # fmt: skip
# a "leg"/"arm" the tabular names only as a limb (R22.4- localized swelling, lower limb) is that limb
NEUTRAL = frozenset({"~unspecified", "~other", "~with", "~without"})
# The Index default where the text names no type (Osteoarthritis, shoulder M19.01- primary; Gout, site M10.0-
# idiopathic): it breaks a tie between the types a category's site codes offer.
DEFAULT_TYPE = frozenset({"primary", "idiopathic"})


@lru_cache(maxsize=4096)
def _title_words(code: str) -> frozenset[str]:
    return frozenset(w.lstrip("-") for w in tokens(icd.get_description(code)))


@lru_cache(maxsize=512)
def _leaves(category: str) -> tuple[str, ...]:
    return tuple(sorted(c for c in icd.get_descendants(category) if icd.is_leaf(c)))


def split_site(words: list[str]) -> tuple[list[str], list[str]]:
    """The condition's words and the side/site words written with it."""
    condition = [w for w in words if w not in SIDES and w not in SITES]
    return condition, [w for w in words if w in SIDES or w in SITES]


def _required(site_words: list[str], broader: bool) -> frozenset[str]:
    if not broader:
        return frozenset(site_words)
    out: set[str] = set()
    for w in site_words:
        out.update(BROADER.get(w, (w,)))
    return frozenset(out)


def refine(code: str, site_words: list[str]) -> tuple[str | None, list[str]]:
    """The sided/sited code of `code`'s category for the site words, or None with the tied candidates."""
    if not site_words or (not any(w in SIDES for w in site_words) and not set(site_words) - {"lower", "upper"}):
        return None, []
    leaves = _leaves(code[:3])
    sites = set(site_words) - SIDES
    if not any((SIDES | sites) & _title_words(leaf) for leaf in leaves):
        return code, []  # no code of the category has a side or that site: they change nothing (M72.2 plantar)
    keep = {w for w in _title_words(code) if w not in SIDES and w not in SITES and w not in NEUTRAL}
    for broader in (False, True):
        need = _required(site_words, broader)
        scored = []
        for leaf in leaves:
            has = _title_words(leaf)
            if not keep <= has or not need <= has:
                continue
            extra = len({w for w in has - keep - need if w not in NEUTRAL and w not in SITES})
            scored.append((extra, leaf))
        if scored:
            scored.sort()
            best = [leaf for extra, leaf in scored if extra == scored[0][0]]
            if len(best) > 1 and len(typed := [b for b in best if DEFAULT_TYPE & _title_words(b)]) == 1:
                best = typed
            return (best[0], []) if len(best) == 1 else (None, best[:5])
    return None, []


def both_sides(code: str, site_words: list[str]) -> tuple[str, str] | None:
    """I.B.13: a condition on both sides whose category has no bilateral code is coded once per side."""
    if "bilateral" not in site_words:
        return None
    right, left = (refine(code, [side if w == "bilateral" else w for w in site_words])[0] for side in ("right", "left"))
    return (right, left) if right and left and right != left else None
