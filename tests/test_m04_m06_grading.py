"""m04–m06 (builder track, code answers) under real nbgrader and through the instant checkers.

Fast: the checkers pass the solutions and the correct fixture answers and fail the wrong ones (shown cases);
held-back cases, an endless loop and an os._exit are handled; notebooks are clean; points match course.toml.
Slow: every solution scores full marks under real ``nbgrader autograde``; untouched exercises score zero with no
error outside graded cells; fixture answers (correct written differently / typical wrong) score as expected
against the hidden held-back cases; a looping answer and a kernel-killing answer lose only their own part;
exercises equal what nbgrader generates; the lesson notebooks run top to bottom offline.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from aidojo.checks import evaluate
from tests.curriculum import (assert_cell_outcomes, assert_no_errors_outside_graded_cells, cell_id, grade_cells,
                               load_fixture, run_lesson)

REPO = Path(__file__).resolve().parents[1]
MODULES = ("m04", "m05", "m06")
LESSONS = {"m04": "m04_python_kara_ai", "m05": "m05_data_x_ai", "m06": "m06_anzen_ni_tsukau"}
FUNCTION = re.compile(r"^def (\w+)\(", re.M)


def _nb(module: str, folder: str = "solutions"):
    return nbformat.read(REPO / folder / module / f"{module}_kadai.ipynb", as_version=4)


def _solution_code(module: str) -> dict[str, str]:
    """{qid: the solution's answer cell with nbgrader's markers removed}."""
    out = {}
    for cell in _nb(module).cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        if gid.endswith("-answer"):
            lines = [ln for ln in cell.source.splitlines() if not re.search(r"### (BEGIN|END) SOLUTION", ln)]
            out[gid.removesuffix("-answer").replace("-", ".")] = "\n".join(lines)
    return out


def _namespace(module: str) -> dict:
    """What the notebook's locked set-up cell defines (run here, outside Jupyter)."""
    import sys
    import types

    mod = types.ModuleType(f"{module}_kadai_under_test")  # pydantic resolves annotations through sys.modules
    sys.modules[mod.__name__] = mod
    ns = mod.__dict__
    ns["display"] = print
    setup = next(c for c in _nb(module).cells if c.id == f"{module}k-setup")
    source = "\n".join(ln for ln in setup.source.splitlines() if not ln.startswith("%"))  # IPython magics
    exec(compile(source, f"{module}-setup", "exec"), ns)
    return ns


def _function(module: str, code: str):
    """The function ``code`` defines, in a namespace where the set-up cell and every solution answer ran first."""
    ns = _namespace(module)
    for qid, solution in _solution_code(module).items():
        exec(compile(solution, f"{qid}-solution", "exec"), ns)
    exec(compile(code, f"{module}-answer", "exec"), ns)
    return ns[FUNCTION.findall(code)[-1]]


# --- fast: checkers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("module", MODULES)
def test_checkers_pass_the_solution_and_correct_answers_and_fail_wrong_ones(module):
    fixture = load_fixture(module)
    solutions = _solution_code(module)
    assert list(solutions) == list(fixture["questions"])
    for qid, q in fixture["questions"].items():
        assert len(q["correct"]) >= 2 and len(q["wrong"]) >= 1, qid
        for code in [solutions[qid], *q["correct"]]:
            result = evaluate(qid, _function(module, code))
            assert result.ok and result.score == 1.0, f"{qid}: {result.hints}\n{code}"
        for code in q["wrong"]:
            result = evaluate(qid, _function(module, code))
            assert not result.ok and result.score < 1.0 and result.hints, f"{qid} passed a wrong answer:\n{code}"
            assert all(re.search(r"[\u3040-\u30ff]", h) for h in result.hints), result.hints  # Japanese hints


