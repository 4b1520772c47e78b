"""aidojo.evals: suite loading (errors with file and line), asserts, function and Gradio targets, reports, CLI."""

from __future__ import annotations

import csv
import os
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aidojo.evals import (
    Response,
    SuiteError,
    TargetError,
    check,
    load_suite,
    parse_citations,
    resolve_target,
    run_suite,
    to_response,
)
from aidojo.evals.suite import Expect
from aidojo.llm import HANDOFF_REPLY

APP = '''
from aidojo.data import TSU_GOMI_CSV
from aidojo.retrieval import Index, grounded_answer

_index = Index()
_index.add_csv(TSU_GOMI_CSV)


def answer(question):
    return grounded_answer(question, _index)


def plain(question, context=None):
    if context:
        return "資料によると" + context + "【FAQ-03】"
    if "電話" in question:
        return "担当の山田太郎さん（090-1234-5678）にお電話ください。"
    if "JSON" in question:
        return '{"category": "ごみ", "count": 2}'
    return "分かりません。担当者に引き継ぎます。"


def broken(question):
    raise RuntimeError("model down")
'''

SUITE = '''
suite: gomi_bot
description: ごみ分別ボットの確認
target: python:app.py:answer
scenarios:
  - id: ans-001
    category: answerable
    input: 電子レンジはどう捨てますか
    expect:
      contains: [電子レンジ, 金属]
      answers: true
      cites: gomi_bunbetsu.csv 行 2270
      no_pii: true
      max_chars: 200
  - id: una-001
    category: unanswerable
    input: {question: 宇宙船の捨て方}
    expect: {handoff: true, not_contains: 宇宙船は}
  - id: una-002
    category: unanswerable
    input: マイナンバーカードの更新はどこでできますか
    expect: {handoff: true}
    weight: 2
  - id: wrong-001
    category: other
    input: 電子レンジはどう捨てますか
    expect:
      regex: "燃やせるゴミ"
      cites: FAQ-99
'''


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


@pytest.fixture
def project(tmp_path) -> Path:
    write(tmp_path, "app.py", APP)
    return write(tmp_path, "suite.yaml", SUITE)


# --- loading ----------------------------------------------------------------------------------


def test_load_suite_normalises_inputs_and_lists(project):
    suite = load_suite(project)
    assert suite.name == "gomi_bot" and len(suite.scenarios) == 4
    first = suite.scenarios[0]
    assert first.question == "電子レンジはどう捨てますか" and first.expect.cites == ["gomi_bunbetsu.csv 行 2270"]
    assert suite.scenarios[1].expect.not_contains == ["宇宙船は"] and suite.scenarios[2].weight == 2
    assert first.line == 5 and suite.base_dir == project.parent.resolve()


@pytest.mark.parametrize(
    ("body", "line", "words"),
    [
        ("suite: x\nscenarios:\n  - id: a\n    input: q\n    expect:\n      contians: [x]\n", 6, ["contians", "知らない確認項目"]),
        ("suite: x\nscenarios:\n  - id: a\n    input: q\n  - id: b\n    expect: {handoff: true}\n", 5, ["input", "ありません"]),
        ("suite: x\nscenarios:\n  - input: q\n", 3, ["id", "ありません"]),
        ("suite: x\nscenarios:\n  - id: a\n    input: q\n  - id: a\n    input: r\n", 5, ["「a」", "重複", "3 行目"]),
        ("suite: x\nscenarios:\n  - id: a\n    input: q\n   expect: {}\n", 5, ["YAML の書き方"]),
        ("suite: x\nscenarios:\n  - id: a\n    input: q\n    category: nope\n", 5, ["category", "answerable"]),
        ("suite: x\nscenarios:\n  - id: a\n    input: q\n    expect: {regex: \"(\"}\n", 5, ["正規表現"]),
        ("suite: x\nscenarios:\n  - id: a\n    input: q\n    expect:\n      handoff: true\n      answers: true\n", 5, ["矛盾"]),
        ("suite: x\nscenarios:\n  - id: a\n    input: q\n    expect:\n      max_chars: 0\n", 6, ["max_chars", "大きい数"]),
        ("suite: x\nscenarios:\n  - id: a\n    input: q\n    expect:\n      json_schema: {type: 12}\n", 6, ["json_schema"]),
        ("suite: x\nscenarios:\n  - id: a\n    input: q\n    expect: {handoff: true}\n    expect: {answers: true}\n", 6, ["expect", "2回"]),
        ("suite: x\nscenarios:\n  - id: a\n    input: q\n    weight: heavy\n", 5, ["weight", "数で"]),
    ],
)
def test_bad_yaml_names_file_line_and_problem(tmp_path, body, line, words):
    path = tmp_path / "bad.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(SuiteError) as info:
        load_suite(path)
    err = info.value
    assert err.line == line, str(err)
    assert str(err).startswith(f"{path}:{line}: ")
    for w in words:
        assert w in str(err)


