"""Every code module (m04–m09): the self-check (public cases) and the grade (public + held-back) agree on every answer.

The solution passes both; each correct variant in tests/fixtures/answers/<module>.yaml passes both; each typical
wrong answer fails the grade and already fails the self-check (a ○ means full points); the judges refuse
malformed observations. Module-specific hint tests: tests/test_checks_<module>.py.
"""

from __future__ import annotations

import pytest

from tests import kadai
from tests.curriculum import load_fixture

MODULES = ("m04", "m05", "m06", "m07", "m08", "m09")
ANSWERS = [(m, *a) for m in MODULES for a in kadai.fixture_answers(load_fixture(m))]


@pytest.mark.parametrize("module", MODULES)
def test_fixture_covers_every_question(module):
    assert list(load_fixture(module)["questions"]) == kadai.questions(module)


@pytest.mark.parametrize("module,qid", [(m, q) for m in MODULES for q in kadai.questions(m)])
def test_solution_passes_self_check_and_grade(module, qid):
    selfcheck, grade = kadai.outcomes(module, qid)
    assert selfcheck.ok, selfcheck.hints
    assert grade.ok, grade.hints


@pytest.mark.parametrize("module,qid,kind,n,code", ANSWERS, ids=[f"{q}-{k}{n}" for _, q, k, n, _ in ANSWERS])
def test_fixture_answer_gets_the_same_outcome_from_self_check_and_grade(module, qid, kind, n, code):
    kadai.assert_outcome(qid, kind, code, *kadai.outcomes(module, qid, code))


@pytest.mark.parametrize("module", MODULES)
def test_judges_refuse_malformed_observations(module):
    kadai.assert_judges_refuse_junk(module)
