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
    """Nothing in aidojo/ imports grader/heldback, and no question is a '.hidden' variant."""
    for path in (REPO / "aidojo").rglob("*.py"):
        if path.name == "heldback.py" and path.parent.name == "course":
            continue
        text = path.read_text(encoding="utf-8")
        assert "grader.heldback" not in text and "grader/heldback" not in text, path
        assert not re.search(r"""question\(\s*["']m\d\d\.q\d+\.hidden""", text), f"{path}: a .hidden question"