def test_hints_name_the_mistake():
    retry_once = _function("m04", "def call_with_retry(client, messages, max_attempts=3, wait_seconds=1.0):\n"
                                  "    return client.chat.completions.create(model='m', messages=messages).choices[0].message.content")
    assert any(h.startswith("429のときに再試行していません") for h in evaluate("m04.q4", retry_once).hints)
    no_zero = _function("m06", "def is_my_number(n):\n    t = sum(int(d) * w for d, w in zip(n, WEIGHTS))\n"
                               "    return len(n) == 12 and n.isdigit() and int(n[11]) == 11 - t % 11")
    assert any("余りが0か1" in h for h in evaluate("m06.q1", no_zero).hints)
    unchecked = _function("m05", "def count_by_category(df):\n    return df['カテゴリ'].value_counts()")
    assert any("0として" in h for h in evaluate("m05.q2", unchecked).hints)


def test_held_back_hints_do_not_reveal_the_case():
    always_true = _function("m06", "def is_my_number(number):\n    return True")
    secret = "987654321000"
    result = evaluate("m06.q1", always_true, [(secret, False, "チェックデジットが違う番号")])
    assert not result.ok and result.hints and all(secret not in h for h in result.hints)
    assert any("非公開" in h for h in result.hints)
    greedy = _function("m06", "def find_phones(text):\n    return re.findall(r'\\d+-\\d+-\\d+', text)")
    hidden = "受付番号 0000-7777-1234567 と 05-9999-8888-1"
    result = evaluate("m06.q2", greedy, [(hidden, [], "電話番号ではない数字")])
    assert not result.ok and all("7777" not in h and "9999" not in h for h in result.hints), result.hints


def test_untouched_loop_and_crash_give_hints_not_hangs(monkeypatch):
    import time

    from aidojo.checks import sandbox

    monkeypatch.setattr(sandbox, "CHECK_TIMEOUT", 1.5)
    stub = _function("m04", "def build_messages(system, question):\n    raise NotImplementedError()")
    assert "まだ答えが書かれていません" in evaluate("m04.q1", stub).hints[0]
    loop = _function("m04", "def build_messages(system, question):\n    while True:\n        pass")
    started = time.perf_counter()
    result = evaluate("m04.q1", loop)
    assert not result.ok and "終わりませんでした" in result.hints[0] and time.perf_counter() - started < 5
    crash = _function("m06", "import os\ndef find_phones(text):\n    os._exit(1)")
    result = evaluate("m06.q2", crash)
    assert not result.ok and "止まってしまいました" in result.hints[0]


def test_the_opinions_csv_is_realistic_and_reproducible(tmp_path):
    import importlib.util

    import pandas as pd

    from aidojo.checks.m05 import load_opinions

    df = load_opinions()
    assert list(df.columns) == ["id", "受付日", "年代", "地区", "意見"] and len(df) >= 300
    assert df["id"].is_unique and df["意見"].str.len().min() > 15 and df["地区"].nunique() >= 5
    spec = importlib.util.spec_from_file_location("make_opinions_csv", REPO / "scripts" / "make_opinions_csv.py")
    maker = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(maker)
    again = pd.read_csv(maker.write_csv(tmp_path / "o.csv"), encoding="utf-8-sig")
    assert again.equals(pd.read_csv(REPO / "solutions" / "m05" / "opinions.csv", encoding="utf-8-sig"))


# --- fast: structure --------------------------------------------------------------------------------------


@pytest.mark.parametrize("module", MODULES)
def test_graded_cells_use_require_with_held_back_cases(module):
    for cell in _nb(module).cells:
        if cell.metadata.get("nbgrader", {}).get("grade"):
            hidden = cell.source.split("### BEGIN HIDDEN TESTS", 1)
            assert cell.source.startswith('require("') and len(hidden) == 2
            assert "HELD_BACK" in hidden[1] or "OFFLINE" in hidden[1]
    for cell in _nb(module, "exercises").cells:
        assert "HELD_BACK" not in cell.source and "BEGIN" not in cell.source


# --- slow: real nbgrader --------------------------------------------------------------------------------


