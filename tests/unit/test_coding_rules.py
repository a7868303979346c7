"""The coder's rules beyond the basics: preventive visits, modifiers, edits, pointers, Excludes1, text."""

from coder.adapters.reference import load_tables
from coder.domain.coding import code_visit
from tests.unit.sample import make_visit

TABLES = load_tables()


def lines(result) -> list[tuple[str, list[str]]]:  # type: ignore[no-untyped-def]
    return [(ln.procedure_code, ln.modifiers) for ln in result.service_lines]


def test_preventive_visit_adds_the_encounter_diagnosis_and_a_problem_visit_takes_25() -> None:
    visit = make_visit(visit_type="preventive", total_minutes=None, problem_mdm="low", diagnoses=[{"code": "E78.5"}],
                       procedures=[])  # fmt: skip
    result = code_visit(visit, TABLES)
    assert [d.code for d in result.diagnoses] == ["Z00.00", "E78.5"]
    assert lines(result) == [("99396", []), ("99213", ["25"])]
    plain = code_visit(make_visit(visit_type="preventive", total_minutes=None, mdm=None, procedures=[]), TABLES)
    assert lines(plain) == [("99396", [])]


def test_child_preventive_visit_uses_the_child_exam_code() -> None:
    child = {**make_visit().patient.model_dump(mode="json"), "birth_date": "2019-05-01"}
    visit = make_visit(
        visit_type="preventive", mdm=None, total_minutes=None, procedures=[], diagnoses=[], patient=child
    )
    result = code_visit(visit, TABLES)
    assert [d.code for d in result.diagnoses] == ["Z00.129"] and lines(result) == [("99393", [])]


def test_minor_procedure_puts_25_on_the_em_and_laterality_on_the_procedure() -> None:
    visit = make_visit(diagnoses=[{"text": "osteoarthritis of knee"}, {"code": "I10"}],
                       procedures=[{"text": "right knee injection"}])  # fmt: skip
    result = code_visit(visit, TABLES)
    assert lines(result) == [("99214", ["25"]), ("20610", ["RT"])]
    assert not result.needs_review


def test_pair_with_distinct_site_gets_xs_and_without_goes_to_review() -> None:
    # NCCI: 17110 is column 1, the biopsy 11102 column 2 (the distinct-service modifier goes on column 2)
    procedures = [{"code": "11102"}, {"text": "wart destruction at a separate site"}]
    documented = make_visit(diagnoses=[{"code": "L82.1"}, {"code": "B07.9"}], procedures=procedures,
                            total_minutes=None, mdm=None)  # fmt: skip
    assert lines(code_visit(documented, TABLES)) == [("11102", ["XS"]), ("17110", [])]
    silent = make_visit(diagnoses=[{"code": "L82.1"}, {"code": "B07.9"}], total_minutes=None, mdm=None,
                        procedures=[{"code": "11102"}, {"code": "17110"}])  # fmt: skip
    assert [r.code for r in code_visit(silent, TABLES).review_reasons] == ["edit-pair-modifier"]
    never = make_visit(diagnoses=[{"code": "N39.0"}], procedures=[{"code": "81002"}, {"code": "81003"}])
    assert [r.code for r in code_visit(never, TABLES).review_reasons] == ["edit-pair"]


def test_pointers_put_the_supporting_diagnosis_first_and_unsupported_lines_go_to_review() -> None:
    visit = make_visit(diagnoses=[{"code": "J30.9"}, {"code": "E11.9"}, {"code": "I10"}],
                       procedures=[{"code": "83036"}, {"code": "93000"}])  # fmt: skip
    result = code_visit(visit, TABLES)
    assert [ln.diagnosis_pointers for ln in result.service_lines] == [[1, 2, 3], [2, 1, 3], [3, 1, 2]]
    unsupported = code_visit(make_visit(diagnoses=[{"code": "J30.9"}], procedures=[{"code": "83036"}]), TABLES)
    assert [r.code for r in unsupported.review_reasons] == ["line-unsupported"]


