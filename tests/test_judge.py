"""The trusted side, without a sandbox: reading text answers, assembling the graded notebook, judging data."""

from __future__ import annotations

import json

from aidojo.checks.judging import judge_code, scrub
from aidojo.checks.registry import get_question
from aidojo.checks.spec import Case, Observation
from aidojo.course.answers import MISSING, NOT_LITERAL, SYNTAX_ERROR, read_text_answers
from aidojo.course.assemble import assemble, job_cells, only_notebook_calls
from aidojo.course.judge import judge_without_running
from aidojo.course.layout import CourseLayout
from aidojo.course.material import load_material
from aidojo.course.simulate import learner_notebook


def test_text_answers_are_literals_only():
    found = read_text_answers(['プロンプト = """あなたは広報担当です。"""', 'x = 1\nメモ = "前半" + "後半"',
                               'コピー = f"固定の文"', '答え = 変数', '壊れた = """閉じていない'],
                              {"プロンプト", "メモ", "コピー", "答え", "壊れた", "ない"})
    assert found["プロンプト"].value == "あなたは広報担当です。"
    assert found["メモ"].value == "前半後半" and found["コピー"].value == "固定の文"
    assert found["答え"].problem == NOT_LITERAL
    assert found["壊れた"].problem == SYNTAX_ERROR and found["ない"].problem == MISSING


def test_each_graded_cell_reads_the_answer_as_it_stands_there():
    """m01 reuses 答え for three questions: each is judged with the value above its own graded cell."""
    material = load_material(CourseLayout(), "m01")
    nb = material.notebooks["m01_kadai.ipynb"]
    right = learner_notebook("m01", "m01_kadai", "right")
    verdict = judge_without_running(material, nb, assemble(nb.release, right).notebook, True)
    assert [v.result.ok for v in verdict.cells] == [True] * len(nb.grade_cells), [v.result.hints for v in verdict.cells]


def _cell(nb: dict, gid: str) -> dict:
    return next(c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == gid)


def test_locked_cells_come_from_the_release_whatever_the_learner_did():
    material = load_material(CourseLayout(), "m04")
    release = material.notebooks["m04_kadai.ipynb"].release
    learner = learner_notebook("m04", "m04_kadai", "right")
    _cell(learner, "m04-q1-test")["source"] = "pass"
    _cell(learner, "m04k-setup")["source"] = "require = print"
    learner["cells"].remove(_cell(learner, "m04-q2-test"))
    _cell(learner, "m04-q3-answer")["metadata"]["nbgrader"].update(points=100, grade=True, locked=True)
    learner["cells"].insert(3, {"cell_type": "code", "id": "mine", "metadata": {"nbgrader": {"grade_id": "m04-q5-test"}},
                                "source": "helper = 1", "outputs": [], "execution_count": None})
    merged = assemble(release, learner)
    nb = merged.notebook
    assert "m04-q1-test" in merged.edited_tests and merged.deleted_tests == ["m04-q2-test"]
    assert _cell(nb, "m04-q1-test")["source"] == _cell(release, "m04-q1-test")["source"]
    assert _cell(nb, "m04k-setup")["source"] == _cell(release, "m04k-setup")["source"]
    assert _cell(nb, "m04-q3-answer")["metadata"] == _cell(release, "m04-q3-answer")["metadata"]
    assert "def ask_inquiry" in "".join(_cell(nb, "m04-q3-answer")["source"])  # the learner's answer, release metadata
    grade_ids = [c["metadata"].get("nbgrader", {}).get("grade_id") for c in nb["cells"]]
    assert grade_ids.count("m04-q5-test") == 1  # a forged grade id is only the learner's own cell, without metadata
    kinds = {c["kind"] for c in job_cells(nb, {g.grade_id: g.qid for g in material.notebooks["m04_kadai.ipynb"].grade_cells})}
    assert kinds == {"setup", "answer", "test"}  # check() cells are not run while grading


def test_check_cells_are_not_run_while_grading():
    assert only_notebook_calls('check("m04.q1")\nprint(1)')
    assert not only_notebook_calls("x = check('m04.q1')") and not only_notebook_calls("import os")


def test_judge_fails_what_it_cannot_read_and_never_passes_a_missing_case():
    q = get_question("m04.q5")
    cases = list(q.cases)
    obs = {cases[0].id: Observation.from_json({"value": {"type": "float", "value": "not a number"}}),
           cases[1].id: Observation.from_json("garbage"),
           cases[2].id: Observation.from_json({"value": None})}
    result = judge_code(q, cases, obs)
    assert not result.ok and result.score == 0
    assert Observation.from_json([1, 2]).crashed and Observation.from_json({"error": "X" * 500}).error == "X" * 80


def test_hidden_case_hints_never_echo_what_the_learner_reported():
    obs = Observation(value={"type": "児童手当の申請はどこでできますか", "messages": []})
    hint = scrub("戻り値はリストにしてください（いまは 児童手当の申請はどこでできますか です）。", obs)
    assert "児童手当" not in hint
    q = get_question("m04.q1")
    result = judge_code(q, [Case("h9", "system_and_user", {"system": "s", "question": "児童手当の申請はどこでできますか"},
                                 hidden=True, note="別の質問")],
                        {"h9": Observation(value={"type": "児童手当の申請はどこでできますか", "messages": [], "sdk_ok": None})})
    assert not result.ok and "児童手当" not in json.dumps(result.hints, ensure_ascii=False)


def test_self_check_uses_the_offline_model_whatever_is_configured(monkeypatch):
    """A learner who set a live model (here one that does not answer) still gets the self-check the grade uses."""
    import json as _json

    from aidojo.checks import evaluate
    from aidojo.course.simulate import learner_notebook as _nb

    monkeypatch.setenv("AIDOJO_PROVIDER", "compatible")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    import sys
    import types

    learner = types.ModuleType("learner_m04")  # a module, as a notebook's namespace is for pydantic
    monkeypatch.setitem(sys.modules, "learner_m04", learner)
    namespace = learner.__dict__
    for cell in _nb("m04", "m04_kadai", "right")["cells"]:
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        if cell["cell_type"] == "code" and "require(" not in source and "check(" not in source:
            exec(source, namespace)
    result = evaluate("m04.q3", namespace["ask_inquiry"])
    assert result.ok, result.hints
    assert "オフラインモデル" in str(result) and _json.dumps(result.hints) == "[]"


def test_sources_built_to_exhaust_the_parser_are_just_unreadable():
    """The trusted grader parses learners' cells: deep nesting or an endless chain must not take it down."""
    bombs = ["プロンプト = " + '"a"+' * 50_000 + '"a"', "x = " + "(" * 100_000 + ")" * 100_000,
             "プロンプト = " + "-" * 200_000 + "1", "プロンプト = " + '"a"+' * 900 + '"a"']
    for source in bombs:
        found = read_text_answers([source], {"プロンプト"})["プロンプト"]
        assert found.value in (None, "a" * 901)
        assert only_notebook_calls(source) is False
