"""m01–m03 and e01 graded as the one judge grades them: answer cells read statically, the same checker as check().

A submitted notebook is never run to grade a text answer: the answer cell's string literal is read with ``ast`` and
judged by the question's checker; ○ means the test cell's full points, × means 0. Covered here: solutions score
full marks, untouched exercises score 0, every fixture answer (tests/fixtures/answers/<module>.yaml) substituted
into the exercise scores as labelled, whole executive sessions pass or fail the track's 80% mark (and the real
grading pipeline gives e01 the same scores), and the lesson notebooks run offline. Exercises equal what nbgrader
generates from solutions: tests/test_course_release.py; m01–m03 through the real pipeline: tests/test_grading_curriculum.py.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import pytest

from aidojo.checks import evaluate
from aidojo.checks.registry import get_question
from aidojo.course import load_course
from tests.curriculum import cell_id, grade_cells, load_fixture, run_lesson

REPO = Path(__file__).resolve().parents[1]
MODULES = ("m01", "m02", "m03", "e01")
LESSONS = {"m01": "m01_kihon_to_rule", "m02": "m02_prompt_kihon", "m03": "m03_gyomu_de_tsukau"}
_REQUIRE = re.compile(r'^require\("(?P<qid>[a-z0-9]+\.q\d+)"\)$')


def answer_values(cell_source: str, names: tuple[str, ...]) -> list[str] | None:
    """The string literals an answer cell assigns to ``names`` (``None`` when one is missing or not a literal)."""
    try:
        tree = ast.parse(cell_source)
    except SyntaxError:
        return None
    found: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id in names:
                    found[target.id] = node.value.value
    return [found[n] for n in names] if all(n in found for n in names) else None


def static_grade(path: Path) -> dict[str, tuple[float, float]]:
    """grade_id of each test cell → (score, max): the answer cell read statically and judged by the question's checker."""
    nb = nbformat.read(path, as_version=4)
    by_id = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in nb.cells}
    scores = {}
    for gid, points in grade_cells(nb).items():
        m = _REQUIRE.match(by_id[gid].source.strip())
        assert m, f"{path.name} {gid}: a test cell holds exactly require(\"mXX.qN\")"
        qid = m.group("qid")
        q = get_question(qid)
        answer = by_id.get(cell_id(qid, "answer"))
        values = answer_values(answer.source, q.reads) if answer is not None else None
        ok = values is not None and evaluate(qid, *values).ok
        scores[gid] = (points if ok else 0.0, points)
    return scores


def _notebook(module: str, folder: str) -> Path:
    return REPO / folder / module / f"{load_fixture(module)['notebook']}.ipynb"


def _submission(exercise: Path, answers: dict[str, tuple[str, str]], target: Path, *, keep_material: bool = False) -> Path:
    """The exercise notebook with ``answers`` ({qid: (variable, text)}) written into its answer cells.

    ``keep_material``: write the text where a learner types it — on the empty line under the opening quotes —
    keeping the material the cell comes pre-filled with; otherwise the text replaces the whole string.
    """
    nb = nbformat.read(exercise, as_version=4)
    by_id = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in nb.cells}
    for qid, (variable, text) in answers.items():
        assert '"""' not in text, f"fixture for {qid} cannot sit inside a triple-quoted string"
        cell = by_id[cell_id(qid, "answer")]
        head, _, rest = cell.source.partition(f'{variable} = """\n')
        if keep_material:
            cell.source = f'{head}{variable} = """\n{text.strip()}\n{rest}'
        else:
            cell.source = f'{head}{variable} = """\n{text.strip()}\n"""'
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, target)
    return target


# --- structure -------------------------------------------------------------------------------------


@pytest.mark.parametrize("module", MODULES)
def test_every_graded_question_has_an_answer_cell_and_fixtures(module):
    nb = nbformat.read(_notebook(module, "solutions"), as_version=4)
    fixture = load_fixture(module)
    qids = [gid.removesuffix("-test").replace("-", ".") for gid in grade_cells(nb)]
    assert qids == list(fixture["questions"])
    ids = {c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells}
    for qid in qids:
        assert cell_id(qid, "answer") in ids
    for cell in nb.cells:  # a graded cell holds exactly require("mXX.qN"): no ask(), no hidden test
        if cell.metadata.get("nbgrader", {}).get("grade"):
            assert _REQUIRE.match(cell.source.strip()), cell.source
    assert sum(grade_cells(nb).values()) == load_course().modules[module].points