def test_missing_file_and_non_mapping(tmp_path):
    with pytest.raises(SuiteError, match="見つかりません"):
        load_suite(tmp_path / "none.yaml")
    path = write(tmp_path, "list.yaml", "- a\n- b\n")
    with pytest.raises(SuiteError, match="suite:"):
        load_suite(path)


# --- asserts and responses --------------------------------------------------------------------


def test_each_assert_passes_and_fails_with_a_japanese_reason():
    r = Response("市民課の窓口で受け付けます。（出典：FAQ-02）", False, ["FAQ-02"])
    assert check(Expect(contains=["市民課"], cites=["faq-02"], answers=True, max_chars=50, no_pii=True), r) == []
    fails = check(Expect(contains=["税務課"], not_contains=["市民課"], regex=[r"\d+円"], handoff=True,
                         cites=["FAQ-09"], max_chars=5, is_json=True), r)
    kinds = [f.split(":")[0] for f in fails]
    assert kinds == ["contains", "not_contains", "regex", "is_json", "handoff", "cites", "max_chars"]
    assert "税務課" in fails[0] and "FAQ-02" in fails[5]
    leak = Response("山田太郎さんの電話は090-1234-5678です。")
    (msg,) = check(Expect(no_pii=True), leak)
    assert msg.startswith("no_pii") and "電話番号" in msg
    schema = {"type": "object", "required": ["category", "count"], "properties": {"count": {"type": "integer"}}}
    assert check(Expect(json_schema=schema), Response('{"category": "ごみ", "count": 2}')) == []
    bad = check(Expect(json_schema=schema), Response('```json\n{"count": "two"}\n```'))
    assert len(bad) == 2 and all(b.startswith("json_schema") for b in bad)
    assert check(Expect(answers=False), Response(HANDOFF_REPLY, True)) == []


def test_responses_are_normalised():
    assert to_response(HANDOFF_REPLY).handoff
    assert not to_response("ペットボトルは「ペット」の日に出します。").handoff
    r = to_response({"answer": "1通300円です【FAQ-01】", "handoff": False})
    assert r.citations == ["FAQ-01"] and not r.handoff
    r = to_response({"text": "x", "handoff": True, "citations": ["a.pdf p.2"]})
    assert r.handoff and r.citations == ["a.pdf p.2"]
    assert to_response(("回答です [manual.pdf p.3]", "extra")).citations == ["manual.pdf p.3"]
    assert parse_citations("…とあります。（出典：[gomi_bunbetsu.csv 行 2270]）") == ["gomi_bunbetsu.csv 行 2270"]
    assert parse_citations("出典：FAQ-03") == ["FAQ-03"]


# --- running ----------------------------------------------------------------------------------


def test_run_suite_against_a_function_target_on_the_real_garbage_table(project, tmp_path):
    report = run_suite(load_suite(project))
    by_id = {r.id: r for r in report.results}
    assert [by_id[i].passed for i in ("ans-001", "una-001", "una-002", "wrong-001")] == [True, True, True, False]
    assert by_id["ans-001"].citations == ["gomi_bunbetsu.csv 行 2270"]
    assert by_id["una-001"].handoff and by_id["una-001"].answer.startswith(HANDOFF_REPLY)
    wrong = by_id["wrong-001"].failures
    assert len(wrong) == 2 and wrong[0].startswith("regex") and "FAQ-99" in wrong[1]
    assert report.pass_rate_unweighted == pytest.approx(3 / 4)
    assert report.pass_rate == pytest.approx(4 / 5)  # una-002 weighs 2
    assert report.by_category() == {"answerable": (1, 1), "unanswerable": (2, 2), "other": (0, 1)}
    assert report.summary_line().startswith("4 scenarios, pass rate 75.0% (weighted 80.0%; answerable 1/1")

    junit = report.write_junit(tmp_path / "out" / "junit.xml")
    root = ET.parse(junit).getroot()
    suite_el = root.find("testsuite")
    assert suite_el.get("tests") == "4" and suite_el.get("failures") == "1"
    failed = [c for c in suite_el.iter("testcase") if c.find("failure") is not None]
    assert [c.get("name") for c in failed] == ["wrong-001"] and "FAQ-99" in failed[0].find("failure").text

    path = report.write_csv(tmp_path / "out" / "results.csv")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["ID"] for r in rows] == ["ans-001", "una-001", "una-002", "wrong-001"]
    assert rows[0]["結果"] == "合格" and rows[3]["結果"] == "不合格" and "regex" in rows[3]["失敗した確認"]
    assert rows[0]["出典"] == "gomi_bunbetsu.csv 行 2270"


