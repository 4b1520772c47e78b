"""Held-back cases stay with the instructor's material and are covered by the public self-check."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from aidojo.checks.registry import load_module_questions
from aidojo.checks.spec import CodeQuestion
from aidojo.course.heldback import load_heldback

REPO = Path(__file__).resolve().parents[1]
HELDBACK_MODULES = sorted(p.stem for p in (REPO / "grader" / "heldback").glob("m*.py"))


@pytest.mark.parametrize("module", HELDBACK_MODULES)
def test_every_heldback_kind_has_a_public_case(module):
    """A self-check that passes means full points: each kind of held-back case is also a public case."""
    questions = load_module_questions(module)
    heldback = load_heldback(module)
    assert heldback, f"grader/heldback/{module}.py defines no CASES"
    for qid, cases in heldback.items():
        q = questions[qid]
        assert isinstance(q, CodeQuestion), qid
        public = {c.kind for c in q.cases}
        missing = {c.kind for c in cases} - public
        assert not missing, f"{qid}: held-back kinds without a public case: {missing}"
        ids = [c.id for c in q.cases] + [c.id for c in cases]
        assert len(ids) == len(set(ids)), f"{qid}: case ids repeat"


def test_package_holds_no_heldback_or_hidden_checks():
    """Only the grader (aidojo.course.heldback) loads grader/heldback; no question is a '.hidden' variant; the
    package's own data holds none of the held-back inputs."""
    heldback_inputs, public_inputs = set(), set()
    for module in HELDBACK_MODULES:
        questions = load_module_questions(module)
        for qid, cases in load_heldback(module).items():
            for case in questions[qid].cases:
                public_inputs |= {v for v in case.args.values() if isinstance(v, str)}
            for case in cases:
                heldback_inputs |= {v for v in case.args.values() if isinstance(v, str) and len(v) >= 12}
    # a question may reuse a public input (or part of one) with another held-back setting
    heldback_inputs = {v for v in heldback_inputs if not any(v in p for p in public_inputs)}
    for path in (REPO / "aidojo").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if path.relative_to(REPO / "aidojo").parts[0] not in ("course", "cli", "hub", "records", "demo.py"):
            assert not re.search(r"load_heldback|heldback\.m\d\d|grader[./]heldback/m\d\d\.py\b.*import", text), path
        assert not re.search(r"""question\(\s*["'][a-z]\d\d\.q\d+\.hidden""", text), f"{path}: a .hidden question"
        leaked = [v for v in heldback_inputs if v in text]
        assert not leaked, f"{path} holds held-back inputs: {leaked[:3]}"
