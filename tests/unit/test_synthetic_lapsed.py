"""The synthetic factory's lapsed-member knob: off by default (the same visits as before, every
member eligible), and when on, some visits carry a member the payer's roster has terminated."""

from __future__ import annotations

from datetime import date

from bench.synthetic import VisitFactory
from payer_sim.adapters.reference import load_roster

AS_OF = date(2026, 11, 27)


def test_the_knob_at_zero_changes_nothing() -> None:
    plain = [v.model_dump() for v in VisitFactory(seed=11, as_of=AS_OF).visits(40)]
    knob_off = [v.model_dump() for v in VisitFactory(seed=11, as_of=AS_OF, lapsed_rate=0.0).visits(40)]
    assert plain == knob_off


def test_lapsed_members_come_from_the_roster_and_are_terminated_before_the_visit() -> None:
    roster = load_roster()
    visits = list(VisitFactory(seed=11, as_of=AS_OF, lapsed_rate=0.5).visits(80))
    lapsed = [v for v in visits if v.coverage and (v.coverage.payer_id, v.coverage.member_id) in roster]
    assert 5 < len(lapsed) < len(visits)
    for v in lapsed:
        assert v.coverage is not None
        enrolment = roster[(v.coverage.payer_id, v.coverage.member_id)]
        assert enrolment.termination_date is not None and enrolment.termination_date < v.service_date
