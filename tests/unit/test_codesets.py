"""Code sets by date of service, and importing CMS NCCI files in their published layout."""

import shutil
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from coder.adapters import ncci_import
from coder.adapters.reference import DATA_DIR, load_tables
from coder.domain import codesets
from coder.domain.coding import code_visit
from coder.domain.model import CodeSet
from coder.entrypoints.cli_codesets import app
from tests.unit.sample import make_visit

SAMPLES = Path(__file__).parent / "data" / "ncci"
FY25 = CodeSet("ICD-10-CM", "FY2025", date(2024, 10, 1), date(2025, 9, 30), "test")
FY26 = CodeSet("ICD-10-CM", "FY2026", date(2025, 10, 1), date(2026, 9, 30), "test")


@pytest.mark.parametrize(("on", "fy"), [(date(2025, 9, 30), 2025), (date(2025, 10, 1), 2026), (date(2026, 1, 1), 2026)])
def test_fiscal_year_starts_october_first(on: date, fy: int) -> None:
    assert codesets.fiscal_year(on) == fy


def test_the_release_in_force_on_the_service_date_applies() -> None:
    loaded = (FY26, FY25)  # order of the manifest does not matter
    assert codesets.in_force(loaded, "ICD-10-CM", date(2025, 9, 30)) == (FY25, False)
    assert codesets.in_force(loaded, "ICD-10-CM", date(2025, 10, 1)) == (FY26, False)
    assert codesets.in_force(loaded, "ICD-10-CM", date(2026, 10, 1)) == (FY26, True)  # past the newest: stale
    assert codesets.in_force(loaded, "ICD-10-CM", date(2020, 1, 1)) == (FY25, True)  # before the oldest
    assert codesets.in_force(loaded, "NCCI-PTP", date(2026, 1, 1)) == (None, False)


def test_a_visit_past_the_newest_icd_release_is_coded_and_flagged() -> None:
    tables = load_tables()
    within = code_visit(make_visit(service_date="2026-03-02"), tables)
    assert within.code_sets["ICD-10-CM"] == "FY2026" and "ICD-10-CM" not in within.stale_code_sets
    past = code_visit(make_visit(service_date="2026-10-01"), tables)
    assert "ICD-10-CM" in past.stale_code_sets and past.code_set_stale
    assert [d.code for d in past.diagnoses] == [d.code for d in within.diagnoses]  # still coded


@pytest.mark.parametrize(
    ("on", "documented", "expected"),
    [
        ("2025-09-15", {"text": "multiple sclerosis"}, "G35"),  # FY2025: G35 was billable
        ("2026-11-20", {"text": "multiple sclerosis"}, "G35.D"),  # FY2026 expanded it
        ("2025-09-15", {"code": "G35"}, "G35"),  # a supplied FY2025 code is accepted on a FY2025 date
        ("2025-09-15", {"text": "allergy to milk products"}, "Z91.011"),
        ("2026-03-01", {"text": "allergy to milk products"}, "Z91.0110"),
    ],
)
def test_icd_codes_of_the_fiscal_year_of_the_service_date(on: str, documented: dict[str, str], expected: str) -> None:
    result = code_visit(make_visit(service_date=on, diagnoses=[documented], procedures=[]), load_tables())
    assert [d.code for d in result.diagnoses] == [expected] and not result.needs_review
    assert result.code_sets["ICD-10-CM"] == ("FY2025" if on < "2025-10-01" else "FY2026")


def test_a_code_added_later_without_an_earlier_equivalent_goes_to_a_person() -> None:
    result = code_visit(make_visit(service_date="2025-09-15", diagnoses=[{"code": "E11.A"}], procedures=[]),
                        load_tables())  # fmt: skip
    assert [r.code for r in result.review_reasons] == ["icd-not-in-release"]
    supplied_later = code_visit(make_visit(service_date="2026-11-20", diagnoses=[{"code": "G35"}], procedures=[]),
                                load_tables())  # fmt: skip
    assert [r.code for r in supplied_later.review_reasons] == ["icd-not-billable"]


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def test_ptp_import_keeps_the_catalogs_pairs_with_their_dates(data_dir: Path) -> None:
    summary = ncci_import.import_file("ptp", SAMPLES / "ptp_practitioner_sample.txt", data_dir, "2026Q4",
                                      date(2026, 10, 1), date(2026, 12, 31))  # fmt: skip
    assert (summary.read, summary.kept) == (6, 5)  # 0001A/0591T is not in the catalog
    tables = load_tables(data_dir)
    pairs = {(p.column1, p.column2): p for p in tables.edit_pairs}
    assert set(pairs) == {("93000", "93010"), ("81002", "81003"), ("20610", "96372"), ("17000", "17110"),
                          ("96372", "99211")}  # fmt: skip
    assert pairs["17000", "17110"].deleted == date(2020, 1, 1)
    assert pairs["17000", "17110"].in_force(date(2019, 12, 31)) and not pairs["17000", "17110"].in_force(
        date(2026, 1, 1)
    )
    assert not pairs["96372", "99211"].in_force(date(2026, 1, 1))  # indicator 9: deleted
    assert pairs["81002", "81003"].mutually_exclusive and pairs["93000", "93010"].modifier_indicator == 0
    release = [s for s in tables.code_sets if s.name == "NCCI-PTP" and s.version == "2026Q4"]
    assert release == [CodeSet("NCCI-PTP", "2026Q4", date(2026, 10, 1), date(2026, 12, 31), release[0].source)]


def test_a_quarter_in_several_parts_is_imported_together(data_dir: Path) -> None:
    parts = [SAMPLES / "ptp_practitioner_sample.txt", SAMPLES / "ptp_practitioner_sample_part2.csv"]
    summary = ncci_import.import_file("ptp", parts, data_dir, "2026Q4", date(2026, 10, 1), date(2026, 12, 31))
    assert (summary.read, summary.kept) == (8, 6)
    assert ("85025", "85018") in {(p.column1, p.column2) for p in load_tables(data_dir).edit_pairs}


def test_mue_import_reads_the_adjudication_indicator(data_dir: Path) -> None:
    summary = ncci_import.import_file("mue", SAMPLES / "mue_practitioner_sample.csv", data_dir, "2026Q4",
                                      date(2026, 10, 1), date(2026, 12, 31))  # fmt: skip
    assert (summary.read, summary.kept) == (4, 3)
    limits = load_tables(data_dir).unit_limits
    assert (limits["17003"].units, limits["17003"].adjudication_indicator) == (13, 2)
    assert (limits["20610"].units, limits["20610"].adjudication_indicator) == (2, 1)
    assert limits["96372"].units == 4 and "99213" not in limits  # the file replaces the table


def test_cli_lists_and_imports(data_dir: Path) -> None:
    runner = CliRunner()
    bare = runner.invoke(app, [])  # `rcm codesets` alone lists the shipped tables
    assert bare.exit_code == 0 and "NCCI-PTP" in bare.output, bare.output
    listed = runner.invoke(app, ["list", "--data-dir", str(data_dir), "--on", "2026-11-20"])
    assert listed.exit_code == 0 and "ICD-10-CM" in listed.output and "STALE" in listed.output
    imported = runner.invoke(app, ["import", "mue", str(SAMPLES / "mue_practitioner_sample.csv"), "--version",
                                   "2026Q4", "--effective-from", "2026-10-01", "--effective-to", "2026-12-31",
                                   "--data-dir", str(data_dir)])  # fmt: skip
    assert imported.exit_code == 0, imported.output
    assert "3 among the catalog" in imported.output
    assert "2026Q4" in runner.invoke(app, ["list", "--data-dir", str(data_dir)]).output
