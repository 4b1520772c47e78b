"""The functions of an assignment notebook (solutions/<m>/<m>_kadai.ipynb), run here outside Jupyter.

``values(module, qid, code)`` runs the locked set-up cell and every answer cell of the solution in order,
with the answer cell of ``qid`` replaced by ``code`` (a fixture answer), and returns the variables that
question reads: what ``evaluate`` (the self-check) and ``judge_locally`` (the grade) are given in tests.
"""

from __future__ import annotations

import re
import sys
import types
from functools import cache
from pathlib import Path
from typing import Any

import nbformat

from aidojo.checks.registry import get_question
from aidojo.checks.spec import CodeQuestion
from aidojo.course.heldback import load_heldback

REPO = Path(__file__).resolve().parents[1]
DATA_FILE = re.compile(r"""(["'])(data/[\w./-]+)\1""")


@cache
def _cells(module: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """(set-up source, ((qid, solution answer source), ...)) of the solution notebook."""
    folder = REPO / "solutions" / module
    nb = nbformat.read(folder / f"{module}_kadai.ipynb", as_version=4)
    setup, answers = "", []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if cell.id == f"{module}k-setup":
            lines = [ln for ln in cell.source.splitlines() if not ln.startswith("%")]  # IPython magics
            setup = DATA_FILE.sub(lambda m: repr(str(folder / m.group(2))), "\n".join(lines))
        gid = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        if gid.endswith("-answer"):
            source = "\n".join(ln for ln in cell.source.splitlines() if not re.search(r"### (BEGIN|END) SOLUTION", ln))
            answers.append((gid.removesuffix("-answer").replace("-", "."), source))
    return setup, tuple(answers)


def questions(module: str) -> list[str]:
    """The graded questions of the notebook, in order."""
    return [qid for qid, _ in _cells(module)[1]]


def namespace(module: str, replace: dict[str, str] | None = None) -> dict[str, Any]:
    """The notebook's globals after its set-up and answer cells ran (``replace``: {qid: code} instead)."""
    mod = types.ModuleType(f"{module}_kadai_under_test")  # pydantic resolves annotations through sys.modules
    sys.modules[mod.__name__] = mod
    ns = mod.__dict__
    ns["display"] = lambda *a, **k: None
    setup, answers = _cells(module)
    exec(compile(setup, f"<{module} setup>", "exec"), ns)  # noqa: S102 - our own course material
    for qid, source in answers:
        code = (replace or {}).get(qid, source)
        exec(compile(code, f"<{module} {qid}>", "exec"), ns)  # noqa: S102
    return ns


def values(module: str, qid: str, code: str | None = None) -> list[Any]:
    """The variables question ``qid`` reads, with its answer cell replaced by ``code`` (None: the solution)."""
    ns = namespace(module, {qid: code} if code is not None else None)
    return [ns[name] for name in get_question(qid).reads]


def fixture_answers(fixture: dict) -> list[tuple[str, str, int, str]]:
    """(qid, "correct" | "wrong", n, code) for every answer of a tests/fixtures/answers/<m>.yaml."""
    return [(qid, kind, i, code) for qid, q in fixture["questions"].items()
            for kind in ("correct", "wrong") for i, code in enumerate(q.get(kind) or [])]


def all_cases(qid: str):
    """The public and held-back cases of a code question."""
    q = get_question(qid)
    assert isinstance(q, CodeQuestion), qid
    return list(q.cases) + list(load_heldback(q.module).get(qid, ()))


def outcomes(module: str, qid: str, code: str | None = None):
    """(self-check, grade) of one answer: ``evaluate`` with the public cases, ``judge_locally`` with all."""
    from aidojo.checks import evaluate
    from aidojo.course.heldback import judge_locally

    vals = values(module, qid, code)
    return evaluate(qid, *vals), judge_locally(qid, vals)


def assert_outcome(qid: str, kind: str, code: str, selfcheck, grade) -> None:
    """A correct answer passes both; a wrong one fails the grade AND the self-check, with Japanese hints."""
    if kind == "correct":
        assert selfcheck.ok, f"{qid}: self-check failed a correct answer: {selfcheck.hints}\n{code}"
        assert grade.ok, f"{qid}: the grade failed a correct answer: {grade.hints}\n{code}"
        return
    assert not grade.ok, f"{qid}: a wrong answer got full points:\n{code}"
    assert not selfcheck.ok, f"{qid}: the self-check shows ○ for an answer the grade fails ({grade.hints}):\n{code}"
    assert selfcheck.hints and all(re.search(r"[\u3040-\u30ff]", h) for h in selfcheck.hints), selfcheck.hints


JUNK_OBSERVATIONS = (None, 0, "x", [], {}, {"type": "str"}, {"type": None, "value": None}, [1, 2], {"label": []})


def assert_judges_refuse_junk(module: str) -> None:
    """Any malformed observation fails its case (a hint, never a pass or an exception out of the judge)."""
    from aidojo.checks.judging import judge_code
    from aidojo.checks.registry import load_module_questions
    from aidojo.checks.spec import Observation

    for qid, q in load_module_questions(module).items():
        if not isinstance(q, CodeQuestion):
            continue
        for case in all_cases(qid):
            for junk in JUNK_OBSERVATIONS:
                result = judge_code(q, [case], {case.id: Observation(value=junk)})
                assert not result.ok and result.hints, (qid, case.id, junk)
