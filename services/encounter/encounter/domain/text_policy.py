"""The one text policy at the edge, for every channel (JSON, FHIR, HL7 over HTTP and MLLP).

Applied to a visit (as a dict, before the contract validates it) and to raw request text:

- Control characters (NUL, C0 and C1 controls), surrogates, private-use and unassigned code
  points are refused wherever they appear, with the field named. Free text (notes, diagnosis
  and procedure texts) may also hold tab and line breaks.
- Text that goes into a claim (names, addresses) is transliterated with anyascii (José → Jose,
  Ñúñez → Nunez, ß → ss) into the X12 basic and extended character sets (printable ASCII);
  invisible format characters are dropped, other spaces become a space. Symbols and emoji
  outside ASCII are refused: a claim cannot carry them, and dropping them would change the text
  silently. The claim writer upper-cases it (JOSE).
- Identifiers that go into a claim (member id, plan, group, authorization, payer id) must
  already be in the X12 character set: transliterating an identifier would name something else.
- A value that is empty once reduced to what an X12 element may hold (upper case, the basic
  set, the project's delimiters * : ^ ~ as spaces) is refused, so a required element is never
  written empty. Lengths are checked by the contract on the transliterated value, which is the
  length the claim writer sees (it only upper-cases and drops characters).

Problem texts never quote the value: it may be patient data."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from anyascii import anyascii

# X12 basic character set, and the extended set (lower case and more specials): printable ASCII
# but the back-quote, which anyascii's output may hold and which becomes an apostrophe.
BASIC = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 !\"&'()*+,-./:;?=")
EXTENDED = frozenset("abcdefghijklmnopqrstuvwxyz%@[]_{}\\|<>~#$^")
X12_CHARACTERS = BASIC | EXTENDED
DELIMITERS = frozenset("*:^~")  # element, component, repetition, segment: the claim writer blanks them

CONTROL = "contains control characters (such as NUL) or code points that are not text"
SYMBOLS = "contains symbols or emoji that a claim cannot carry"
OUTSIDE_X12 = "contains characters outside the X12 character set (an identifier is never transliterated)"
EMPTY = "is empty once reduced to the X12 character set"

# Keys (the last part of a field's path) by how the policy treats their text.
CLAIM_TEXT = frozenset({"first_name", "last_name", "name", "line1", "line2", "city"})
CLAIM_IDENTIFIERS = frozenset({"member_id", "plan_id", "group_number", "prior_authorization", "payer_id"})
FREE_TEXT = frozenset({"notes", "text"})
_NOT_TEXT = frozenset({"Cc", "Cs", "Co", "Cn"})  # control, surrogate, private use, unassigned
_FREE_TEXT_CONTROLS = frozenset("\t\n\r")
_SPACES = re.compile(r"\s{2,}")


@dataclass(frozen=True)
class TextProblem:
    field: str
    message: str


def has_control(text: str, *, allow_line_breaks: bool = False) -> bool:
    """Control characters or code points that are not text (line breaks allowed in free text)."""
    for ch in text:
        if ch.isascii():
            if (ch < " " or ch == "\x7f") and not (allow_line_breaks and ch in _FREE_TEXT_CONTROLS):
                return True
        elif unicodedata.category(ch) in _NOT_TEXT:
            return True
    return False


def transliterate(text: str) -> tuple[str, str | None]:
    """Claim text in the X12 character set, or the problem that keeps it out."""
    if has_control(text):
        return "", CONTROL
    out: list[str] = []
    for ch in unicodedata.normalize("NFC", text):
        if ch.isascii():
            out.append("'" if ch == "`" else ch)
            continue
        category = unicodedata.category(ch)
        if category == "Cf":
            continue  # zero-width joiners, soft hyphens, direction marks: nothing to carry
        if category[0] == "Z":
            out.append(" ")
        elif category[0] == "S":
            return "", SYMBOLS
        else:  # letters, marks, digits, punctuation
            out.append(anyascii(ch).replace("`", "'"))
    cleaned = "".join(c if c in X12_CHARACTERS else " " for c in "".join(out))
    return _SPACES.sub(" ", cleaned).strip(), None


def as_x12_element(text: str) -> str:
    """What the claim writer makes of policy-clean text: upper case, basic set, no delimiters."""
    upper = "".join(c if c in BASIC and c not in DELIMITERS else " " for c in text.upper())
    return _SPACES.sub(" ", upper).strip()


def _walk(value: Any, path: str) -> Iterator[tuple[str, str, Any, Any]]:
    """(path, key, container, index) of every string in a JSON-like value, in document order.
    Iterative: a document nested a thousand deep must not exhaust the interpreter's stack."""
    stack: list[tuple[Any, str]] = [(value, path)]
    while stack:
        node, where = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        nested = []
        for key, item in items:
            sub = f"{where}[{key}]" if isinstance(node, list) else (f"{where}.{key}" if where else str(key))
            if isinstance(item, str):
                yield sub, "" if isinstance(node, list) else str(key), node, key
            elif isinstance(item, dict | list):
                nested.append((item, sub))
        stack.extend(reversed(nested))


def refuse_controls(value: Any, prefix: str = "") -> list[TextProblem]:
    """Every string in a raw document (any JSON) holding a control character, by path. Run
    before anything else reads the document, so no channel carries a NUL further."""
    return [
        TextProblem(path or "body", CONTROL)
        for path, key, container, index in _walk(value, prefix)
        if has_control(container[index], allow_line_breaks=key in FREE_TEXT)
    ]


def apply(visit: Any, prefix: str = "") -> list[TextProblem]:
    """Apply the policy to a visit (a dict, changed in place): claim text transliterated, every
    problem named by its path. Strings elsewhere are only checked for control characters."""
    problems: list[TextProblem] = []
    for path, key, container, index in list(_walk(visit, prefix)):
        text: str = container[index]
        if key in CLAIM_TEXT:
            cleaned, problem = transliterate(text)
            if problem is None and text and not as_x12_element(cleaned):
                problem = EMPTY
            if problem is not None:
                problems.append(TextProblem(path, problem))
            else:
                container[index] = cleaned
        elif key in CLAIM_IDENTIFIERS:
            if has_control(text):
                problems.append(TextProblem(path, CONTROL))
            elif not all(c in X12_CHARACTERS for c in text):
                problems.append(TextProblem(path, OUTSIDE_X12))
            elif text and not as_x12_element(text):
                problems.append(TextProblem(path, EMPTY))
        elif has_control(text, allow_line_breaks=key in FREE_TEXT):
            problems.append(TextProblem(path, CONTROL))
    return problems
