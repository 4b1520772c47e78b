"""m07–m09 (資料検索・Gradio・評価): the handbook copies, the m09 suite of the solution, the m08 app through
gradio_client on 127.0.0.1, and the lessons running top to bottom offline. Grading itself is
tests/test_grading_curriculum.py; the checkers are tests/test_checks_m07.py … m09.py."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest

from tests.curriculum import (
    run_lesson,
)

REPO = Path(__file__).resolve().parents[1]
MODULES = ("m07", "m08", "m09")
LESSONS = {"m07": "m07_shiryo_kensaku", "m08": "m08_gradio_app", "m09": "m09_hyoka"}
HANDBOOK = "data/seikatsuhogo_tebiki.md"


def _solution(module: str):
    return nbformat.read(REPO / "solutions" / module / f"{module}_kadai.ipynb", as_version=4)


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


def test_handbook_copies_are_identical_and_fictional():
    texts = {m: (REPO / "solutions" / m / HANDBOOK).read_text(encoding="utf-8") for m in MODULES}
    assert texts["m07"] == texts["m08"] == texts["m09"]
    text = texts["m07"]
    assert "架空" in text and "みどり市" in text
    assert 15 <= len(re.findall(r"^## ", text, flags=re.M)) <= 25
    from aidojo.safety import find_pii

    assert not [f for f in find_pii(text) if f.kind in ("phone", "email", "my_number")]


# --- the checkers on fixture answers (fast: no nbgrader) -------------------------------------------------


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
