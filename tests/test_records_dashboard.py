"""KPI dashboard: correct numbers against the configured goals, self-contained HTML, reproducible."""

from __future__ import annotations

import json
import re
import shutil
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aidojo.course import course_data_dir
from aidojo.records import compute_kpis, compute_records, import_roster, load_kpi, write_dashboard
from aidojo.records.dashboard import render_dashboard
from aidojo.records.kpi import KpiConfig
from aidojo.records.synthetic import Result, build_gradebook, module_layout
from aidojo.records.usage import add_use

REPO = Path(__file__).resolve().parents[1]
MODULES = [f"m0{i}" for i in range(1, 10)]
LAYOUT = module_layout(MODULES)
# 10 staff in 4 課 of 2 局; 1 leaver who completed (must not count)
ROSTER = """職員番号,氏名,所属局,所属部,所属課,役職区分
1,青木 一郎,総務局,行政部,人事課,幹部
2,石井 花子,総務局,行政部,人事課,一般
3,上田 健,総務局,行政部,人事課,一般
4,江口 美咲,総務局,デジタル戦略部,DX・AI推進課,一般
5,大野 翔,総務局,デジタル戦略部,DX・AI推進課,一般
6,岡田 由美,市民局,市民生活部,市民課,一般
7,金子 陽菜,市民局,市民生活部,市民課,一般
8,菊地 蓮,市民局,市民生活部,市民課,一般
9,工藤 葵,市民局,市民生活部,戸籍住民課,一般
10,小山 大和,市民局,市民生活部,戸籍住民課,一般
11,近藤 誠,市民局,市民生活部,戸籍住民課,一般
"""
# basic completers: 1, 2, 4 (May), 5, 6, 7 (June) -> 6 of 10 active = 60%; builder: 4 (June) -> 1;
# 課 covered: 人事課, DX・AI推進課, 市民課 -> 3 of 4 = 75%; 11 completes but leaves; 9 only passes m01.
BASIC = {"1": "2026-05-10", "2": "2026-05-11", "4": "2026-05-20", "5": "2026-06-01", "6": "2026-06-02",
         "7": "2026-06-03", "11": "2026-05-05"}
FULL = {m: {c: 2.0 for c in LAYOUT[m]} for m in MODULES}


