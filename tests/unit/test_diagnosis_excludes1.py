"""Excludes1 references read from the tabular as written: codes, "-" wildcards, ranges, and
ranges narrowed by a remark ("S62.- with 7th character B") -- a remark never widens a range."""

import pytest

from coder.domain import icd10
from coder.domain.tabular_notes import note_references, parse_references


def matches(group: str, code: str) -> bool:
    return any(r.matches(code) for r in parse_references(group))


@pytest.mark.parametrize(
    ("group", "inside", "outside"),
    [
        ("E11.9", "E11.9", "E11.65"),
        ("I50.-", "I50.23", "I51.9"),
        ("N18.1-N18.4, N18.9", "N18.30", "N18.5"),
        ("A00-R94 and T80-T88.6, T88.8", "T88.59", "T88.7"),
        ("S62.- with 7th character B", "S62.001B", "S62.001A"),
        ("S92.-with 7th character B", "S92.001B", "S92.001A"),
        ("E08-E13 with .42", "E11.42", "E11.40"),
        ("E08-E13 with .51-.52", "E11.52", "E11.59"),
        ("I69. with final characters -23", "I69.323", "I69.320"),
        ("M51.- with fifth character 4", "M51.24", "M51.26"),
        ("F11-F19 with fifth to sixth characters 51", "F12.151", "F12.150"),
    ],
)
def test_references_match_what_they_name_and_nothing_else(group: str, inside: str, outside: str) -> None:
    assert matches(group, inside) and not matches(group, outside)


def test_a_remark_is_never_read_as_a_range_to_z() -> None:
    refs = note_references("open fracture of wrist, hand and finger (S62.- with 7th character B)")
    assert refs and not any(r.matches("Z23") or r.matches("T14.8XXA") for r in refs)
    assert parse_references("with C3 glomerulopathy") == [] and parse_references("G6PD") == []


def test_no_injury_code_excludes_a_vaccine_encounter() -> None:
    injuries = [c for c in ("S61.412A", "S01.81XA", "S91.311A", "S51.811A", "S81.812A") if icd10.is_billable(c)]
    assert len(injuries) == 5
    assert not any(icd10.excludes1_conflict(c, "Z23") for c in injuries)
    assert icd10.excludes1_conflict("M54.50", "M54.41")  # a real Excludes1 still holds
