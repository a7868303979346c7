"""How a clinician wrote a diagnosis: present, absent (negated), uncertain, a history, a status
or a family history, and the condition it is about; abbreviations spelled out.

Outpatient rules (ICD-10-CM Official Guidelines IV.H, IV.J, I.C.21.c.4/c.3): an uncertain
diagnosis ("probable", "suspected", "rule out", ...) is not coded as if confirmed, the signs
and symptoms documented with it are; a negated one is not coded at all; "history of" becomes a
personal-history code and "s/p" a status code, not the active condition."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Assertion = Literal["present", "absent", "uncertain", "history", "status", "family"]

# Abbreviations with a slash or sign, read before punctuation is dropped.
_SIGNS = (
    (r"\br\s*/\s*o\b", " rule out "), (r"\bh\s*/\s*o\b", " history of "), (r"\bs\s*/\s*p\b", " status post "),
    (r"\bb\s*/\s*l\b", " bilateral "), (r"\bw\s*/\s*o\b", " without "), (r"\bw\s*/", " with "),
    (r"\bc\s*/\s*o\b", " complains of "), (r"\bc\s*/\s*w\b", " consistent with "),
    (r"\bf\s*/\s*h\b", " family history of "), (r"\bp\s*/\s*w\b", " with "),
    (r"\bddx\b", " differential diagnosis "), (r"\bdx\b", " diagnosis "), (r"\bd\s*/\s*t\b", " due to "),
    (r"\b2\s*/\s*2\b", " due to "),
    # a duration or a measurement says how long or how much, not what: "x 3 days", "EF 30%"
    (r"\b(?:x|for)\s*\d+\s*(?:days?|d|weeks?|wks?|w|months?|mos?|years?|yrs?|y)\b", " "),
    (r"\b(?:lv)?ef\s*(?:of\s*)?(?:<|>|=)?\s*\d+(?:\s*-\s*\d+)?\s*%?", " "),
    (r"\b(?:hgb\s*|hb)?a1c\s*(?:of\s*|is\s*)?(?:<|>|=)?\s*\d+(?:\.\d+)?\s*%?", " "), (r"\bx\s*\d+\b", " "),
    # an amount says how much, not what: "smoker 1/2 ppd", "30 pack-year history"
    (r"\b\d+(?:\s*/\s*\d+|\.\d+)?\s*(?:ppd|packs?\s+(?:per|a)\s+day|pack[\s-]*years?|pk[\s-]*yrs?|py)\b", " "),
    # a reading makes no diagnosis (R03.0 says so in words): "BP 128/82", "wt 212 lb", "ht 64 in", "10 lb"
    (r"\b(?:bp|blood pressure)\s*(?:of|is|:)?\s*\d{2,3}\s*/\s*\d{2,3}\b", " "), (r"\b\d{2,3}\s*/\s*\d{2,3}\b", " "),
    (r"\b(?:wt|weight|ht|height)\s*(?:of|is|:)?\s*\d+(?:\.\d+)?\s*(?:lbs?|pounds?|kgs?|in|inches|cm|oz)?(?![\w.])",
     " "),
    (r"\b\d+(?:\.\d+)?\s*(?:lbs?|pounds?|kgs?|inches|cm|oz)\b", " "),
    # "on long-term prednisone" is "on prednisone": the Z79 code says long-term already
    (r"\bon\s+(?:long[\s-]*term|daily|maintenance)\s+(?:use\s+of\s+|therapy\s+with\s+)?", " on "),
)  # fmt: skip
_LATERALITY = {"r": "right", "rt": "right", "l": "left", "lt": "left"}
_ORDINAL = re.compile(r"\d+(?:st|nd|rd|th)")  # "R 1st MTP": a side before a numbered digit or joint

# Cues, longest first within each list so "negative for" wins over "no".
NEGATED_BEFORE = ("without evidence of", "no evidence of", "no signs of", "negative for", "ruled out for",
                  "ruled out", "denies", "denied", "neg for", "free of", "absence of", "not", "no")  # fmt: skip
NEGATED_AFTER = ("ruled out", "excluded", "negative", "absent", "resolved")
UNCERTAIN_BEFORE = ("symptoms consistent with", "sx consistent with", "findings consistent with", "sx c w",
                    "working diagnosis of", "working diagnosis", "differential diagnosis of", "differential diagnosis",
                    "differential includes", "cannot rule out", "cant rule out", "cannot exclude", "concerning for",
                    "suspicious for", "consistent with", "compatible with", "suspicion of", "question of",
                    "concern for", "evaluate for", "eval for", "presumptive", "questionable", "presumed",
                    "suspected", "rule out", "probable", "probably", "possible", "possibly", "suspect", "likely",
                    "query", "ro")  # fmt: skip
UNCERTAIN_AFTER = ("suspected", "likely", "probable", "possible", "questionable", "versus", "vs")
FAMILY_BEFORE = ("family history of", "family hx of", "family hx", "fhx of", "fhx", "fh of", "fh")
HISTORY_BEFORE = ("personal history of", "past history of", "remote history of", "history of", "hx of", "pmh of",
                  "hx", "pmh")  # fmt: skip
STATUS_BEFORE = ("status post", "post op", "postop", "sp")
_SIGN_SPLIT = re.compile(r"\s+(?:presenting with|with|given|because of|based on|and)\s+|[(),;:]")


def normalise(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", re.sub(r"['\u2019]", "", text.lower())).strip()


_SIDE_AFTER = re.compile(
    r"^(?P<rest>[^,;]+?),?\s+(?:on the\s+)?(?P<side>right|left|bilateral|rt|lt|bilat|(?:r|l)$)"
    r"(?:\s+(?:side|ear|eye|ears|eyes))?\s*$"
)
_SIDE_WORD = {"rt": "right", "lt": "left", "bilat": "bilateral", "r": "right", "l": "left"}
_LEADING_CUE = re.compile(r"^((?:(?:personal |family )?history of |status post )?)(.*)$")
# "both ears", "bilateral eyes": the tabular's ear and eye codes say "bilateral" alone
_BOTH_ORGANS = re.compile(r"\b(?:both|bilateral|bilat|b/l)\s+(?:ears|eyes)\b")


def spell_out_signs(text: str) -> str:
    low = text.lower().strip()
    for pattern, replacement in _SIGNS:
        low = re.sub(pattern, replacement, low)
    if low.rstrip().endswith("?") or low.lstrip().startswith("?"):  # "pneumonia?" is a question, not a finding
        low = "questionable " + low.strip(" ?")
    low = _BOTH_ORGANS.sub("bilateral", low)
    if m := _SIDE_AFTER.match(low):  # "tennis elbow, right" is "right tennis elbow"; a leading cue stays first
        # _LEADING_CUE's every part is optional: it matches any text, so match() is never None
        cue, rest = _LEADING_CUE.match(m["rest"].strip()).groups()  # type: ignore[union-attr]
        side = _SIDE_WORD.get(m["side"], m["side"])
        # "LBP w/ sciatica L": the side is said of both sides of "with" (whichever part has a side axis takes it)
        head, joined, tail = rest.rpartition(" with ")
        low = f"{cue}{side} {head} with {side} {tail}" if joined else f"{cue}{side} {rest}"
    return re.sub(r"\s+", " ", low).strip()


def expand_abbreviations(phrase: str, table: dict[str, str]) -> str:
    """Spell out abbreviations word by word (longest first, up to three words); R/L/RT/LT are
    read only as a side, and only before a word (so "L4" or "L 5" stay as they are)."""
    tokens = phrase.split()
    out: list[str] = []
    i = 0
    while i < len(tokens):
        for size in (3, 2, 1):
            chunk = " ".join(tokens[i : i + size])
            if len(tokens) - i >= size and chunk in table:
                out.append(table[chunk])
                i += size
                break
        else:
            token = tokens[i]
            following = tokens[i + 1] if i + 1 < len(tokens) else ""
            if token in _LATERALITY and (following.isalpha() or _ORDINAL.fullmatch(following)):
                token = _LATERALITY[token]
            out.append(token)
            i += 1
    return " ".join(out)


@dataclass(frozen=True)
class Statement:
    assertion: Assertion
    concept: str  # the condition, normalised, without its cue
    signs: tuple[str, ...] = ()  # signs and symptoms written beside an uncertain diagnosis
    cue: str = ""


def _strip_before(text: str, cues: tuple[str, ...]) -> tuple[str, str] | None:
    for cue in cues:
        if text == cue:
            return None
        if text.startswith(cue + " "):
            return cue, text[len(cue) + 1 :].strip()
    return None


def _strip_after(text: str, cues: tuple[str, ...]) -> tuple[str, str] | None:
    for cue in cues:
        if text.endswith(" " + cue):
            return cue, text[: -len(cue) - 1].strip()
    return None


def _uncertain(low: str, cue: str) -> Statement:
    """The uncertain condition and the signs documented with it ("possible pneumonia with cough")."""
    position = normalise(low).find(cue)
    after = low
    if position >= 0:  # drop the cue from the raw text by walking its words
        words_before = len(normalise(low)[:position].split()) + len(cue.split())
        after = " ".join(low.split()[words_before:]) if words_before else low
    parts = [normalise(p) for p in _SIGN_SPLIT.split(after)]
    parts = [p for p in parts if p]
    concept, signs = (parts[0], tuple(parts[1:])) if parts else ("", ())
    for trailing in UNCERTAIN_AFTER:
        concept = re.sub(rf"\s+{trailing}$", "", concept)
    return Statement("uncertain", concept, signs, cue)


# What a patient complains of is documented as present: the words before it frame, not qualify, it.
COMPLAINT = re.compile(r"^(?:(?:pt|patient)\s+)?(?:complains of|complaining of|presents with|presenting with|"
                       r"reports|c o)\s+")  # fmt: skip


def read_statement(text: str) -> Statement:
    low = COMPLAINT.sub("", spell_out_signs(text))
    norm = normalise(low)
    if history := _not_active(low, norm):  # "h/o DVT, resolved" is a history, not a negation
        return history
    found = _strip_before(norm, NEGATED_BEFORE) or _strip_after(norm, NEGATED_AFTER)
    if found and not (found[0] in ("no", "not") and found[1].startswith(("otherwise", "complication"))):
        return Statement("absent", found[1], (), found[0])
    if found := _strip_before(norm, UNCERTAIN_BEFORE):
        return _uncertain(low, found[0])
    if found := _strip_after(norm, UNCERTAIN_AFTER):
        return _uncertain(low, found[0])
    if " vs " in f" {norm} " or " versus " in f" {norm} ":  # a differential: every side uncertain
        parts = [normalise(p) for p in _SIGN_SPLIT.split(low) if normalise(p)]  # signs written after it stay
        return Statement("uncertain", parts[0], tuple(parts[1:]), "vs")
    return Statement("present", norm)


def _not_active(low: str, norm: str) -> Statement | None:
    """History, family history or status: the condition is what precedes the first comma
    ("h/o colon cancer, completed treatment 2019, no recurrence")."""
    for kind, cues in (("family", FAMILY_BEFORE), ("history", HISTORY_BEFORE), ("status", STATUS_BEFORE)):
        if found := _strip_before(norm, cues):
            first = normalise(re.split(r"[,;(]", low, maxsplit=1)[0])
            concept = _strip_before(first, (found[0],))
            # kind is one of the three literals of the loop above; mypy widens it to str
            return Statement(kind, concept[1] if concept else found[1], (), found[0])  # type: ignore[arg-type]
    return None


# Words that qualify a documented diagnosis without naming another one: a part of a list made only
# of them ("stable on statin", "dose adjusted", "confirmed on chest x-ray") adds no code.
QUALIFIERS = frozenset("""
stable controlled well improving improved worsening worse better confirmed known new onset dose adjusted increased
decreased continue continued per today follow up f u recheck check chest x ray xray ct mri ultrasound imaging exam lab
labs on statin statins atorvastatin rosuvastatin simvastatin pravastatin levothyroxine synthroid lisinopril losartan
amlodipine metoprolol hctz omeprazole pantoprazole sertraline escitalopram fluoxetine bupropion albuterol gabapentin
cpap bipap therapy treatment medication medications meds cardiology endocrinology nephrology by currently mild
initial subsequent encounter enc visit healing
""".split())  # noqa: SIM905  # fmt: skip
# How an injury happened: external-cause codes (V00-Y99) are not reported (I.C.20, no national requirement), so a
# list part made only of these words ("fell off bike", "handlebar injury", "stubbed on door") adds no code.
MECHANISM = frozenset("""
fell fall falls fallen tripped trip slipped slip struck hit stubbed stubbing twisted twisting lifting lifted playing
while injury injured mechanism off from onto into down at bike bicycle handlebar handlebars door stairs steps ladder
skateboard skateboarding trampoline soccer football basketball baseball sports mva mvc accident car home work gym
running jumping landing his her own
""".split())  # noqa: SIM905  # fmt: skip
VISIT_PURPOSES = frozenset({"blood pressure check", "bp check", "med check", "medication check", "follow up",
                            "routine follow up", "recheck", "medication refill check"})  # fmt: skip


def only_qualifies(text: str) -> bool:
    """True for a list part that names no condition of its own."""
    norm = normalise(text)
    words = norm.split()
    return bool(norm) and (
        norm in VISIT_PURPOSES
        or all(w in QUALIFIERS or w.isdigit() for w in words)
        or all(w in MECHANISM or w in QUALIFIERS for w in words)
    )
