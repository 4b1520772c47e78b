"""Every module of the course through the real grading pipeline (sandbox, judge, gradebook), one batch per module:
the solution scores full marks, the untouched exercise zero, each fixture answer (tests/fixtures/answers/) gets
its expected outcome per graded cell, and an answer that never returns or kills Python costs only its own question.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from aidojo.course import autograde
from aidojo.course.layout import CourseLayout
from aidojo.course.simulate import learner_notebook
from tests.curriculum import MODULES, assert_cell_outcomes, cell_id, grade_cells, load_fixture

REPO = Path(__file__).resolve().parents[1]


def _answered(exercise: dict, answers: dict[str, str], variables: dict[str, str]) -> dict:
    """The exercise with ``answers`` ({qid: text or code}) written into its answer cells, as a learner would
    (text answers in a triple-quoted ``variable = ...`` for the questions in ``variables``)."""
    nb = json.loads(json.dumps(exercise))
    by_id = {c["metadata"].get("nbgrader", {}).get("grade_id"): c for c in nb["cells"]}
    for qid, answer in answers.items():
        cell = by_id[cell_id(qid, "answer")]
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        head = source.splitlines()[0]
        variable = variables.get(qid)
        if variable:
            assert '"""' not in answer, f"fixture for {qid} cannot sit inside a triple-quoted string"
            cell["source"] = f'{head}\n{variable} = """\n{answer.strip()}\n"""'
        else:
            cell["source"] = f"{head}\n{answer.strip()}\n"
    return nb


def _solution_answers(module: str) -> dict[str, str]:
    """qid → the solution's answer cell (markers removed), from the simulated right learner."""
    right = learner_notebook(module, f"{module}_kadai", "right")
    return {c["metadata"]["nbgrader"]["grade_id"].removesuffix("-answer").replace("-", "."):
            "\n".join(c["source"].splitlines()[1:]) if isinstance(c["source"], str) else ""
            for c in right["cells"] if c["metadata"].get("nbgrader", {}).get("solution")}


@pytest.mark.slow
@pytest.mark.timeout(900)
@pytest.mark.parametrize("module", MODULES)
def test_module_graded_end_to_end(module, tmp_path):
    fixture = load_fixture(module)
    nb_name = fixture["notebook"]
    layout = CourseLayout(data_dir=tmp_path / "course")
    exercise = json.loads((REPO / "exercises" / module / f"{nb_name}.ipynb").read_text(encoding="utf-8"))
    points = grade_cells(nbformat.read(REPO / "solutions" / module / f"{nb_name}.ipynb", as_version=4))
    questions = fixture["questions"]
    variables = {qid: q["variable"] for qid, q in questions.items() if q.get("variable")}
    submissions = {"solution": learner_notebook(module, nb_name, "right"), "untouched": exercise}
    expect: dict[str, dict[str, str]] = {}
    for kind, outcome in (("correct", "full"), ("wrong", "less")):
        for i in range(max(len(q.get(kind) or []) for q in questions.values())):
            answers = {qid: q[kind][i] for qid, q in questions.items() if i < len(q.get(kind) or [])}
            submissions[f"{kind}{i}"] = _answered(exercise, answers, variables)
            expect[f"{kind}{i}"] = {cell_id(qid, "test"): outcome for qid in answers}
    for bad in ("loop", "crash"):  # every answer right except one that never returns / kills Python
        if bad in fixture:
            qid = fixture[bad]["question"]
            answers = {**_solution_answers(module), qid: fixture[bad]["code"]}
            submissions[bad] = _answered(exercise, answers, {})
            expect[bad] = {cell_id(q, "test"): ("zero" if q == qid else "full") for q in questions}
    for sid, nb in submissions.items():
        folder = layout.submitted_dir / sid / module
        folder.mkdir(parents=True)
        (folder / f"{nb_name}.ipynb").write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
        (folder / "timestamp.txt").write_text("2026-11-30 10:00:00.000000 UTC")

    report = autograde([module], layout=layout, workers=2, cell_timeout=10, progress=False)
    text = report.text()
    from nbgrader.api import Gradebook

    with Gradebook(layout.db_url, course_id="aidojo") as gb:
        cells = {sid: {g.name: (float(g.score or 0), float(g.max_score or 0))
                       for nb in gb.find_submission(module, sid).notebooks for g in nb.grades} for sid in submissions}
    total = sum(points.values())
    assert sum(s for s, _ in cells["solution"].values()) == total, f"{cells['solution']}\n{text}"
    assert all(s == 0 for s, _ in cells["untouched"].values()), f"{cells['untouched']}\n{text}"
    for sid, outcomes in expect.items():
        assert_cell_outcomes(cells[sid], outcomes, points, sid)
    assert not report.failures, text
