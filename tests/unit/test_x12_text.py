"""The X12 text policy: transliterate letters, refuse control characters, never a delimiter in
data, lengths checked after normalising, and no value in any problem or error text."""

import pytest

from shared import x12
from shared.x12 import X12ElementError, check_text, code, element


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("José", "JOSE"),
        ("Ñúñez", "NUNEZ"),
        ("Straße", "STRASSE"),
        ("Zoe\u0308", "ZOE"),  # a combining diaeresis
        ("Łódź", "LODZ"),
        ("O'Brien-Smith", "O'BRIEN-SMITH"),
        ("Mary\u00a0Ann", "MARY ANN"),  # no-break space
        ("Jo\u200bsé", "JOSE"),  # zero-width space: invisible, dropped
        ("李", "LI"),
        ("Apt #4 @ 5th", "APT 4 5TH"),  # outside the basic character set: a space
        ("  many   spaces  ", "MANY SPACES"),
    ],
)
def test_letters_are_transliterated_to_the_basic_character_set(raw: str, expected: str) -> None:
    assert x12.normalise(raw) == expected
    assert element(raw, "NM103", 60) == expected
    assert check_text(raw, 60) is None


@pytest.mark.parametrize("raw", ["O*Brien", "Smith~", "A:B", "C^D", "E>F"])
def test_no_delimiter_survives_in_element_data(raw: str) -> None:
    text = element(raw, "NM103", 60)
    assert not set(text) & set("*~:^>"), text
    assert set(text) <= x12.DATA_CHARACTERS


@pytest.mark.parametrize("raw", ["Ana\x00", "Ana\tMaria", "Line\nbreak", "A\r", "A\x7f", "A\x85", "A\ue000"])
def test_control_characters_are_refused(raw: str) -> None:
    assert check_text(raw, 60) is not None
    with pytest.raises(X12ElementError) as caught:
        element(raw, "2010BA NM103 last name", 60)
    assert caught.value.element == "2010BA NM103 last name"
    assert "Ana" not in str(caught.value) and "Line" not in str(caught.value)


@pytest.mark.parametrize("raw", ["***", "~:^*", "\u200b", "😀"])
def test_a_value_that_cleans_to_nothing_is_an_error_never_an_empty_element(raw: str) -> None:
    assert check_text(raw, 60) is not None
    with pytest.raises(X12ElementError, match="NM103"):
        element(raw, "NM103", 60)
    with pytest.raises(X12ElementError):  # even where the element is optional: the content was lost
        element(raw, "NM104", 35, required=False)


def test_a_blank_optional_element_is_left_out_and_a_blank_required_one_is_an_error() -> None:
    assert element(None, "SBR03", 50, required=False) == ""
    assert element("  ", "SBR03", 50, required=False) == ""
    with pytest.raises(X12ElementError, match="required"):
        element("", "CLM01", 38)


def test_symbols_and_emoji_are_refused_at_intake_and_dropped_by_the_renderer() -> None:
    assert check_text("Ana😀", 35) is not None
    assert element("Ana😀", "NM104", 35) == "ANA"


def test_lengths_are_checked_after_normalising() -> None:
    grown = "ß" * 20  # 20 characters in, 40 once transliterated
    assert check_text(grown, 40) is None
    assert check_text(grown, 35) is not None
    assert len(element(grown, "NM104", 35, truncate=True)) == 35  # names: cut as payers do
    with pytest.raises(X12ElementError, match="longer than 35"):
        element(grown, "REF02", 35)  # identifiers: never cut
    assert check_text("Xé", 30, min_len=2) is None
    assert check_text("é", 30, min_len=2) is not None
    with pytest.raises(X12ElementError, match="shorter than 2"):
        element("A", "NM109 member id", 80, 2)


def test_a_truncated_value_does_not_end_in_a_space() -> None:
    assert element("AB CD", "N401", 3, truncate=True) == "AB"


def test_problems_and_errors_never_quote_the_value() -> None:
    secret = "Zyxwvuts\x00Qponm"
    problem = check_text(secret, 60)
    assert problem is not None and "Zyxwvuts" not in problem and "ZYXWVUTS" not in problem
    for bad in (secret, "ZYXWVUTSQPONM" * 10):
        with pytest.raises(X12ElementError) as caught:
            element(bad, "NM103", 60)
        assert "ZYXWVUTS" not in str(caught.value) and "Zyxwvuts" not in str(caught.value)


@pytest.mark.parametrize(("raw", "ok"), [("E119", True), ("99213", True), ("e119", False), ("E11.9", False),
                                         ("", False), ("1234567", False)])  # fmt: skip
def test_codes_are_letters_and_digits_of_the_right_length(raw: str, ok: bool) -> None:
    if ok:
        assert code(raw, "HI01-2", 6, 3) == raw
    else:
        with pytest.raises(X12ElementError):
            code(raw, "HI01-2", 6, 3)


@pytest.mark.parametrize(("cents", "text"), [(0, "0"), (5600, "56"), (5650, "56.5"), (5655, "56.55"), (-300, "-3"),
                                             (-5, "-0.05"), (100_000_000_000, "1000000000")])  # fmt: skip
def test_money_is_an_x12_decimal(cents: int, text: str) -> None:
    assert x12.money(cents) == text
