"""m04–m06 (builder track, code answers): the checkers on the fixture answers, the opinions data, and the lessons
running top to bottom offline. Grading itself (sandbox, judge, gradebook) is tests/test_grading_curriculum.py."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from aidojo.checks import evaluate
from tests.curriculum import (
    load_fixture,
    run_lesson,
)

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


# --- slow: real nbgrader --------------------------------------------------------------------------------


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
