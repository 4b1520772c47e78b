"""m01–m03 under real nbgrader: solutions score full marks, untouched exercises zero (and no stray errors),
fixture answers substituted into the exercise notebooks score as expected, exercises equal what nbgrader
generates from solutions, and the lesson notebooks run top to bottom offline.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from tests.curriculum import (assert_cell_outcomes, assert_no_errors_outside_graded_cells, cell_id, grade_cells,
                               load_fixture, run_lesson)

REPO = Path(__file__).resolve().parents[1]
MODULES = ("m01", "m02", "m03")
LESSONS = {"m01": "m01_kihon_to_rule", "m02": "m02_prompt_kihon", "m03": "m03_gyomu_de_tsukau"}


def _submission(exercise: Path, answers: dict[str, tuple[str, str]], target: Path) -> Path:
    """The exercise notebook with ``answers`` ({qid: (variable, text)}) written into its answer cells."""
    nb = nbformat.read(exercise, as_version=4)
    by_id = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in nb.cells}
    for qid, (variable, text) in answers.items():
        assert '"""' not in text, f"fixture for {qid} cannot sit inside a triple-quoted string"
        cell = by_id[cell_id(qid, "answer")]
        head = cell.source.splitlines()[0]
        cell.source = f'{head}\n{variable} = """\n{text.strip()}\n"""'
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, target)
    return target


# --- fast structure checks -----------------------------------------------------------------------


@pytest.mark.parametrize("module", MODULES)
def test_every_graded_question_has_an_answer_cell_and_fixtures(module):
    nb = nbformat.read(REPO / "solutions" / module / f"{module}_kadai.ipynb", as_version=4)
    fixture = load_fixture(module)
    tests = [gid for gid in grade_cells(nb)]
    qids = [gid.removesuffix("-test").replace("-", ".") for gid in tests]
    assert qids == list(fixture["questions"])
    ids = {c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells}
    for qid in qids:
        assert cell_id(qid, "answer") in ids
    for cell in nb.cells:  # the graded path never reaches a live model: only require(), no ask()
        if cell.metadata.get("nbgrader", {}).get("grade"):
            assert "ask(" not in cell.source and 'require("' in cell.source


TASK_TEXTS = {
    "m01": ["SOURCE_Q3", "ORIGINAL_Q4", *[f"AI_ANSWER_Q3.{k}" for k in "12345"], *[f"PROMPTS.{k}" for k in "ABCDE"]],
    "m02": ["FAIR_FACTS", "RECORD", "OPINION", "SUBSIDY_RULES", "APPLICATION", "FIRST_PROMPT_Q5", "FIRST_ANSWER_Q5", "WEAK_Q1"],
    "m03": ["MINUTES", "INQUIRY", "NOTICE", "PRESS_FACTS", "CHECK_SOURCE", "AI_DRAFT"],
}


@pytest.mark.parametrize("module", MODULES)
def test_assignment_shows_the_exact_texts_the_checker_grades_against(module):
    import importlib

    checks = importlib.import_module(f"aidojo.checks.{module}")
    text = "\n".join(c.source for c in nbformat.read(REPO / "exercises" / module / f"{module}_kadai.ipynb", as_version=4).cells)
    for name in TASK_TEXTS[module]:
        attr, _, key = name.partition(".")
        value = getattr(checks, attr)[key] if key else getattr(checks, attr)
        assert value in text, f"{module}: {name} is not shown verbatim in the assignment"


# --- real nbgrader -------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("module", MODULES)
def test_real_autograde_of_solution_untouched_and_fixture_variants(module, tmp_path):
    from aidojo.course.quickgrade import grade_notebooks

    fixture = load_fixture(module)
    nb_name = fixture["notebook"]
    exercise = REPO / "exercises" / module / f"{nb_name}.ipynb"
    solution = REPO / "solutions" / module / f"{nb_name}.ipynb"
    points = grade_cells(nbformat.read(solution, as_version=4))
    questions = fixture["questions"]

    submissions: dict[str, dict[str, Path]] = {"solution": {nb_name: solution}, "untouched": {nb_name: exercise}}
    expect: dict[str, dict[str, str]] = {}  # student → {test grade_id: "full" | "less"}
    for kind, outcome in (("correct", "full"), ("wrong", "less")):
        for i in range(max(len(q[kind]) for q in questions.values())):
            student = f"{kind}{i}"
            answers = {qid: (q["variable"], q[kind][i]) for qid, q in questions.items() if i < len(q[kind])}
            submissions[student] = {nb_name: _submission(exercise, answers, tmp_path / "subs" / student / f"{nb_name}.ipynb")}
            expect[student] = {cell_id(qid, "test"): outcome for qid in answers}

    work = tmp_path / "grade"
    results = grade_notebooks(module, submissions, workdir=work)

    sol = results["solution"][0]
    assert sol.score == sol.max_score == sum(points.values()), sol.cells
    empty = results["untouched"][0]
    assert empty.score == 0 and all(score == 0 for score, _ in empty.cells.values()), empty.cells
    assert_no_errors_outside_graded_cells(work / "autograded" / "untouched" / module / f"{nb_name}.ipynb")
    assert_no_errors_outside_graded_cells(work / "autograded" / "solution" / module / f"{nb_name}.ipynb", graded_too=True)

    for student, cells in expect.items():
        assert_cell_outcomes(results[student][0].cells, cells, points, student)


# --- lessons run offline --------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("module", MODULES)
def test_lesson_notebook_runs_top_to_bottom_offline(module, tmp_path):
    joined = run_lesson(LESSONS[module], tmp_path, timeout=120)
    assert "AIの回答" in joined  # ask() answered through the offline model
    if module == "m01":
        assert "練習用オフラインモデル" in joined and "14日間" in joined and "担当者に引き継ぎます" in joined