def _submission(exercise: Path, answers: dict[str, str], target: Path) -> Path:
    """The exercise notebook with ``answers`` ({qid: code}) written into its answer cells."""
    nb = nbformat.read(exercise, as_version=4)
    by_id = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in nb.cells}
    for qid, code in answers.items():
        cell = by_id[cell_id(qid, "answer")]
        cell.source = "# ▼ここを書き換えてください\n" + code.strip()
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, target)
    return target


@pytest.mark.slow
@pytest.mark.timeout(900)
@pytest.mark.parametrize("module", MODULES)
def test_real_autograde_of_solution_untouched_variants_loop_and_crash(module, tmp_path):
    from aidojo.course.quickgrade import grade_notebooks

    fixture = load_fixture(module)
    nb_name = fixture["notebook"]
    exercise = REPO / "exercises" / module / f"{nb_name}.ipynb"
    solution = REPO / "solutions" / module / f"{nb_name}.ipynb"
    points = grade_cells(nbformat.read(solution, as_version=4))
    questions = fixture["questions"]
    full = _solution_code(module)
    subs = tmp_path / "subs"

    submissions: dict[str, dict[str, Path]] = {"solution": {nb_name: solution}, "untouched": {nb_name: exercise}}
    expect: dict[str, dict[str, str]] = {}  # student → {test grade_id: "full" | "less" | "zero"}
    for kind, outcome in (("correct", "full"), ("wrong", "less")):
        for i in range(max(len(q[kind]) for q in questions.values())):
            student = f"{kind}{i}"
            answers = {qid: q[kind][i] for qid, q in questions.items() if i < len(q[kind])}
            submissions[student] = {nb_name: _submission(exercise, answers, subs / student / f"{nb_name}.ipynb")}
            expect[student] = {cell_id(qid, "test"): outcome for qid in answers}
    for bad in ("loop", "crash"):  # every answer correct except one that never returns / kills the kernel
        qid = fixture[bad]["question"]
        answers = {**full, qid: fixture[bad]["code"]}
        submissions[bad] = {nb_name: _submission(exercise, answers, subs / bad / f"{nb_name}.ipynb")}
        expect[bad] = {cell_id(q, "test"): ("zero" if q == qid else "full") for q in questions}

    work = tmp_path / "grade"
    results = grade_notebooks(module, submissions, workdir=work, timeout_per_cell=10)

    sol = results["solution"][0]
    assert sol.score == sol.max_score == sum(points.values()), sol.cells
    empty = results["untouched"][0]
    assert empty.score == 0 and all(score == 0 for score, _ in empty.cells.values()), empty.cells
    assert_no_errors_outside_graded_cells(work / "autograded" / "untouched" / module / f"{nb_name}.ipynb")
    assert_no_errors_outside_graded_cells(work / "autograded" / "solution" / module / f"{nb_name}.ipynb", graded_too=True)

    for student, cells in expect.items():
        assert results[student], f"{student}: nbgrader did not grade the submission"
        assert_cell_outcomes(results[student][0].cells, cells, points, student)


# --- slow: lessons run offline ----------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("module", MODULES)
def test_lesson_notebook_runs_top_to_bottom_offline(module, tmp_path):
    joined = run_lesson(LESSONS[module], tmp_path, timeout=120)
    expected = {"m04": ["{\"ok\": true}", "呼んだ回数： 3", "成功しました", "トークン", "道路"],
                "m05": ["(320, 5)", "個人情報を含む意見： 4 件", "【交通】"],
                "m06": ["チェックデジット 8", "['090-1234-5678', '093-582-1234']", "block", "担当者に引き継ぎます"]}[module]
    if module == "m05":  # the chart was drawn (a PNG display or, with the Agg backend, the Figure's text form)
        assert "<Figure size" in joined
    for text in expected:
        assert text in joined, f"{module}: {text!r} not in the lesson's outputs"
