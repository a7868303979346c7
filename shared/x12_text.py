"""The one text policy for X12 element data, shared by the intake (refuse at the edge) and the
837P/835 renderers (valid by construction).

- Letters outside the X12 basic character set are transliterated with anyascii
  (José → JOSE, Ñúñez → NUNEZ, ß → SS), never dropped.
- Control characters (NUL, tab, line breaks, C1 controls), surrogates, private-use and
  unassigned code points are refused: they are not text.
- Invisible format characters (zero-width joiners, soft hyphens, direction marks) are dropped;
  other spaces become a plain space.
- Symbols and emoji outside ASCII are refused at intake; a renderer replaces them with a space.
- Upper case; every character outside the basic set, and the delimiters this project uses
  (``* : ^ ~``), becomes a space; runs of spaces collapse; the ends are trimmed.
- Lengths are checked on the result: a value that is empty, too short or too long once
  normalised is a problem (intake) or an `X12ElementError` (renderer), never an empty or
  overlong element.

Problem and error texts never quote the value: it may be patient data."""

from __future__ import annotations

import re
import unicodedata

from anyascii import anyascii

# The X12 basic character set, less the delimiters this project writes (element *, component :,
# repetition ^, segment ~): what may appear inside element data.
DATA_CHARACTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 !\"&'()+,-./;?=")
_NOT_TEXT = {"Cc", "Cs", "Co", "Cn"}  # control, surrogate, private use, unassigned
_SPACES = re.compile(r" {2,}")
_CODE = re.compile(r"[A-Z0-9]+")

# The X12 limits (max, min characters once normalised) of the visit's free-text fields, by the
# field's name in the Visit contract, as the 837P writes them: for the intake,
# `check_text(value, *VISIT_TEXT_LIMITS[field])`.
VISIT_TEXT_LIMITS: dict[str, tuple[int, int]] = {
    "first_name": (35, 1),  # NM104
    "last_name": (60, 1),  # NM103
    "name": (60, 1),  # NM103 of the billing provider
    "line1": (55, 1),  # N301
    "line2": (55, 1),  # N302
    "city": (30, 2),  # N401
    "member_id": (80, 2),  # NM109
    "group_number": (50, 1),  # SBR03
    "prior_authorization": (50, 1),  # REF02 (G1)
}

CONTROL_CHARACTERS = "contains control characters (such as NUL, tab or a line break) or code points that are not text"
SYMBOLS = "contains symbols or emoji that an X12 claim cannot carry"


class X12ElementError(ValueError):
    """An element that cannot be written as valid X12. Names the element, never its value."""

    def __init__(self, element: str, problem: str) -> None:
        super().__init__(f"X12 {element} {problem}")
        self.element = element
        self.problem = problem


def _normalise(value: str) -> tuple[str, str | None]:
    """The value in the X12 data character set, and the worst problem met on the way (or None)."""
    problem: str | None = None
    out: list[str] = []
    for ch in value:
        if ch.isascii():
            if unicodedata.category(ch) == "Cc":
                return "", CONTROL_CHARACTERS
            out.append(ch)
            continue
        category = unicodedata.category(ch)
        if category in _NOT_TEXT:
            return "", CONTROL_CHARACTERS
        if category == "Cf":
            continue  # invisible formatting: nothing to carry
        if category[0] == "Z":
            out.append(" ")
        elif category[0] == "S":
            problem = problem or SYMBOLS
            out.append(" ")
        else:  # letters, marks, numbers, punctuation
            out.append(anyascii(ch))
    text = "".join(c if c in DATA_CHARACTERS else " " for c in "".join(out).upper())
    return _SPACES.sub(" ", text).strip(), problem


def normalise(value: object) -> str:
    """Element text under the policy, without length checks; control characters raise
    `X12ElementError` (element unknown here: callers that know it use `element`)."""
    text, problem = _normalise(str(value))
    if problem == CONTROL_CHARACTERS:
        raise X12ElementError("element", problem)
    return text


def check_text(value: str, max_len: int, min_len: int = 1) -> str | None:
    """For the intake: why this value cannot become an X12 element of min_len..max_len
    characters, or None when it can. The answer names no value; the caller names the field."""
    text, problem = _normalise(value)
    if problem is not None:
        return problem
    if not text:
        return "is empty once reduced to the X12 character set"
    if len(text) < min_len:
        return f"is shorter than {min_len} characters once reduced to the X12 character set"
    if len(text) > max_len:
        return f"is longer than {max_len} characters once transliterated to the X12 character set"
    return None


def element(
    value: object,
    name: str,
    max_len: int,
    min_len: int = 1,
    *,
    required: bool = True,
    truncate: bool = False,
) -> str:
    """One text element (X12 type AN) under the policy. A blank optional element is ""; a blank
    required one, or any value that had content and loses it all to the policy, is an error.
    Names and addresses may be cut to max_len (as payers do); identifiers may not
    (truncate=False): a cut identifier would name something else."""
    raw = "" if value is None else str(value)
    if not raw.strip():
        if required:
            raise X12ElementError(name, "is required but empty")
        return ""
    text, problem = _normalise(raw)
    if problem == CONTROL_CHARACTERS:
        raise X12ElementError(name, problem)
    if not text:
        raise X12ElementError(name, "is empty once reduced to the X12 character set")
    if len(text) > max_len:
        if not truncate:
            raise X12ElementError(name, f"is longer than {max_len} characters")
        text = text[:max_len].rstrip()
    if len(text) < min_len:
        raise X12ElementError(name, f"is shorter than {min_len} characters")
    return text


def code(value: object, name: str, max_len: int, min_len: int = 1, *, required: bool = True) -> str:
    """A code or number the trade defines (X12 type ID, or an identifier such as an NPI):
    upper-case letters and digits only, never transliterated or cut."""
    text = "" if value is None else str(value).strip()
    if not text:
        if required:
            raise X12ElementError(name, "is required but empty")
        return ""
    if not _CODE.fullmatch(text):
        raise X12ElementError(name, "may hold only upper-case letters and digits")
    if not min_len <= len(text) <= max_len:
        raise X12ElementError(name, f"must have {min_len} to {max_len} characters")
    return text
