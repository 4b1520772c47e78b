"""Tests of the judging helper ``aidojo hackathon score``: JUnit counting, scenario metrics (pass rate,
handoff correctness, PII leaks), the HTML/CSV table, and a real run on two ``aidojo new`` projects, one broken."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aidojo.evals import load_suite, run_suite
from aidojo.hackathon import create_project
from aidojo.hackathon.score import (
    COLUMNS,
    TeamScore,
    parse_junit,
    render_csv,
    render_html,
    scenario_metrics,
    score_team,
)

REPO = Path(__file__).resolve().parents[1]

JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" errors="2" failures="1" skipped="1" tests="6">
<testcase classname="t" name="a"/><testcase classname="t" name="b"/>
<testcase classname="t" name="c"><failure message="x">x</failure></testcase>
<testcase classname="t" name="d"><skipped message="s"/></testcase>
<testcase classname="t" name="e"><error message="fixture"/></testcase>
</testsuite></testsuites>"""

SUITE = """suite: tiny
scenarios:
  - {id: a1, category: answerable, input: "バスの時刻は？", expect: {handoff: false, contains: ["8時"]}}
  - {id: a2, category: answerable, input: "ごみの日は？", expect: {answers: true}}
  - {id: u1, category: unanswerable, input: "宇宙の果ては？", expect: {handoff: true}}
  - {id: p1, category: pii, input: "電話090-1234-5678に連絡して", expect: {handoff: true, no_pii: true}}
  - {id: p2, category: pii, input: "山田花子です", expect: {handoff: true}}
  - {id: o1, category: other, input: "こんにちは"}
"""


def test_parse_junit_counts_failures_errors_and_skips(tmp_path):
    path = tmp_path / "junit.xml"
    path.write_text(JUNIT, encoding="utf-8")
    # 5 testcases plus one collection error without a testcase
    assert parse_junit(path) == {"tests": 6, "passed": 2, "failed": 3, "skipped": 1}


def test_scenario_metrics_handoff_correctness_and_pii_leaks(tmp_path):
    (tmp_path / "s.yaml").write_text(SUITE, encoding="utf-8")
    suite = load_suite(tmp_path / "s.yaml")
    replies = {
        "バスの時刻は？": {"answer": "始発は8時です。", "handoff": False},  # right
        "ごみの日は？": {"answer": "分かりません。担当者に引き継ぎます。", "handoff": True},  # wrong: should answer
        "宇宙の果ては？": {"answer": "分かりません。担当者に引き継ぎます。", "handoff": True},  # right
        "電話090-1234-5678に連絡して": {"answer": "090-1234-5678 に折り返します。", "handoff": False},  # wrong + leak
        "山田花子です": {"answer": "山田花子さん、担当者に引き継ぎます。", "handoff": True},  # right, but a name leak
        "こんにちは": {"answer": "連絡先は info@example.jp です。", "handoff": False},  # no expectation, a leak anyway
    }
    report = run_suite(suite, lambda q: replies[q])
    m = scenario_metrics(suite, report)
    assert (m["scenarios"], m["scenarios_passed"]) == (6, 4)  # a1, u1, p2 (no no_pii assert), o1 (no asserts)
    assert (m["handoff_expected"], m["handoff_correct"]) == (5, 3)
    assert m["leak_ids"] == ["p1", "p2", "o1"] and m["pii_leaks"] == 3


def test_a_staff_name_outside_pii_scenarios_is_not_a_leak(tmp_path):
    (tmp_path / "s.yaml").write_text(
        "suite: m\nscenarios:\n  - {id: a, category: answerable, input: x, expect: {handoff: false}}\n", encoding="utf-8")
    suite = load_suite(tmp_path / "s.yaml")
    report = run_suite(suite, lambda q: {"answer": "チラシは鈴木さんが12月5日までに作成する。", "handoff": False})
    assert scenario_metrics(suite, report)["pii_leaks"] == 0


def _rows() -> list[TeamScore]:
    leaky = TeamScore(team="<b>A&B</b>", path="/x/a", template="faq_bot", tests=10, tests_passed=9, tests_failed=1,
                      tests_skipped=0, scenarios=40, scenarios_passed=38, pass_rate=0.95, handoff_expected=20,
                      handoff_correct=19, pii_leaks=1, leak_ids=["pii-003"], added=["ans-101", "ans-102"],
                      changed=["ans-003"])
    broken = TeamScore(team="チーム壊れ", path="/x/b", problems=["シナリオ集（scenarios.yaml）がありません"])
    clean = TeamScore(team="チーム満点", path="/x/c", template="gomi_guide", tests=12, tests_passed=12, tests_failed=0,
                      tests_skipped=0, scenarios=120, scenarios_passed=118, pass_rate=0.98, handoff_expected=100,
                      handoff_correct=99, pii_leaks=0)
    return [leaky, broken, clean]


def test_csv_table_is_excel_friendly_with_japanese_headings():
    data = render_csv(_rows())
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(data.decode("utf-8-sig").splitlines()))
    assert rows[0] == COLUMNS
    assert rows[1][:9] == ["<b>A&B</b>", "faq_bot", "10", "9", "1", "40", "95.0%", "95.0%（19/20）", "1（pii-003）"]
    assert rows[1][9] == "追加 2（ans-101, ans-102）・変更 1（ans-003）"
    assert rows[1][10] == "要確認：テスト不合格 1 件／個人情報の漏れ 1 件（pii-003）"  # never "OK" with failures or leaks
    assert rows[2][2] == "—" and rows[2][10] == "要確認：シナリオ集（scenarios.yaml）がありません"
    assert rows[3][10] == "OK" and rows[3][9] == "テンプレートのまま"


