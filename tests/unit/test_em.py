from datetime import date

import pytest

from coder.domain import em


@pytest.mark.parametrize(
    ("status", "minutes", "mdm", "expected"),
    [
        ("new", 15, None, "99202"),
        ("new", 29, None, "99202"),
        ("new", 30, None, "99203"),
        ("new", 45, None, "99204"),
        ("new", 60, None, "99205"),
        ("established", 10, None, "99212"),
        ("established", 20, None, "99213"),
        ("established", 30, None, "99214"),
        ("established", 39, None, "99214"),
        ("established", 40, None, "99215"),
        ("established", 15, "high", "99215"),  # MDM supports more than time: the higher wins
        ("established", 40, "low", "99215"),  # time supports more than MDM
        ("new", None, "moderate", "99204"),
    ],
)
def test_office_em_level(status: str, minutes: int | None, mdm: str | None, expected: str) -> None:
    lines = em.office_em(status, minutes, mdm)
    assert lines is not None
    assert lines[0].code == expected


def test_no_time_or_mdm_has_no_level_and_99211_is_only_a_nurse_visit() -> None:
    assert em.office_em("new", None, None) is None
    assert em.office_em("new", 10, None) is None
    assert em.office_em("established", None, None) is None  # never 99211 by default
    assert em.office_em("established", 9, None) is None
    nurse = em.nurse_visit("established")
    assert nurse is not None and nurse.code == "99211"
    assert em.nurse_visit("new") is None


@pytest.mark.parametrize(
    ("status", "minutes", "code", "expected"),
    [
        ("new", 74, "99417", []),
        ("new", 75, "99417", [("99417", 1)]),
        ("new", 90, "99417", [("99417", 2)]),
        ("established", 55, "99417", [("99417", 1)]),
        ("established", 68, "G2212", []),
        ("established", 69, "G2212", [("G2212", 1)]),
        ("new", 89, "G2212", [("G2212", 1)]),
        ("new", 104, "G2212", [("G2212", 2)]),
    ],
)
def test_prolonged_service(status: str, minutes: int, code: str, expected: list[tuple[str, int]]) -> None:
    lines = em.office_em(status, minutes, None, code)
    assert lines is not None
    assert [(ln.code, ln.units) for ln in lines[1:]] == expected


@pytest.mark.parametrize(
    ("status", "birth", "expected"),
    [
        ("new", date(2026, 3, 1), "99381"),
        ("new", date(2022, 11, 20), "99382"),
        ("established", date(2008, 11, 21), "99394"),  # 17 the day before the 18th birthday
        ("established", date(2008, 11, 20), "99395"),
        ("established", date(1986, 11, 20), "99396"),
        ("new", date(1961, 11, 20), "99387"),
    ],
)
def test_preventive_by_age(status: str, birth: date, expected: str) -> None:
    assert em.preventive_em(status, birth, date(2026, 11, 20)).code == expected