def test_excludes1_conflict_goes_to_review() -> None:
    result = code_visit(make_visit(diagnoses=[{"code": "M54.50"}, {"code": "M54.41"}], procedures=[]), TABLES)
    assert [r.code for r in result.review_reasons] == ["icd-excludes1"]
    # E11.9 and E11.A (in remission) exclude each other and contradict: a person decides, told both ways
    both = code_visit(make_visit(diagnoses=[{"code": "E11.9"}, {"code": "E11.A"}], procedures=[]), TABLES)
    assert {r.code for r in both.review_reasons} == {"dx-contradictory", "icd-excludes1"}


def test_an_injury_code_beside_a_vaccine_is_no_excludes1_conflict() -> None:
    """S61's note "S62.- with 7th character B" is a remark, not a range running to Z."""
    result = code_visit(make_visit(diagnoses=[{"code": "S61.412A"}, {"code": "Z23"}], procedures=[]), TABLES)
    assert [d.code for d in result.diagnoses] == ["S61.412A", "Z23"]
    assert not [r for r in result.review_reasons if r.code.startswith(("icd", "dx"))]


def test_text_from_the_official_descriptions_with_confidence_and_evidence() -> None:
    result = code_visit(make_visit(diagnoses=[{"text": "Type 2 diabetes mellitus with hyperglycemia"}],
                                   procedures=[]), TABLES)  # fmt: skip
    [dx] = result.diagnoses  # an official title: full confidence
    assert dx.code == "E11.65" and dx.confidence == 1.0 and dx.evidence == ["official title of E11.65"]
    text = "hyperglycemia type 2 diabetes mellitus"  # no title, no phrase: the scored index
    scored = code_visit(make_visit(diagnoses=[{"text": text}], procedures=[]), TABLES)
    assert [(d.code, 0.72 <= d.confidence < 0.97) for d in scored.diagnoses] == [("E11.65", True)]
    vague = code_visit(make_visit(diagnoses=[{"text": "otitis media acute right ear"}], procedures=[]), TABLES)
    [why] = vague.review_reasons
    assert why.code == "dx-text-unsure" and "choose the code" in why.message and len(why.suggestions) >= 2


def test_same_visit_same_bytes() -> None:
    visit = make_visit(diagnoses=[{"text": "acid reflux"}, {"code": "e119"}], procedures=[{"text": "flu shot"}])
    first = code_visit(visit, TABLES)
    again = code_visit(visit.model_copy(deep=True), load_tables())
    dump = lambda r: [d.model_dump_json() for d in r.diagnoses] + [ln.model_dump_json() for ln in r.service_lines]  # noqa: E731
    assert dump(first) == dump(again)


def test_every_other_review_reason() -> None:
    def reasons(**kw) -> list[str]:  # type: ignore[no-untyped-def]
        return [r.code for r in code_visit(make_visit(**kw), TABLES).review_reasons]

    assert reasons(procedures=[{"text": "interpretive dance therapy"}]) == ["proc-text-unmatched"]
    assert reasons(procedures=[{"code": "99999"}]) == ["proc-unknown"]
    thirteen = ["I10", "E11.9", "E78.5", "K21.9", "J30.9", "E55.9", "F41.1", "E03.9", "M54.50", "R53.83", "D64.9",
                "G47.00", "M10.9"]  # fmt: skip
    assert reasons(diagnoses=[{"code": c} for c in thirteen], procedures=[]) == ["dx-too-many"]
    assert reasons(patient_status="new", total_minutes=None, mdm=None, procedures=[]) == ["em-no-basis"]
    crowded = [{"text": "left knee injection", "modifiers": ["59", "XS", "76", "77"]}]  # and LT makes five
    two_problems = [{"code": "M17.12"}, {"code": "I10"}]
    assert reasons(diagnoses=two_problems, procedures=crowded, total_minutes=25) == ["modifiers"]