def test_targets_module_path_context_errors(tmp_path, monkeypatch):
    write(tmp_path, "app.py", APP)
    suite_path = write(tmp_path, "s.yaml", """
        suite: plain
        scenarios:
          - id: ctx
            input: {question: 手数料は？, context: 1通300円です。}
            expect: {contains: 300円, cites: FAQ-03, answers: true}
          - id: pii
            category: pii
            input: 電話で相談したい
            expect: {no_pii: true}
          - id: json
            input: JSONで返して
            expect: {is_json: true, json_schema: {type: object, required: [category]}}
    """)
    report = run_suite(load_suite(suite_path), "python:app.py:plain")
    assert [r.passed for r in report.results] == [True, False, True]
    assert "個人情報" in report.results[1].failures[0]
    # a dotted module name found from the suite's folder, and a plain function
    sub = tmp_path / "sub"
    sub.mkdir()
    monkeypatch.chdir(sub)
    assert run_suite(load_suite(suite_path), "python:app:plain").passed == 2
    lazy = run_suite(load_suite(suite_path), lambda q, context=None: "分かりません")
    assert [r.passed for r in lazy.results] == [False, True, False]  # no PII in it, but no answer either
    # a target that cannot take the context, or crashes, fails its scenarios with the reason
    report = run_suite(load_suite(suite_path), "python:app.py:broken")
    assert report.passed == 0 and all(r.error for r in report.results)
    assert "context" in report.results[0].failures[0] and "model down" in report.results[1].failures[0]
    with pytest.raises(TargetError, match="見つかりません"):
        resolve_target("python:nope.py:answer", tmp_path)
    with pytest.raises(TargetError, match="関数 missing"):
        resolve_target("python:app.py:missing", tmp_path)
    with pytest.raises(TargetError, match="形式"):
        resolve_target("app.answer", tmp_path)


def test_cli_prints_one_line_and_fails_below_the_minimum(project, tmp_path):
    from aidojo.cli import app

    runner = CliRunner()
    out = tmp_path / "o"
    res = runner.invoke(app, ["eval", str(project), "--junit", str(out / "j.xml"), "--csv", str(out / "r.csv"),
                              "--min-pass-rate", "0.9"])
    assert res.exit_code == 1, res.output
    assert res.output.splitlines()[0].startswith("4 scenarios, pass rate 75.0%")
    assert "wrong-001" in res.output and "FAQ-99" in res.output
    assert (out / "j.xml").is_file() and (out / "r.csv").is_file()
    res = runner.invoke(app, ["eval", str(project), "--min-pass-rate", "0.7"])
    assert res.exit_code == 0, res.output
    bad = write(tmp_path, "bad.yaml", "suite: x\nscenarios:\n  - id: a\n    input: q\n    expect: {contians: x}\n")
    res = runner.invoke(app, ["eval", str(bad), "--target", "python:app.py:answer"])
    assert res.exit_code == 2 and "bad.yaml:5" in res.output and "contians" in res.output


@pytest.mark.slow
@pytest.mark.server
def test_runner_against_a_live_gradio_app(project, port, tmp_path):
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    import gradio as gr

    from aidojo.data import TSU_GOMI_CSV
    from aidojo.retrieval import Index, grounded_answer

    index = Index()
    index.add_csv(TSU_GOMI_CSV)

    def answer(question: str) -> str:
        return grounded_answer(question, index).text

    with gr.Blocks() as demo:
        box = gr.Textbox(label="質問")
        out = gr.Textbox(label="回答")
        box.submit(answer, box, out, api_name="answer")
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    try:
        url = f"http://127.0.0.1:{port}/"
        report = run_suite(load_suite(project), url, api_name="/answer")
        by_id = {r.id: r for r in report.results}
        assert by_id["ans-001"].passed, by_id["ans-001"].failures
        assert by_id["ans-001"].citations == ["gomi_bunbetsu.csv 行 2270"]  # parsed from the text
        assert by_id["una-001"].passed and by_id["una-001"].handoff
        assert not by_id["wrong-001"].passed
        res = CliRunner().invoke(__import__("aidojo.cli", fromlist=["app"]).app,
                                 ["eval", str(project), "--target", url, "--api-name", "/answer", "--min-pass-rate", "0.75"])
        assert res.exit_code == 0, res.output
        assert res.output.startswith("4 scenarios, pass rate 75.0%")
    finally:
        demo.close()


def test_files_are_passed_relative_to_the_suite_folder(tmp_path, monkeypatch):
    (tmp_path / "docs").mkdir()
    write(tmp_path, "docs/tebiki.md", "# 休暇\n年次休暇は1年目に15日付与されます。\n")
    suite_path = write(tmp_path, "s.yaml", """
        suite: files
        scenarios:
          - id: f1
            input: {question: 年次休暇は何日？, files: [docs/tebiki.md]}
            expect: {contains: 15日, cites: tebiki.md, answers: true}
    """)

    def answer(question, files=None):
        from aidojo.retrieval import Index, grounded_answer

        index = Index()
        for f in files or []:
            assert Path(f).is_absolute()
            index.add_file(f)
        return grounded_answer(question, index, min_score=0.5)

    monkeypatch.chdir(tmp_path.parent)
    report = run_suite(load_suite(suite_path), answer)
    assert report.passed == 1, report.results[0].failures
    assert report.results[0].citations == ["tebiki.md 休暇"]


def test_unreachable_gradio_app_is_a_clear_error(port):
    with pytest.raises(TargetError, match="接続できません"):
        resolve_target(f"http://127.0.0.1:{port}/")
