"""m07–m09 (資料検索・Gradio・評価) under real nbgrader, through the checkers, and the m08 app on 127.0.0.1.

Solutions score full marks; untouched exercises score zero with no error outside graded cells; fixture
answers (whole answer cells, written differently from the solution) score full or less as expected; the
exercises equal what nbgrader generates; the lessons run top to bottom offline; the solution's Gradio app
answers through gradio_client.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest

from tests.curriculum import (assert_cell_outcomes, assert_no_errors_outside_graded_cells, cell_id, grade_cells,
                               load_fixture, run_lesson)

REPO = Path(__file__).resolve().parents[1]
MODULES = ("m07", "m08", "m09")
LESSONS = {"m07": "m07_shiryo_kensaku", "m08": "m08_gradio_app", "m09": "m09_hyoka"}
HANDBOOK = "data/seikatsuhogo_tebiki.md"


def _solution(module: str):
    return nbformat.read(REPO / "solutions" / module / f"{module}_kadai.ipynb", as_version=4)


def _submission(exercise: Path, answers: dict[str, str], target: Path) -> Path:
    """The exercise notebook with each answer cell replaced by ``answers[qid]`` (a whole cell of code)."""
    nb = nbformat.read(exercise, as_version=4)
    by_id = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in nb.cells}
    for qid, code in answers.items():
        by_id[cell_id(qid, "answer")].source = code.rstrip("\n")
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, target)
    return target


def _namespace(module: str, answers: dict[str, str] | None = None) -> dict:
    """Run the solution notebook's setup and answer cells (or fixture answers instead) in a fresh namespace."""
    ns: dict = {}
    for cell in _solution(module).cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        if cell.cell_type != "code" or not (gid.endswith("-setup") or gid.endswith("-answer")):
            continue
        source = cell.source.replace(f'"{HANDBOOK}"', repr(str(REPO / "solutions" / module / HANDBOOK)))
        qid = gid.removesuffix("-answer").replace("-", ".")
        if answers and qid in answers:
            source = answers[qid]
        exec(compile(source, f"<{module} {gid}>", "exec"), ns)  # noqa: S102 - our own course material
    return ns


# --- fast structure checks -----------------------------------------------------------------------


@pytest.mark.parametrize("module", MODULES)
def test_every_graded_question_has_an_answer_cell_check_cell_and_fixtures(module):
    nb = _solution(module)
    fixture = load_fixture(module)
    qids = [gid.removesuffix("-test").replace("-", ".") for gid in grade_cells(nb)]
    assert qids == list(fixture["questions"]) and len(qids) >= 3
    sources = {c.id: c.source for c in nb.cells}
    for qid in qids:
        answer = sources[cell_id(qid, "answer")]
        assert "### BEGIN SOLUTION" in answer and "### END SOLUTION" in answer
        assert f'check("{qid}")' in sources[f"{module}k-{qid.split('.')[1]}-check"]
        test = sources[cell_id(qid, "test")]
        assert f'require("{qid}")' in test and f'require("{qid}.hidden"' in test and "### BEGIN HIDDEN TESTS" in test
        q = fixture["questions"][qid]
        assert len(q["correct"]) >= 2 and len(q["wrong"]) >= 2
    for cell in nb.cells:  # graded paths never launch a server
        assert ".launch(" not in cell.source or cell.cell_type == "markdown"


def test_handbook_copies_are_identical_and_fictional():
    texts = {m: (REPO / "solutions" / m / HANDBOOK).read_text(encoding="utf-8") for m in MODULES}
    assert texts["m07"] == texts["m08"] == texts["m09"]
    text = texts["m07"]
    assert "架空" in text and "みどり市" in text
    assert 15 <= len(re.findall(r"^## ", text, flags=re.M)) <= 25
    from aidojo.safety import find_pii

    assert not [f for f in find_pii(text) if f.kind in ("phone", "email", "my_number")]


# --- the checkers on fixture answers (fast: no nbgrader) -------------------------------------------------


def _variants(module: str):
    fixture = load_fixture(module)
    yield "solution", None
    for kind in ("correct", "wrong"):
        for i in range(max(len(q[kind]) for q in fixture["questions"].values())):
            yield f"{kind}{i}", {qid: q[kind][i] for qid, q in fixture["questions"].items() if i < len(q[kind])}


def _evaluate_module(module: str) -> None:
    from aidojo.checks import evaluate
    from aidojo.checks.registry import get_question

    for name, answers in _variants(module):
        ns = _namespace(module, answers)
        for qid in (answers or load_fixture(module)["questions"]):
            results = [evaluate(q, *[ns[v] for v in get_question(q).reads]) for q in (qid, qid + ".hidden")]
            passed = all(r.ok for r in results)
            if name.startswith("wrong"):
                assert not passed, f"{name} {qid}: a wrong answer passed"
                assert any(r.hints for r in results), f"{name} {qid}: no hint for the learner"
            else:
                assert passed, f"{name} {qid}: {[r.hints for r in results]}"


def test_m07_checkers_pass_correct_answers_and_reject_wrong_ones():
    _evaluate_module("m07")