TASK_TEXTS = {
    "m01": ["SOURCE_Q3", "ORIGINAL_Q4", "COMPLAINT", *[f"AI_ANSWER_Q3.{k}" for k in "12345"], *[f"PROMPTS.{k}" for k in "ABCDE"]],
    "m02": ["FAIR_FACTS", "RECORD", "OPINION", "SUBSIDY_RULES", "APPLICATION", "FIRST_PROMPT_Q5", "FIRST_ANSWER_Q5", "WEAK_Q1"],
    "m03": ["MINUTES", "INQUIRY", "NOTICE", "PRESS_FACTS", "CHECK_SOURCE", "AI_DRAFT", "GREETING_FACTS", "PROJECT_FACTS", "SHEET"],
    "e01": ["EXEC_GREETING_FACTS", "EXEC_PROJECT_FACTS", "NATIONAL_NOTICE", *[f"RULE_STATEMENTS.{k}" for k in "ABCDEF"],
            *[f"MISTAKE_ACTIONS.{k}" for k in "ABCDE"], *[f"PROGRAMME_ITEMS.{k}" for k in "ABCDEFGH"]],
}


@pytest.mark.parametrize("module", MODULES)
def test_assignment_shows_the_exact_texts_the_checker_grades_against(module):
    import importlib

    checks = importlib.import_module(f"aidojo.checks.{module}")
    text = "\n".join(c.source for c in nbformat.read(_notebook(module, "exercises"), as_version=4).cells)
    for name in TASK_TEXTS[module]:
        attr, _, key = name.partition(".")
        value = getattr(checks, attr)[key] if key else getattr(checks, attr)
        assert value in text, f"{module}: {name} is not shown verbatim in the assignment"