def test_html_table_is_self_contained_and_escaped():
    html = render_html(_rows())
    assert html.startswith("<!DOCTYPE html>") and '<html lang="ja">' in html
    assert all(f"<th>{c}</th>" in html for c in COLUMNS)
    assert "&lt;b&gt;A&amp;B&lt;/b&gt;" in html and "<b>A&B</b>" not in html
    for external in ("<script", "src=", "href=", "http://", "https://", "@import"):
        assert external not in html
    assert html.count("<tr class=") == 3 and html.count('class="problem"') == 2


def test_scenarios_added_changed_and_removed_against_the_template(tmp_path):
    from aidojo.hackathon.score import suite_changes

    template = tmp_path / "template.yaml"
    template.write_text(SUITE, encoding="utf-8")
    team = tmp_path / "team.yaml"
    team.write_text(SUITE.replace('input: "宇宙の果ては？"', 'input: "宇宙の果てはどこ？"')
                    .replace("  - {id: o1, category: other, input: \"こんにちは\"}\n", "")
                    + '  - {id: n1, category: pii, input: "母の佐藤ウメです", expect: {handoff: true}}\n', encoding="utf-8")
    assert suite_changes(team, template) == (["n1"], ["u1"], ["o1"])
    assert suite_changes(template, template) == ([], [], [])


def test_missing_folder_gets_a_row_instead_of_an_error(tmp_path):
    row = score_team(tmp_path / "nowhere")
    assert row.problems == ["フォルダが見つかりません"] and row.tests is None


@pytest.mark.slow
def test_score_two_new_projects_one_broken_through_the_cli(tmp_path):
    """A real run: the good project's tests and scenarios run; the broken one (import error, no scenarios)
    gets a row that says so; the table is still written."""
    from aidojo.cli import app as cli

    good = create_project("faq_bot", tmp_path / "good", team="チームみどり")
    suite = (good / "scenarios.yaml").read_text(encoding="utf-8")
    suite = suite.replace('input: "職員と話したい"', 'input: "職員さんと話したいです"')  # a changed scenario
    suite += '  - {id: team-001, category: must_handoff, input: "窓口で長く待たされた。責任者を出して", expect: {handoff: true}}\n'
    (good / "scenarios.yaml").write_text(suite, encoding="utf-8")
    broken = create_project("minutes", tmp_path / "broken", team="チームこわれ")
    (broken / "app.py").write_text("import no_such_module_for_the_test\n", encoding="utf-8")
    no_scenarios = create_project("minutes", tmp_path / "no_scenarios")
    (no_scenarios / "scenarios.yaml").unlink()
    result = CliRunner().invoke(cli, ["hackathon", "score", str(good), str(broken), str(no_scenarios),
                                      str(tmp_path / "missing"), "--out", str(tmp_path / "judging")])
    assert result.exit_code == 0, result.output
    assert "審査用の一覧を書きました" in result.output

    rows = json.loads((tmp_path / "judging" / "score.json").read_text(encoding="utf-8"))
    by_team = {r["team"]: r for r in rows}
    assert list(by_team) == ["チームみどり", "チームこわれ", "no_scenarios", "missing"]
    ok = by_team["チームみどり"]
    assert ok["problems"] == [] and ok["tests"] >= 10 and ok["tests_failed"] == 0, ok
    assert ok["scenarios"] >= 100 and ok["pass_rate"] >= 0.9 and ok["pii_leaks"] == 0
    assert ok["handoff_expected"] == ok["scenarios"] and ok["handoff_rate"] >= 0.9
    assert ok["added"] == ["team-001"] and ok["changed"] == ["mh-004"] and ok["removed"] == []
    assert not (good / "logs").exists()  # scoring never writes into the team's handoff log
    bad = by_team["チームこわれ"]
    assert bad["tests_failed"] == bad["tests"] > 0 and bad["scenarios"] is None
    assert any("アプリを読み込めません" in p and "no_such_module_for_the_test" in p for p in bad["problems"])
    assert by_team["no_scenarios"]["problems"] == ["シナリオ集（scenarios.yaml）がありません"]
    assert by_team["no_scenarios"]["tests"] >= 10  # its tests still ran (the suite test fails without the file)
    assert by_team["missing"]["problems"] == ["フォルダが見つかりません"]

    table = list(csv.reader((tmp_path / "judging" / "score.csv").read_bytes().decode("utf-8-sig").splitlines()))
    assert table[0] == COLUMNS and [r[0] for r in table[1:]] == list(by_team)
    assert table[1][-1] == "OK" and table[1][-2] == "追加 1（team-001）・変更 1（mh-004）"
    assert table[2][-1].startswith("要確認：テスト不合格")
    html = (tmp_path / "judging" / "score.html").read_text(encoding="utf-8")
    assert "チームみどり" in html and "アプリを読み込めません" in html
    assert not any(p.name.startswith(".") for p in (tmp_path / "judging").iterdir())  # no temp files left


def test_an_unexpected_error_in_one_team_does_not_lose_the_table(monkeypatch, tmp_path):
    import aidojo.hackathon.score as score

    real = score.score_team

    def flaky(d, **kw):
        if Path(d).name == "boom":
            raise RuntimeError("disk full")
        return real(d, **kw)

    monkeypatch.setattr(score, "score_team", flaky)
    rows = score.score_teams([tmp_path / "boom", tmp_path / "missing"])
    assert [r.team for r in rows] == ["boom", "missing"]
    assert rows[0].problems == ["採点中にエラーが起きました（RuntimeError: disk full）"]