@pytest.fixture(scope="module")
def template_gradebook(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("gb") / "gradebook.db"
    results = [Result(sid, m, datetime.fromisoformat(f"{day} 01:00"), FULL[m])
               for sid, day in BASIC.items() for m in MODULES[:3]]
    results += [Result("4", m, datetime(2026, 6, 10 + i), FULL[m]) for i, m in enumerate(MODULES[3:])]
    results += [Result("9", "m01", datetime(2026, 6, 5), FULL["m01"]), Result("3", "m01", datetime(2026, 6, 5), {})]
    build_gradebook(f"sqlite:///{path}", LAYOUT, results)
    return path


@pytest.fixture
def records(template_gradebook, tmp_path):
    (tmp_path / "all.csv").write_text(ROSTER, encoding="utf-8")
    (tmp_path / "later.csv").write_text(ROSTER.rsplit("\n", 2)[0] + "\n", encoding="utf-8")  # 11 leaves
    import_roster(tmp_path / "all.csv", as_of="2026-04-01")
    import_roster(tmp_path / "later.csv", as_of="2026-07-01")
    course_data_dir().mkdir(parents=True, exist_ok=True)
    shutil.copy(template_gradebook, course_data_dir() / "gradebook.db")
    # real use through the hub's AI gateway: May 1, 2, 11 (the leaver); July 1, 2, 6 and 9 (two days)
    for sid, day in (("1", "2026-05-12"), ("2", "2026-05-13"), ("11", "2026-05-20"), ("1", "2026-07-01"),
                     ("2", "2026-07-02"), ("6", "2026-07-03"), ("9", "2026-07-03"), ("9", "2026-07-04")):
        add_use(course_data_dir(), sid, prompt_tokens=10, at=datetime.fromisoformat(f"{day}T10:00:00+09:00"))
    return compute_records(as_of="2026-07-31")


def _data(html: str) -> dict:
    match = re.search(r'<script type="application/json" id="kpi-data">(.*?)</script>', html, re.S)
    return json.loads(match.group(1))


def test_kpi_numbers(records):
    k = compute_kpis(records)
    assert (k.staff, k.basic_completed, k.builder_completed, k.sections, k.sections_covered) == (10, 6, 1, 4, 3)
    assert k.basic_rate == pytest.approx(0.6) and k.section_coverage == pytest.approx(0.75)
    # each month against that month's roster: 11 staff until the leaver goes on 2026-07-01, then 10
    assert [(m.month, m.headcount, m.basic_new, m.basic_total, m.builder_total, m.users) for m in k.months] == [
        ("2026-04", 11, 0, 0, 0, 0), ("2026-05", 11, 4, 4, 0, 3), ("2026-06", 11, 3, 7, 1, 0),
        ("2026-07", 10, 0, 6, 1, 4)]
    assert k.months[1].basic_rate == pytest.approx(4 / 11) and k.months[3].basic_rate == pytest.approx(0.6)
    assert (k.users, k.use_rate, k.sections_using) == (4, 0.4, 3)  # in the 年度, among today's staff: 1, 2, 6, 9
    assert [(y.fiscal_year, y.headcount, y.users, y.sections_using) for y in k.years] == [(2026, 10, 4, 3)]
    bureaus = {b.bureau: b for b in k.bureaus}
    assert (bureaus["総務局"].staff, bureaus["総務局"].basic_completed, bureaus["総務局"].sections_covered) == (5, 4, 2)
    assert (bureaus["市民局"].staff, bureaus["市民局"].basic_completed, bureaus["市民局"].sections) == (5, 2, 2)


def test_dashboard_shows_the_numbers_against_the_goals(records, tmp_path):
    path = write_dashboard(records, tmp_path / "report.html")
    html = path.read_text(encoding="utf-8")
    data = _data(html)
    assert (data["staff"], data["basic_completed"], data["basic_rate"]) == (10, 6, 0.6)
    assert (data["builder_completed"], data["builder_goal"]) == (1, 150)
    assert (data["sections_covered"], data["sections"], data["section_coverage"]) == (3, 4, 0.75)
    assert (data["basic_goal"], data["section_goal"]) == (0.9, 0.95)
    card = html[html.index('id="kpi-basic"'):html.index('id="kpi-builder"')]
    assert "60.0%" in card and "6 / 10 人" in card and "目標 90%" in card and "未達" in card
    card = html[html.index('id="kpi-builder"'):html.index('id="kpi-sections"')]
    assert "1 人" in card and "目標 150 人" in card and "あと 149 人" in card
    card = html[html.index('id="kpi-sections"'):html.index("月別推移")]
    assert "75.0%" in card and "3 / 4 課" in card and "目標 95%" in card
    assert "戸籍住民課" in html[html.index('id="uncovered"'):]
    assert "名簿の基準日: 2026-07-01" in html and "最終提出日: 2026-06-15" in html
    assert "2026年度（令和8年度） 修了・利用状況ダッシュボード" in html and "基準日: 2026-07-31" in html
    card = html[html.index('id="kpi-use"'):html.index('id="kpi-section-use"')]
    assert "40.0%" in card and "4 / 10 人" in card and "目標 90%" in card


def test_goals_come_from_course_toml(records, tmp_path):
    assert load_kpi() == KpiConfig(basic_track="basic", basic_completion_goal=0.9, builder_track="builder",
                                   builder_goal=150, section_coverage_goal=0.95)
    toml = tmp_path / "course.toml"
    toml.write_text((REPO / "grader" / "course.toml").read_text(encoding="utf-8").replace(
        "basic_completion_goal = 0.90", "basic_completion_goal = 0.5").replace("builder_goal = 150", "builder_goal = 1"),
        encoding="utf-8")
    config = load_kpi(toml)
    assert config.basic_completion_goal == 0.5 and config.builder_goal == 1
    html = render_dashboard(records, compute_kpis(records, config))
    card = html[html.index('id="kpi-basic"'):html.index('id="kpi-builder"')]
    assert "目標 50%" in card and "達成" in card and "未達" not in card
    assert _data(html)["builder_goal"] == 1


def test_page_is_self_contained_and_reproducible(records, tmp_path):
    html = write_dashboard(records, tmp_path / "a.html").read_text(encoding="utf-8")
    assert html.count("<svg") == 3 and "fy-boundary" not in html  # one 年度 only: no boundary to mark
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "<link" not in html and "@import" not in html and not re.search(r"url\((?!#)", html)  # only url(#id)
    assert not re.search(r"<script(?![^>]*application/json)", html)  # no scripts besides the data block
    again = write_dashboard(compute_records(as_of="2026-07-31"), tmp_path / "b.html")
    assert again.read_bytes() == (tmp_path / "a.html").read_bytes()


def test_empty_records_still_render(tmp_path):
    html = write_dashboard(compute_records(), tmp_path / "empty.html").read_text(encoding="utf-8")
    assert "在籍者: 0 人" in html and _data(html)["staff"] == 0 and "AIゲートウェイの利用記録がありません" in html


def test_cli_dashboard(records, tmp_path):
    from aidojo.cli import app

    res = CliRunner().invoke(app, ["records", "dashboard", "--out", str(tmp_path / "r.html")])
    assert res.exit_code == 0, res.output
    res = CliRunner().invoke(app, ["records", "dashboard", "--out", str(tmp_path / "r.html"), "--as-of", "2026-07-31"])
    assert res.exit_code == 0, res.output
    assert "2026年度（令和8年度）、2026-07-31 時点" in res.output and "AI利用率 40.0%（目標 90%）" in res.output
    assert "基礎コース修了率 60.0%（目標 90%）" in res.output and (tmp_path / "r.html").exists()


def test_a_report_across_fiscal_years_marks_the_boundary_and_names_each_year(records, tmp_path):
    later = compute_records(as_of="2027-05-31")
    k = compute_kpis(later)
    assert [m.month for m in k.months][0] == "2026-04" and k.months[-1].month == "2027-05"
    assert [(y.fiscal_year, y.day, y.headcount) for y in k.years] == [(2026, "2027-03-31", 10), (2027, "2027-05-31", 10)]
    assert k.fiscal_year == 2027 and k.users == 0  # nobody used the gateway in FY2027 yet
    html = render_dashboard(later, k)
    assert "2027年度（令和9年度） 修了・利用状況ダッシュボード" in html
    assert html.count('class="fy-boundary"') == 1 and '<tr class="fy-start"><td>2027-04</td>' in html
    from aidojo.cli import app

    res = CliRunner().invoke(app, ["records", "dashboard", "--out", str(tmp_path / "fy.html"), "--fiscal-year", "2025"])
    assert res.exit_code == 0 and "2025年度（令和7年度）、2026-03-31 時点" in res.output, res.output
    res = CliRunner().invoke(app, ["records", "dashboard", "--out", str(tmp_path / "x.html"), "--fiscal-year", "2025",
                                   "--as-of", "2026-04-01"])
    assert res.exit_code == 1 and "基準日 2026-04-01 は 2025年度（令和7年度）（2025-04-01〜2026-03-31）に入っていません" in res.output
