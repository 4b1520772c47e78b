"""Held-back cases from the instructor's material (``grader/heldback/<module>.py``), loaded by the grader only.

The learner's package never imports these: the grader process loads them by path, sends only their inputs
into the sandbox, and keeps their expectations for the judge.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from aidojo.checks.judging import judge_code, judge_text
from aidojo.checks.observe import observe_all
from aidojo.checks.registry import get_question
from aidojo.checks.result import CheckResult
from aidojo.checks.spec import Case, CodeQuestion, TextQuestion
from aidojo.course.config import GRADER_DIR


def load_heldback(module: str, grader_dir: Path = GRADER_DIR) -> dict[str, list[Case]]:
    """question id → held-back cases of ``module`` ({} when the module has none)."""
    path = Path(grader_dir) / "heldback" / f"{module}.py"
    if not path.is_file():
        return {}
    name = f"_aidojo_heldback_{module}"
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    try:
        spec.loader.exec_module(mod)  # type: ignore[union-attr]
    finally:
        sys.modules.pop(name, None)
    cases = getattr(mod, "CASES", {})
    for qid, items in cases.items():
        for case in items:
            if not isinstance(case, Case) or not case.hidden:
                raise ValueError(f"{path}: {qid} の {case!r} は hidden=True の Case ではありません")
    return {qid: list(items) for qid, items in cases.items()}


def all_cases(question: CodeQuestion, heldback: Mapping[str, Sequence[Case]]) -> list[Case]:
    """The public cases then the held-back ones (what grading judges)."""
    return list(question.cases) + list(heldback.get(question.qid, ()))


def judge_locally(qid: str, values: Sequence[Any], heldback: Mapping[str, Sequence[Case]] | None = None,
                  *, timeout: float = 10.0) -> CheckResult:
    """What the grade would be for ``values``, observed in forked children here (for tests of checkers).

    Grading itself observes in the sandbox; this runs the same observe and judge without one.
    """
    q = get_question(qid)
    if isinstance(q, TextQuestion):
        return judge_text(q, values)
    assert isinstance(q, CodeQuestion)
    heldback = heldback if heldback is not None else load_heldback(q.module)
    cases = all_cases(q, heldback)
    named = dict(zip(q.reads, values))
    return judge_code(q, cases, dict(observe_all(q, named, cases, timeout=timeout)), timeout=q.timeout or timeout)