@pytest.mark.slow
def test_m08_checkers_pass_correct_answers_and_reject_wrong_ones():
    _evaluate_module("m08")


def test_m09_checkers_pass_correct_answers_and_reject_wrong_ones():
    _evaluate_module("m09")


def test_checkers_give_a_hint_not_a_traceback_for_stubs():
    from aidojo.checks import evaluate

    def stub(*args, **kwargs):
        raise NotImplementedError()

    for qid, values in {"m07.q1": (stub,), "m07.q4": (stub,), "m09.q2": (stub,), "m09.q3": (stub,),
                        "m09.q1": ('\n# ここに答えを書いてください\nraise NotImplementedError()\n',)}.items():
        result = evaluate(qid, *values)
        assert not result.ok and result.hints and "Traceback" not in "".join(result.hints), qid


def test_m09_suite_of_the_solution_finds_the_weaknesses_and_the_fix_raises_the_pass_rate(tmp_path):
    from aidojo.evals import load_suite, run_suite

    ns = _namespace("m09")
    path = tmp_path / "scenarios.yaml"
    path.write_text(ns["シナリオYAML"], encoding="utf-8")
    suite = load_suite(path)
    assert len(suite.scenarios) >= 20
    assert {"answerable", "unanswerable", "pii", "injection"} <= {s.category for s in suite.scenarios}
    before, after = run_suite(suite, ns["answer"]), run_suite(suite, ns["safe_answer"])
    assert after.pass_rate == 1.0, [r.failures for r in after.failed]
    assert before.pass_rate < 0.8
    assert set(ns["failed_by_category"](before)) == {"pii", "injection"}


# --- the m08 app on 127.0.0.1 through gradio_client --------------------------------------------------------


@pytest.mark.slow
@pytest.mark.server
def test_m08_solution_app_through_gradio_client(tmp_path):
    from gradio_client import Client, handle_file

    from aidojo.hackathon.testing import launched
    from aidojo.llm import HANDOFF_REPLY

    ns = _namespace("m08")
    csv_path = tmp_path / "toiawase.csv"
    csv_path.write_text("受付番号,質問\nR1,住宅扶助の上限額は単身世帯でいくらですか？\nR2,明日の天気は？\n", encoding="utf-8-sig")
    with launched(ns["build_app"]()) as url:
        client = Client(url, verbose=False)
        reply = client.predict("住宅扶助の上限額は単身世帯でいくらですか？", api_name="/answer")
        assert "41,000円" in reply and "[手引き 9. 住宅扶助の上限額]" in reply
        assert client.predict("ふるさと納税の返礼品を教えてください", api_name="/answer") == HANDOFF_REPLY
        box, history = client.predict("保護の決定は申請から何日以内ですか？", [], api_name="/chat")
        assert box == "" and [m["role"] for m in history] == ["user", "assistant"]
        assert "14日以内" in json.dumps(history[-1], ensure_ascii=False)
        table = client.predict(handle_file(str(csv_path)), api_name="/file")
        assert table["headers"] == ["質問", "回答"] and len(table["data"]) == 2
        assert "41,000円" in table["data"][0][1] and table["data"][1][1] == HANDOFF_REPLY


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

    submissions: dict[str, dict[str, Path]] = {"solution": {nb_name: solution}, "untouched": {nb_name: exercise}}
    expect: dict[str, dict[str, str]] = {}  # student → {test grade_id: "full" | "less"}
    for name, answers in _variants(module):
        if answers is None:
            continue
        submissions[name] = {nb_name: _submission(exercise, answers, tmp_path / "subs" / name / f"{nb_name}.ipynb")}
        expect[name] = {cell_id(qid, "test"): "less" if name.startswith("wrong") else "full" for qid in answers}

    runaway = fixture.get("runaway") or {}
    if runaway:  # an endless loop in one answer: that question scores zero, the others still count
        answers = {qid: q["correct"][0] for qid, q in fixture["questions"].items()} | runaway
        submissions["runaway"] = {nb_name: _submission(exercise, answers, tmp_path / "subs" / "runaway" / f"{nb_name}.ipynb")}
        expect["runaway"] = {cell_id(qid, "test"): "zero" if qid in runaway else "full" for qid in answers}

    work = tmp_path / "grade"
    # a short cell time limit when a runaway submission is graded (these notebooks' cells take a few seconds)
    results = grade_notebooks(module, submissions, workdir=work, timeout_per_cell=10 if runaway else None)

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
    joined = run_lesson(LESSONS[module], tmp_path, timeout=180)
    assert "担当者に引き継ぎます" in joined
    if module == "m07":
        assert "41,000円" in joined and "> 9. 住宅扶助の上限額" in joined
        assert "津市オープンデータライブラリ" in joined and "gomi_bunbetsu.csv 行" in joined  # attribution shown with the data
    if module == "m08":
        assert "http://127.0.0.1:" in joined and "41,000円" in joined
    if module == "m09":
        assert re.search(r"pass rate 100\.0%", joined) and re.search(r"pass rate [1-7]\d\.\d%", joined)