@pytest.mark.parametrize("module", MODULES)
def test_answer_cells_are_string_literals_and_material_comes_pre_filled(module):
    nb = nbformat.read(_notebook(module, "exercises"), as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("solution"):
            tree = ast.parse(cell.source)
            assert [type(n) for n in tree.body] == [ast.Assign], cell.id  # one assignment of a literal, nothing else
            assert isinstance(tree.body[0].value, ast.Constant) and isinstance(tree.body[0].value.value, str), cell.id


# --- grading: the one judge on submitted notebooks ----------------------------------------------------


@pytest.mark.parametrize("module", MODULES)
def test_solution_full_marks_untouched_zero_and_every_fixture_as_labelled(module, tmp_path):
    fixture = load_fixture(module)
    exercise, solution = _notebook(module, "exercises"), _notebook(module, "solutions")
    solved = static_grade(solution)
    assert all(score == maximum > 0 for score, maximum in solved.values()), solved
    untouched = static_grade(exercise)
    assert all(score == 0 for score, _ in untouched.values()), untouched
    for kind, full in (("correct", True), ("wrong", False)):
        for qid, q in fixture["questions"].items():
            for i, text in enumerate(q[kind]):
                path = _submission(exercise, {qid: (q["variable"], text)}, tmp_path / f"{kind}-{qid}-{i}.ipynb")
                score, maximum = static_grade(path)[cell_id(qid, "test")]
                assert (score == maximum) is full, f"{module} {kind} {qid}[{i}]: {score}/{maximum}\n{text}"


def test_executive_sessions_pass_or_fail_the_track(tmp_path):
    course = load_course()
    fixture = load_fixture("e01")
    assert course.tracks["executive"].modules == ("e01",)
    reads = {qid: q["variable"] for qid, q in fixture["questions"].items()}
    for who, session in fixture["sessions"].items():
        answers = {qid: (reads[qid], text) for qid, text in session["answers"].items()}
        path = _submission(_notebook("e01", "exercises"), answers, tmp_path / f"{who}.ipynb", keep_material=True)
        scores = static_grade(path)
        got, total = sum(s for s, _ in scores.values()), sum(m for _, m in scores.values())
        assert (got >= course.pass_ratio * total) is session["pass"], f"{who}: {got}/{total} {scores}"


# --- nbgrader still runs the notebooks; the lessons run offline -------------------------------------------


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_executive_track_through_the_real_grading_pipeline(tmp_path):
    """e01 through aidojo.course.autograde (sandbox, judge, gradebook), as m01–m09 are in tests/test_grading_curriculum.py:
    the solution full marks, the untouched exercise zero, the executive sessions' scores equal the static judge's."""
    import json

    from nbgrader.api import Gradebook

    from aidojo.course import autograde
    from aidojo.course.layout import CourseLayout
    from aidojo.course.simulate import learner_notebook

    fixture = load_fixture("e01")
    name = fixture["notebook"]
    layout = CourseLayout(data_dir=tmp_path / "course")
    reads = {qid: q["variable"] for qid, q in fixture["questions"].items()}
    submissions = {"solution": learner_notebook("e01", name, "right"),
                   "untouched": json.loads(_notebook("e01", "exercises").read_text(encoding="utf-8"))}
    expected = {"solution": static_grade(_notebook("e01", "solutions")), "untouched": static_grade(_notebook("e01", "exercises"))}
    for n, session in enumerate(fixture["sessions"].values()):
        answers = {qid: (reads[qid], text) for qid, text in session["answers"].items()}
        path = _submission(_notebook("e01", "exercises"), answers, tmp_path / f"s{n}.ipynb", keep_material=True)
        submissions[f"session{n}"] = json.loads(path.read_text(encoding="utf-8"))
        expected[f"session{n}"] = static_grade(path)
    for sid, nb in submissions.items():
        folder = layout.submitted_dir / sid / "e01"
        folder.mkdir(parents=True)
        (folder / f"{name}.ipynb").write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
        (folder / "timestamp.txt").write_text("2026-11-30 10:00:00.000000 UTC")
    report = autograde(["e01"], layout=layout, workers=2, cell_timeout=10, progress=False)
    with Gradebook(layout.db_url, course_id="aidojo") as gb:
        for sid, want in expected.items():
            got = {g.name: (float(g.score or 0), float(g.max_score or 0))
                   for nb in gb.find_submission("e01", sid).notebooks for g in nb.grades}
            assert {k: got[k] for k in want} == want, f"{sid}: {got}\n{report.text()}"
    assert sum(s for s, _ in expected["solution"].values()) == load_course().modules["e01"].points
    assert not report.failures, report.text()


@pytest.mark.slow
@pytest.mark.parametrize("module", list(LESSONS))
def test_lesson_notebook_runs_top_to_bottom_offline(module, tmp_path):
    joined = run_lesson(LESSONS[module], tmp_path, timeout=120)
    assert "AIの回答" in joined  # ask() answered through the offline model
    if module == "m01":
        assert "練習用オフラインモデル" in joined and "14日間" in joined and "担当者に引き継ぎます" in joined
        assert "ハルシネーション" in joined  # the practice model's labelled demonstration of a confident wrong answer


def test_executive_notebooks_are_committed_clean_with_stable_ids():
    from tests.curriculum import assert_clean

    for folder in ("solutions", "exercises"):
        assert_clean(_notebook("e01", folder))


@pytest.mark.slow
def test_executive_notebook_runs_top_to_bottom_offline_with_its_demos(tmp_path):
    """The whole 90-minute notebook as a trainer runs it on the projector: ask(), the hallucination demo, the demo app."""
    from nbclient import NotebookClient

    nb = nbformat.read(_notebook("e01", "solutions"), as_version=4)
    for cell in nb.cells:
        cell.source = re.sub(r"^### (?:BEGIN|END) SOLUTION\n", "", cell.source, flags=re.M)
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    texts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            assert out.get("output_type") != "error", f"{cell.id}: {out.get('ename')}: {out.get('evalue')}"
            data = out.get("data", {})
            texts.append(out.get("text", "") + data.get("text/plain", "") + data.get("text/html", ""))
    joined = "\n".join(texts)
    assert "14日間" in joined and "ハルシネーション" in joined  # with a source, then the labelled demo without one
    assert "FAQ-01" in joined and "引き継ぎます" in joined  # the demo app cites its FAQ and hands off
    assert re.search(r"シナリオ \d+ 件のうち \d+ 件が合格", joined)
    assert joined.count("○ よくできました") >= 6  # every check() and require() of the solution shows ○
