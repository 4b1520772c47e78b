"""HR records used as a city HR office would: cp932 exports from Excel, an xlsx with a merged title row and ids in
a 000000 number format, the re-import after the April transfers, ids that lost their leading zeros, a mistyped
基準日, files with the wrong name or encoding, real 役職 titles — and passes that a worse resubmission cannot take."""

from __future__ import annotations

import csv
import os
import stat
from dataclasses import replace
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from aidojo.cli import app
from aidojo.course.attempts import Attempt, load_attempts, passes, record_attempt, summarise
from aidojo.course.config import Track, course_data_dir, load_course
from aidojo.records import compute_records, export_records, import_roster, load_roster, undo_last_import
from aidojo.records.audit import audit_path, read_audit
from aidojo.records.roles import RoleMap, load_roles
from aidojo.records.roster_file import RosterError, read_roster
from aidojo.text.staff_id import StaffIdError, leading_zero_clashes, staff_id_from_cell

REPO = Path(__file__).resolve().parents[1]
HR = REPO / "tests" / "fixtures" / "roster" / "hr"
ROSTER_2026 = HR / "職員名簿_2026年4月_cp932.csv"
ROSTER_2027 = HR / "職員名簿_2027年4月_cp932.csv"
runner = CliRunner()


def attempt(sid, module, score, max_score, submitted, fingerprint, graded=None):
    course = load_course()
    return Attempt(sid, module, score, max_score, course.passed(score, max_score), graded or f"{submitted}Z",
                   f"{submitted}+00:00", fingerprint)


# --- passes are monotone ------------------------------------------------------------------------------------------

def test_a_worse_attempt_never_takes_a_pass_away_in_the_ledger():
    data = course_data_dir()
    record_attempt(data, attempt("001201", "m01", 8, 8, "2026-05-10T01:00:00", "aaa"))
    record_attempt(data, attempt("001201", "m01", 6, 8, "2026-05-20T01:00:00", "bbb"))  # the broken resubmission
    record_attempt(data, attempt("001201", "m01", 6, 8, "2026-05-20T01:00:00", "bbb", "2026-05-21T00:00:00Z"))  # regraded
    record_attempt(data, attempt("001202", "m01", 6, 8, "2026-05-10T01:00:00", "ccc"))
    h = summarise(load_attempts(data))[("001201", "m01")]
    assert (h.passed, h.best_score, h.attempts) == (True, 8, 2)  # a regrade of the same files is not an attempt
    assert h.first_pass.isoformat() == "2026-05-10T01:00:00+00:00"
    assert passes(load_attempts(data)) == {("001201", "m01")}
    # a trainer's correction of the same files (same fingerprint) replaces that attempt's score
    record_attempt(data, attempt("001202", "m01", 7, 8, "2026-05-10T01:00:00", "ccc", "2026-06-01T00:00:00Z"))
    assert summarise(load_attempts(data))[("001202", "m01")].passed
    assert oct(stat.S_IMODE((data / "records" / "attempts.jsonl").stat().st_mode)) == "0o600"


def test_records_keep_the_pass_attempts_best_score_and_first_pass_date():
    import_roster(ROSTER_2026, as_of="2026-04-01")
    data = course_data_dir()
    record_attempt(data, attempt("001201", "m01", 8, 8, "2026-05-10T01:00:00", "a1"))
    record_attempt(data, attempt("001201", "m01", 6, 8, "2026-06-01T01:00:00", "a2"))
    m01 = compute_records().get("001201").modules["m01"]
    assert (m01.state_ja, m01.best_score, m01.attempts) == ("合格", 8, 2)
    assert m01.first_pass.isoformat() == "2026-05-10T10:00:00+09:00"
    path = export_records(compute_records(), data.parent / "out.csv", "csv")
    with open(path, encoding="utf-8-sig", newline="") as fh:
        row = next(r for r in csv.DictReader(fh) if r["職員番号"] == "001201")
    assert (row["m01 判定"], row["m01 最高点（8点満点）"], row["m01 提出回数"], row["m01 合格日"]) == ("合格", "8", "2", "2026-05-10")
    # as it stood before the first attempt: nothing yet
    assert compute_records(as_of="2026-05-09").get("001201").modules["m01"].state_ja == "未提出"


def test_the_sql_reading_of_the_gradebook_equals_nbgraders_own():
    from nbgrader.api import Gradebook

    from aidojo.records.gradebook import read_gradebook
    from aidojo.records.synthetic import bulk_gradebook, module_layout, synthetic_roster

    url = f"sqlite:///{course_data_dir() / 'gradebook.db'}"
    course_data_dir().mkdir(parents=True, exist_ok=True)
    modules = ["m01", "m02", "m03"]
    bulk_gradebook(url, synthetic_roster(40, sections=5), module_layout(modules, cells=3, points=3.0))
    with Gradebook(url, course_id="aidojo") as gb:
        gb.find_grade("m01_q1", "m01", "m01", gb.submission_dicts("m01")[0]["student"]).manual_score = 0.5
        gb.db.commit()
        theirs = {(d["student"], a): d["score"] for a in modules for d in gb.submission_dicts(a)}
        max_theirs = {a.name: a.max_score for a in gb.assignments}
    data = read_gradebook(url, modules)
    assert {(s.staff_id, s.module): s.score for s in data.attempts} == theirs and len(theirs) > 40
    assert data.max_scores == max_theirs == {"m01": 9.0, "m02": 9.0, "m03": 9.0}


# --- one rule for 職員番号 -------------------------------------------------------------------------------------------

def test_staff_ids_from_excel_cells_keep_their_zeros():
    assert staff_id_from_cell(1201, "000000") == "001201"
    assert staff_id_from_cell(123.0, '"K"00000') == "K00123"
    assert staff_id_from_cell("　００１２０１ ", None) == "001201"  # full-width, spaces
    assert staff_id_from_cell(1201, "General") == "1201"
    with pytest.raises(StaffIdError, match="整数ではありません"):
        staff_id_from_cell(12.5, "0.0")
    with pytest.raises(StaffIdError, match="使えません"):
        staff_id_from_cell("k.12345", None)  # what `aidojo submit` refuses, the roster refuses too
    assert leading_zero_clashes(["1204", "001213"], ["001204", "001213"]) == [("1204", "001204")]


def test_an_xlsx_with_a_merged_title_row_a_cover_sheet_and_number_formatted_ids():
    rows, read_as = read_roster(HR / "職員名簿_2026年4月.xlsx")
    assert read_as == "Excel（シート「職員名簿」）"
    assert [r.staff_id for r in rows][:3] == ["001201", "001202", "001203"]
    assert [(r.staff_id, r.name, r.title, r.role) for r in rows] == [
        (r.staff_id, r.name, r.title, r.role) for r in read_roster(ROSTER_2026)[0]]


def test_ids_that_lost_their_leading_zeros_are_refused_by_name():
    import_roster(ROSTER_2026, as_of="2026-04-01")
    with pytest.raises(RosterError) as info:
        import_roster(HR / "職員名簿_2027年4月_先頭の0が消えた.csv", as_of="2027-04-01")
    text = str(info.value)
    assert "職員番号「1204」は登録済みの「001204」（鈴木 美咲）と先頭の0だけが違います" in text
    assert "職員番号「1212」は登録済みの「001212」（山田 千尋）と先頭の0だけが違います" in text
    assert load_roster().last_import == "2026-04-01" and len(load_roster().active()) == 12


# --- after the April transfers: dry run, import, undo ------------------------------------------------------------

def test_dry_run_then_import_then_undo_after_the_april_transfers():
    import_roster(ROSTER_2026, as_of="2026-04-01")
    res = runner.invoke(app, ["roster", "import", str(ROSTER_2027), "--as-of", "2027-04-01", "--dry-run"])
    assert res.exit_code == 0, res.output
    out = res.output
    assert "【確認のみ・何も変更していません】" in out and "新規 1、異動 1、氏名・役職の変更 1、退職 1" in out
    assert "001203 佐藤 健 総務局 行政部 人事課 → 市民局 市民生活部 市民課" in out
    assert "001204 小松 美咲 氏名 鈴木 美咲 → 小松 美咲" in out
    assert "■ 退職 1 人\n  001207 伊藤 翔" in out and "■ 新規 1 人\n  001213 森 蓮" in out
    assert load_roster().last_import == "2026-04-01"
    assert [e.action for e in read_audit()[0]] == ["roster.import"]  # a dry run writes nothing, not even the log

    result = import_roster(ROSTER_2027, as_of="2027-04-01")
    assert load_roster().people["001203"].title == "課長補佐"
    assert result.transferred == ["001203"] and result.left == ["001207"]
    res = runner.invoke(app, ["roster", "undo", "--yes"])
    assert res.exit_code == 0, res.output
    assert "職員名簿_2027年4月_cp932.csv（基準日 2027-04-01" in res.output and "基準日 2026-04-01 の状態に戻りました" in res.output
    roster = load_roster()
    assert roster.last_import == "2026-04-01" and roster.people["001203"].section == "人事課"
    assert roster.people["001207"].status == "在籍" and "001213" not in roster.people
    # and the corrected import goes in again
    assert import_roster(ROSTER_2027, as_of="2027-04-01").transferred == ["001203"]
    assert [e.action for e in read_audit()[0]] == ["roster.import", "roster.import", "roster.undo", "roster.import"]


def test_an_implausible_effective_date_is_refused_with_the_reason(tmp_path):
    import_roster(ROSTER_2026, as_of="2026-04-01")
    with pytest.raises(RosterError, match="基準日 2207-04-01 は先すぎます。基準日は来年度末"):
        import_roster(ROSTER_2027, as_of="2207-04-01", today=date(2026, 11, 30))
    with pytest.raises(RosterError, match="前回の取り込みの基準日 2026-04-01 より前です"):
        import_roster(ROSTER_2027, as_of="2026-03-31")
    assert import_roster(ROSTER_2027, as_of="2027-04-01", today=date(2026, 11, 30)).transferred == ["001203"]


def test_every_problem_can_be_written_to_a_file(tmp_path):
    bad = tmp_path / "名簿.csv"
    lines = ["職員番号,氏名,所属局,所属部,所属課,役職"] + [f"k{i},,総務局,,人事課,主事" for i in range(45)]
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = runner.invoke(app, ["roster", "import", str(bad), "--errors", str(tmp_path / "errors.csv")])
    assert res.exit_code == 1 and "ほか 15 件（全件は --errors FILE で書き出せます）" in res.output
    with open(tmp_path / "errors.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 45 and rows[0] == {"ファイル": "名簿.csv", "行": "2", "列": "氏名", "内容": "氏名が空です。"}


# --- files recognised by content, honest encodings, kana ------------------------------------------------------------

@pytest.mark.parametrize("name", ["職員名簿_xlsxなのに.csv", "職員名簿_拡張子なし"])
def test_an_xlsx_is_an_xlsx_whatever_its_name(name):
    rows, read_as = read_roster(HR / name)
    assert read_as.startswith("Excel") and rows[0].staff_id == "001201"


def test_encodings_are_detected_honestly_and_half_width_kana_normalised():
    rows, read_as = read_roster(HR / "roster_eucjp.csv")
    assert read_as == "EUC-JP" and rows[0].name == "佐藤 健" and rows[0].section == "人事課"
    with pytest.raises(RosterError, match="文字コードを判別できません。Shift_JIS として読むと「ﾟ」のような不自然な半角カナ"):
        read_roster(HR / "roster_latin1.csv")
    rows, _ = read_roster(ROSTER_2026)
    by_id = {r.staff_id: r for r in rows}
    assert by_id["001206"].name == "ワタナベ サクラ"  # ﾜﾀﾅﾍﾞ ｻｸﾗ from an old system
    assert by_id["001202"].name == "山﨑 花子"  # a full-width space becomes one half-width space; 﨑 stays


# --- roles and tracks ----------------------------------------------------------------------------------------------

def test_real_titles_map_to_role_classes_and_unknown_ones_are_listed_together():
    rows, _ = read_roster(ROSTER_2026)
    roles = {r.title: r.role for r in rows}
    assert roles == {"課長": "幹部", "主事": "一般", "係長": "一般", "主任": "一般", "部長": "幹部", "保健師": "一般",
                     "技師": "一般", "会計年度任用職員": "一般", "局長": "幹部", "主査": "一般", "主事(再任用)": "一般",
                     "市民課長": "幹部"}
    with pytest.raises(RosterError) as info:
        read_roster(HR / "職員名簿_未登録の役職.csv")
    assert info.value.problems == [
        "職員名簿_未登録の役職.csv: 役職区分（幹部・一般）が決まらない役職が 2 種類（3 人）あります: 「統括官」（2 人: 3, 5 行目）、"
        "「専門員」（1 人: 4 行目）。grader/course.toml の [roles.titles] に追加するか、役職区分の列を加えてください。"]
    assert load_roles().classify("健康福祉局長") == "幹部" and load_roles().classify("主任主事") == "一般"


def test_a_payroll_export_with_both_title_and_class_uses_both(tmp_path):
    """役職 is kept for reports, 役職区分 is the class; where they disagree with [roles], one note lists the rows."""
    export = HR / "職員名簿_人事給与システム_cp932.csv"
    notes: list[str] = []
    rows, read_as = read_roster(export, notes=notes)
    by_id = {r.staff_id: (r.title, r.role) for r in rows}
    assert read_as == "Shift_JIS（cp932）" and len(rows) == 9
    assert by_id["001201"] == ("課長", "幹部") and by_id["001208"] == ("会計年度任用職員", "一般")
    assert by_id["001210"] == by_id["001214"] == ("課長補佐", "幹部")  # the city's own 役職区分 wins
    assert by_id["001215"] == ("主任主事", "一般")  # 役職区分 left empty: from the title
    assert notes == ["職員名簿_人事給与システム_cp932.csv: 役職区分の列と、役職から [roles] の対応表で決まる区分が違う行が 2 行"
                     "あります。役職区分の列のとおりに取り込みました: 「課長補佐」を幹部としている 7, 9 行目（対応表では一般）。"
                     "役職区分の列が誤りなら名簿を直して取り込み直し、対応表が実情と違うなら grader/course.toml の "
                     "[roles.titles] を直してください。"]
    res = runner.invoke(app, ["roster", "import", str(export), "--as-of", "2026-04-01"])
    assert res.exit_code == 0, res.output
    assert res.output.count("注意:") == 1 and "7, 9 行目" in res.output
    _complete_basic("001214", "2026-06-01")
    breakdown = [(r.role, r.title, r.staff, r.completed["basic"]) for r in compute_records().by_role()]
    assert ("幹部", "課長補佐", 2, 1) in breakdown and ("一般", "会計年度任用職員", 1, 0) in breakdown
    assert compute_records().get("001210").tracks["executive"].eligible  # the executive track is open to them


def test_a_title_only_roster_maps_every_title_through_roles():
    """The workshop's file: 役職 only (課長, 係長, 主事, 会計年度任用職員 …) — nothing refused, classes from [roles]."""
    res = runner.invoke(app, ["roster", "import", str(ROSTER_2026), "--as-of", "2026-04-01", "--dry-run"])
    assert res.exit_code == 0, res.output
    assert "001201 髙橋 一郎 総務局 デジタル戦略部 DX・AI推進課 課長（幹部）" in res.output
    assert "001208 中村 由美 会計室 会計課 会計年度任用職員（一般）" in res.output and "注意:" not in res.output


def _roster_with(tmp_path, header: list[str], values: list[list[str]]) -> Path:
    base = [["001201", "髙橋 一郎", "総務局", "行政部", "人事課"], ["001202", "山﨑 花子", "総務局", "行政部", "人事課"]]
    path = tmp_path / "名簿.csv"
    lines = [",".join(["職員番号", "氏名", "所属局", "所属部", "所属課", *header])]
    lines += [",".join(b + v) for b, v in zip(base, values)]
    path.write_text("\n".join(lines) + "\n", encoding="cp932")
    return path


@pytest.mark.parametrize("header, values, expected, note", [
    (["職名"], [["課長"], ["主事"]], [("課長", "幹部"), ("主事", "一般")], None),
    (["職位"], [["部長"], ["主査"]], [("部長", "幹部"), ("主査", "一般")], None),
    (["役職名"], [["担当課長"], ["会計年度任用職員"]], [("担当課長", "幹部"), ("会計年度任用職員", "一般")], None),
    (["職階"], [["課長級"], ["係長級"]], [("課長級", "幹部"), ("係長級", "一般")], None),
    (["区分"], [["幹部"], ["一般"]], [("幹部", "幹部"), ("一般", "一般")], None),
    (["役職区分"], [["管理職"], ["一般"]], [("管理職", "幹部"), ("一般", "一般")], None),
    (["職名", "職階"], [["参事", "課長級"], ["主事", "主事級"]], [("参事", "幹部"), ("主事", "一般")],
     "7 列目「職階」は使いません（役職は 6 列目「職名」を使います）"),
    (["職名", "役職"], [["事務吏員", "課長"], ["事務吏員", "主事"]], [("課長", "幹部"), ("主事", "一般")],
     "6 列目「職名」は使いません（役職は 7 列目「役職」を使います）"),
    (["役職", "区分", "役職区分"], [["課長", "正規", "幹部"], ["主事", "正規", "一般"]], [("課長", "幹部"), ("主事", "一般")],
     "7 列目「区分」は使いません（役職区分は 8 列目「役職区分」を使います）"),
    (["役職", "区分"], [["課長", "正規"], ["会計年度任用職員", "会計年度任用"]],
     [("課長", "幹部"), ("会計年度任用職員", "一般")], "7 列目「区分」には 幹部・一般 の値がないため、役職区分としては使わず"),
], ids=lambda v: "+".join(v) if isinstance(v, list) and v and isinstance(v[0], str) else "")
def test_headers_hr_systems_really_use(tmp_path, header, values, expected, note):
    notes: list[str] = []
    rows, _ = read_roster(_roster_with(tmp_path, header, values), notes=notes)
    assert [(r.title, r.role) for r in rows] == expected
    assert (note is None and not notes) or (note is not None and len(notes) == 1 and note in notes[0]), notes


@pytest.mark.parametrize("headers", [
    ["職員ID", "漢字氏名", "局名", "部", "課", "職", "区分"],
    ["職員コード", "職員氏名", "局", "部名", "課名", "役職名", "役職区分"],
    ["職員No", "名前", "所属局", "所属部", "所属", "職位"],
    ["ID", "氏名", "局", "部", "所属課", "職階"],
], ids=["ID・漢字氏名・局名・職・区分", "コード・役職名", "No・所属", "ID・職階"])
def test_every_header_name_the_guide_lists_is_read(headers):
    from aidojo.records.roster_columns import map_columns

    mapped = map_columns(headers)
    assert not mapped.problems and not mapped.notes
    keys = ["staff_id", "name", "bureau", "division", "section", "title", "role"][:len(headers)]
    assert [mapped.columns[k] for k in keys] == list(range(len(headers)))


@pytest.mark.parametrize("header, values, says", [
    (["職名", "職位"], [["課長", "課長"], ["主事", "主事"]],
     "1 行目（見出し）: 「役職」として読める列が 2 つあります（6 列目「職名」、7 列目「職位」）。どちらを使うか決められません。"
     "役職として使う列の見出しを「役職」に変えてください"),
    (["役職", "役職"], [["課長", "局長"], ["主事", "主事"]],
     "1 行目（見出し）: 見出しが「役職」の列が 2 つあります（6 列目「役職」、7 列目「役職」）。どちらを使うか決められません。"
     "使わない列の見出しを「役職（旧）」のように変えるか、列を削除してください。"),
    (["役職", "役職区分"], [["課長", "正規"], ["主事", "一般"]],
     "役職区分の列（7 列目「役職区分」）に 幹部・一般 のどれでもない値が 1 種類（1 人）あります: 「正規」（1 人: 2 行目）。"
     "値を 幹部・一般 のどれかにするか、空欄にしてください"),
    (["役職", "区分"], [["課長", "正規"], ["主事", "一般"]], "見出しを「区分」以外（例:「雇用区分」）に変えてください"),
    (["所属", "課名"], [["人事課", "人事課"], ["人事課", "人事課"]], None),  # tiers: 課名 before 所属, no problem
], ids=lambda v: "+".join(v) if isinstance(v, list) and v and isinstance(v[0], str) else "")
def test_ambiguous_headers_say_which_column_to_rename_and_to_what(tmp_path, header, values, says):
    path = _roster_with(tmp_path, header + ([] if "役職" in header or "職名" in header else ["役職"]),
                        [v + ([] if "役職" in header or "職名" in header else ["主事"]) for v in values])
    if says is None:
        assert len(read_roster(path)[0]) == 2
        return
    with pytest.raises(RosterError) as info:
        read_roster(path)
    assert says in str(info.value), str(info.value)


def test_a_track_counts_only_its_own_modules_and_the_role_classes_it_names():
    import_roster(ROSTER_2026, as_of="2026-04-01")
    course = load_course()
    tracks = {"exec": Track("exec", "幹部向けコース", ("m01",)), "basic": Track("basic", "基礎コース", ("m01", "m02", "m03"))}
    course = replace(course, tracks=tracks)
    roles = RoleMap(load_roles().classes, load_roles().titles, {"exec": ("幹部",)})
    for sid in ("001201", "001202"):  # a 課長 and a 主事 pass m01–m03
        for i, m in enumerate(("m01", "m02", "m03")):
            record_attempt(course_data_dir(), attempt(sid, m, 20, 20, f"2026-05-1{i}T01:00:00", f"{sid}{m}"))
    records = compute_records(course=course, roles=roles)
    chief, clerk = records.get("001201"), records.get("001202")
    assert chief.tracks["exec"].completed and chief.tracks["basic"].completed
    assert not clerk.tracks["exec"].completed and clerk.tracks["exec"].state_ja == "対象外"
    assert clerk.tracks["basic"].completed
    assert "001202" not in {e.person.staff_id for e in records.not_completed("exec")}
    assert [p.staff_id for p in records.completers("exec")] == ["001201"]


# --- reports HR files ----------------------------------------------------------------------------------------------

def _complete_basic(sid: str, day: str) -> None:
    for i, m in enumerate(("m01", "m02", "m03")):
        record_attempt(course_data_dir(), attempt(sid, m, 20, 20, f"{day}T0{i}:00:00", f"{sid}{m}"))


def test_fiscal_year_reports_use_the_roster_as_it_stood_then(tmp_path):
    import_roster(ROSTER_2026, as_of="2026-04-01")
    _complete_basic("001203", "2026-06-01")  # completes in 人事課, then moves to 市民課 in April 2027
    _complete_basic("001207", "2026-07-01")  # completes, then retires
    import_roster(ROSTER_2027, as_of="2027-04-01", today=date(2027, 4, 1))
    fy2026 = compute_records(fiscal=2026, today=date(2027, 6, 1))
    assert fy2026.as_of == date(2027, 3, 31)
    rows = {(s.level, s.section): s for s in fy2026.summary()}
    assert rows[("課", "人事課")].staff == 3 and rows[("課", "人事課")].completed["basic"] == 1
    assert fy2026.get("001207").status == "在籍"
    now = compute_records(today=date(2027, 6, 1))
    rows = {(s.level, s.section): s for s in now.summary()}
    assert rows[("課", "人事課")].completed["basic"] == 0 and rows[("課", "市民課")].completed["basic"] == 1
    assert now.get("001207").status == "退職"
    # history: one row per person × course, 所属 at completion, cp932 for the 人事給与 system
    path = export_records(now, tmp_path / "研修履歴.csv", "csv", table="history", encoding="cp932", fiscal=2026)
    text = path.read_bytes().decode("cp932")
    assert text.startswith("職員番号,氏名,所属局,所属部,所属課,役職,研修コード,研修名,受講開始日,修了日,修了区分")
    line = next(ln for ln in text.splitlines() if ln.startswith("001203") and "aidojo-basic" in ln)
    assert ",総務局,行政部,人事課,係長," in line and ",2026-06-01,2026-06-01,修了,3/3,2026," in line
    assert not export_records(now, tmp_path / "h27.csv", "csv", table="history", fiscal=2027).read_text(
        encoding="utf-8-sig").count("\n") > 1  # nothing completed in FY2027


def test_the_executive_briefing_shows_on_its_own_and_does_not_cover_a_section(tmp_path):
    """The trial: an e01 completion made 戸籍住民課 (0 basic, 0 builder completers) count as 「課（修了者あり）」 while the
    executive track appeared nowhere. A 課 is covered by a basic or builder completer (staff who use AI in the 課's
    work); executive completions are shown against the 幹部 they are for, on the dashboard and in 課別集計."""
    from aidojo.records import compute_kpis, write_dashboard

    import_roster(ROSTER_2026, as_of="2026-04-01")
    _complete_executive("001205", "2026-06-10T01:00:00")  # 部長, 戸籍住民課: the executive session only
    _complete_executive("001201", "2026-06-11T01:00:00")  # 課長, DX・AI推進課
    _complete_basic("001202", "2026-06-12")  # 主事, DX・AI推進課
    records = compute_records()
    k = compute_kpis(records)
    assert (k.sections, k.sections_covered, k.basic_completed) == (8, 1, 1)
    executive = next(t for t in k.tracks if t.track == "executive")
    assert (executive.completed, executive.eligible, executive.counts_for_coverage) == (2, 4, False)  # 4 幹部
    summary = {(s.level, s.section): s for s in records.summary()}
    koseki = summary[("課", "戸籍住民課")]
    assert (koseki.sections_covered, koseki.completed["executive"], koseki.eligible["executive"]) == (0, 1, 1)
    assert koseki.rate("executive") == 1.0 and summary[("合計", "8 課")].sections_covered == k.sections_covered
    by_role = {(r.role, r.title): r for r in records.by_role()}
    assert by_role[("幹部", "部長")].rate("executive") == 1.0 and by_role[("一般", "主事")].rate("executive") is None
    html = write_dashboard(records, tmp_path / "kpi.html").read_text(encoding="utf-8")
    card = html[html.index('id="kpi-track-executive"'):]
    assert "幹部向けコース（ノーコード・90分） 修了者" in card and "2 人" in card and "対象者（役職区分 幹部） 4 人の 50.0%" in card
    assert "1 / 8 課" in html and "戸籍住民課" in html[html.index('id="uncovered"'):]
    bureaus = html[html.index('id="bureaus"'):html.index('id="uncovered"')]
    assert "幹部向けコース（ノーコード・90分） 修了者 / 対象者" in bureaus and "<td class=\"num\">1 / 2</td>" in bureaus
    path = export_records(records, tmp_path / "課別.xlsx", table="summary")
    sheet = openpyxl.load_workbook(path)["課別集計"]
    header = [c.value for c in sheet[2]]
    row = next(r for r in sheet.iter_rows(min_row=3, values_only=True) if r[3] == "戸籍住民課")
    cell = dict(zip(header, row))
    assert cell["幹部向けコース（ノーコード・90分） 対象者数（幹部）"] == 1 and cell["幹部向けコース（ノーコード・90分） 修了率"] == 1
    assert cell["修了者のいる課（基礎コース・AI人材（ビルダー）コース）"] == "0/1" and cell["基礎コース 修了者数"] == 0
    # a city that does count its executives: [kpi] section_tracks
    toml = tmp_path / "course.toml"
    toml.write_text((REPO / "grader" / "course.toml").read_text(encoding="utf-8").replace(
        "[kpi]\n", '[kpi]\nsection_tracks = ["basic", "builder", "executive"]\n'), encoding="utf-8")
    from aidojo.records.kpi import load_kpi

    counted = replace(records, coverage_tracks=load_kpi(toml).coverage_tracks)
    assert compute_kpis(counted).sections_covered == 2 and counted.summary()[-1].sections_covered == 2


def test_cp932_exports_mark_characters_shift_jis_lacks(tmp_path):
    roster = tmp_path / "r.csv"
    roster.write_text("職員番号,氏名,所属局,所属部,所属課,役職\n001301,𠮷田 太郎,総務局,行政部,人事課,主事\n"
                      "001302,森 〜,総務局,行政部,人事課,主事\n", encoding="utf-8")
    import_roster(roster, as_of="2026-04-01")
    replaced: list[str] = []
    path = export_records(compute_records(), tmp_path / "o.csv", "csv", encoding="cp932", replaced=replaced)
    text = path.read_bytes().decode("cp932")
    assert "〓田 太郎" in text and "森 ～" in text  # 〜 (JIS) becomes ～ (Windows) instead of 〓
    assert replaced == ["2 行目（001301）: 「𠮷」を 〓 にしました"]


def test_columns_leave_scores_or_names_out(tmp_path):
    import_roster(ROSTER_2026, as_of="2026-04-01")
    path = export_records(compute_records(), tmp_path / "o.xlsx", columns="-scores,-name")
    header = [c.value for c in openpyxl.load_workbook(path)["一覧"][2]]
    assert "氏名" not in header and not any("最高点" in h for h in header) and "m01 判定" in header
    header = [c.value for c in openpyxl.load_workbook(path)["未修了者"][2]]
    assert "氏名" not in header
    path = export_records(compute_records(), tmp_path / "few.csv", "csv", columns="id,org,tracks")
    with open(path, encoding="utf-8-sig", newline="") as fh:
        header = next(csv.reader(fh))
    assert header[:4] == ["職員番号", "所属局", "所属部", "所属課"] and "氏名" not in header and "基礎コース 修了" in header
    res = runner.invoke(app, ["records", "export", "--out", str(tmp_path / "x.csv"), "--columns", "-id"])
    assert res.exit_code == 1 and "職員番号（id）は外せません" in res.output
    res = runner.invoke(app, ["records", "export", "--out", str(tmp_path / "x.csv"), "--columns", "bogus"])
    assert res.exit_code == 1 and "--columns の「bogus」はありません" in res.output


def test_role_breakdown(tmp_path):
    import_roster(ROSTER_2026, as_of="2026-04-01")
    _complete_basic("001201", "2026-06-01")
    rows = [(r.role, r.title, r.staff, r.completed["basic"]) for r in compute_records().by_role()]
    assert ("幹部", "課長", 1, 1) in rows and ("一般", "主事", 1, 0) in rows
    assert {r[0] for r in rows[:4]} == {"幹部"}  # 幹部 first


# --- certificates ---------------------------------------------------------------------------------------------------

def test_certificates_embed_their_font_show_the_department_at_completion_and_verify(tmp_path):
    import shutil
    import subprocess

    from tests.conftest import require

    import_roster(ROSTER_2026, as_of="2026-04-01")
    _complete_basic("001203", "2026-06-01")
    _complete_basic("001204", "2026-06-02")
    import_roster(ROSTER_2027, as_of="2027-04-01", today=date(2027, 4, 1))  # 001203 moved; 001204 changed her name
    res = runner.invoke(app, ["records", "certificates", "--track", "basic", "--out", str(tmp_path / "c")])
    assert res.exit_code == 0, res.output
    pdfs = sorted((tmp_path / "c").glob("AID-*.pdf"))
    assert [p.name for p in pdfs] == ["AID-basic-2026-00001_001203.pdf", "AID-basic-2026-00002_001204.pdf"]
    from pypdf import PdfReader

    text = PdfReader(pdfs[0]).pages[0].extract_text()
    assert "総務局 行政部 人事課" in text and "照合コード" in text  # where he was when he completed
    assert "鈴木 美咲" in PdfReader(pdfs[1]).pages[0].extract_text()  # her name then
    assert sorted(p.name for p in (tmp_path / "c" / "課別").iterdir()) == ["市民局_市民生活部_市民課.pdf"]
    assert len(PdfReader(tmp_path / "c" / "課別" / "市民局_市民生活部_市民課.pdf").pages) == 2
    require(shutil.which("pdffonts") is not None, "pdffonts (Debian poppler-utils) not installed")
    for pdf in (pdfs[0], tmp_path / "c" / "課別" / "市民局_市民生活部_市民課.pdf"):
        lines = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
        assert lines and all(line.split()[-5] == "yes" for line in lines), lines  # every font embedded

    ok = runner.invoke(app, ["records", "verify", str(pdfs[0])])
    assert ok.exit_code == 0 and "本物です" in ok.output and "総務局 行政部 人事課" in ok.output
    code = ok.output.split("照合コード ")[1].split()[0]
    assert runner.invoke(app, ["records", "verify", "AID-basic-2026-00001", "--code", code]).exit_code == 0
    wrong = runner.invoke(app, ["records", "verify", "AID-basic-2026-00001", "--code", "AAAA-BBBB-CCCC"])
    assert wrong.exit_code == 1 and "照合コード AAAA-BBBB-CCCC は発行記録" in wrong.output
    assert "発行の記録にありません" in runner.invoke(app, ["records", "verify", "AID-basic-2026-09999"]).output
    from aidojo.records.certificates import Certificate, _render

    issued = verify_certificate_number("AID-basic-2026-00001")
    forged = tmp_path / "forged.pdf"  # same number and code, another name printed on it
    forged.write_bytes(_render([Certificate(**{**issued.__dict__, "name": "山田 太郎"})], "AI道場 生成AI活用研修", 3, "AI道場"))
    res = runner.invoke(app, ["records", "verify", str(forged)])
    assert res.exit_code == 1 and "PDF の氏名が発行記録の氏名（佐藤 健）と違います" in res.output

    import sqlite3

    from aidojo.records.store import store_path

    with sqlite3.connect(store_path()) as conn:  # someone edits the issued record
        conn.execute("UPDATE certificates SET section = '市民課' WHERE number = 'AID-basic-2026-00001'")
    bad = runner.invoke(app, ["records", "verify", "AID-basic-2026-00001"])
    assert bad.exit_code == 1 and "記録が書き換えられた可能性" in bad.output


def _complete_executive(sid: str, utc: str) -> None:
    record_attempt(course_data_dir(), attempt(sid, "e01", 12, 12, utc, f"{sid}e01{utc}"))


def test_same_day_completers_are_numbered_by_staff_id_and_issued_numbers_stay(tmp_path):
    """The trial: AID-executive-2026-00001 went to the later id because its submission was graded first. On one JST
    day the order is 職員番号; a number once issued never moves, a later completer gets the next one."""
    import_roster(ROSTER_2026, as_of="2026-04-01")
    _complete_executive("001212", "2026-06-10T01:00:00")  # 10:00 JST
    _complete_executive("001209", "2026-06-09T23:30:00")  # 08:30 JST on the 10th: the same JST day
    _complete_executive("001205", "2026-06-10T05:00:00")  # 14:00 JST
    numbers = {p.staff_id: p.tracks["executive"].certificate for p in compute_records().completers("executive")}
    assert numbers == {"001205": "AID-executive-2026-00001", "001209": "AID-executive-2026-00002",
                       "001212": "AID-executive-2026-00003"}
    res = runner.invoke(app, ["records", "certificates", "--track", "executive", "--out", str(tmp_path / "c")])
    assert res.exit_code == 0, res.output
    with open(tmp_path / "c" / "修了証一覧.csv", encoding="utf-8-sig", newline="") as fh:
        assert [(r["修了証番号"][-5:], r["職員番号"]) for r in csv.DictReader(fh)] == [
            ("00001", "001205"), ("00002", "001209"), ("00003", "001212")]
    _complete_executive("001201", "2026-06-10T08:00:00")  # the lowest id, the same day, after the issue
    after = {p.staff_id: p.tracks["executive"].certificate for p in compute_records().completers("executive")}
    assert after == numbers | {"001201": "AID-executive-2026-00004"}


def verify_certificate_number(number: str):
    from aidojo.records.certificates import verify_certificate

    return verify_certificate(number).certificate


# --- audit and privacy -----------------------------------------------------------------------------------------------

def test_audit_log_says_who_did_what_and_notices_tampering(tmp_path, monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_USER", "jinji01")
    import_roster(ROSTER_2026, as_of="2026-04-01")
    export_records(compute_records(), tmp_path / "o.xlsx")
    res = runner.invoke(app, ["records", "audit"])
    assert res.exit_code == 0 and "hub:jinji01" in res.output and "roster.import" in res.output
    assert "records.export" in res.output and "rows=" in res.output and "記録のつながり（ハッシュ）は正常です" in res.output
    entries, broken = read_audit()
    assert broken is None and entries[0].details["added"] == 12 and "鈴木" not in audit_path().read_text(encoding="utf-8")
    for path in (audit_path(), course_data_dir() / "records.db", tmp_path / "o.xlsx"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    lines = audit_path().read_text(encoding="utf-8").splitlines()
    audit_path().write_text("\n".join([lines[0].replace("jinji01", "someone"), *lines[1:]]) + "\n", encoding="utf-8")
    res = runner.invoke(app, ["records", "audit"])
    assert res.exit_code == 1 and "2 行目以降が書き換えられたか" in res.output
    assert os.environ["JUPYTERHUB_USER"] == "jinji01"


# --- a city: 10,000 staff ---------------------------------------------------------------------------------------------

@pytest.mark.slow
def test_ten_thousand_staff_re_import_after_april_with_two_lost_zeros(tmp_path):
    from aidojo.records.synthetic import synthetic_roster, write_roster_csv

    staff = [replace(r, staff_id=f"0{r.staff_id}") for r in synthetic_roster(10_000)]
    write_roster_csv(staff, tmp_path / "2026.csv", encoding="cp932")
    assert len(import_roster(tmp_path / "2026.csv", as_of="2026-04-01").added) == 10_000
    april = [replace(r, section=staff[(i + 7) % len(staff)].section, bureau=staff[(i + 7) % len(staff)].bureau,
                     division=staff[(i + 7) % len(staff)].division) if i % 10 == 0 else r for i, r in enumerate(staff)]
    lost = [replace(r, staff_id=r.staff_id.lstrip("0")) if i in (10, 5000) else r for i, r in enumerate(april)]
    write_roster_csv(lost, tmp_path / "2027_lost.csv", encoding="cp932")
    with pytest.raises(RosterError) as info:
        import_roster(tmp_path / "2027_lost.csv", as_of="2027-04-01")
    assert len(info.value.problems) == 2 and "先頭の0だけが違います" in info.value.problems[0]
    write_roster_csv(april, tmp_path / "2027.csv", encoding="cp932")
    plan = import_roster(tmp_path / "2027.csv", as_of="2027-04-01", dry_run=True)
    moved = sum(1 for a, b in zip(staff, april) if (a.bureau, a.division, a.section) != (b.bureau, b.division, b.section))
    assert len(plan.transferred) == moved > 900 and not plan.left and not plan.added
    assert load_roster().last_import == "2026-04-01"


def _zip(members: dict[str, str]) -> bytes:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, text in members.items():
            zf.writestr(name, text)
    return buf.getvalue()


@pytest.mark.parametrize("data, says", [
    (b"PK\x03\x04", "壊れています"),
    (b"%PDF-1.7\n", "PDF ファイルです"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "パスワード付きの Excel"),
    (b"<html><table><tr><td>001201</td></tr></table></html>", "Web ページ（HTML/XML）形式"),
    (_zip({"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": "<x/>"}), "OpenDocument（.ods）"),
    (_zip({"word/document.xml": "<x/>"}), "Word の文書です"),
])
def test_files_that_are_not_rosters_say_what_they_are(tmp_path, data, says):
    path = tmp_path / "名簿.xls"
    path.write_bytes(data)
    with pytest.raises(RosterError, match=says):
        read_roster(path)


def test_undo_puts_names_back_in_the_gradebook_and_can_go_further_back():
    from nbgrader.api import Gradebook

    from aidojo.records.synthetic import build_gradebook

    course_data_dir().mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{course_data_dir() / 'gradebook.db'}"
    build_gradebook(url, {}, [])
    import_roster(ROSTER_2026, as_of="2026-04-01")
    import_roster(ROSTER_2027, as_of="2027-04-01", today=date(2027, 4, 1))
    with Gradebook(url, course_id="aidojo") as gb:
        assert gb.find_student("001204").last_name == "小松"
    undo_last_import()
    with Gradebook(url, course_id="aidojo") as gb:
        assert gb.find_student("001204").last_name == "鈴木"
        assert gb.find_student("001213").last_name == "森"  # created by the undone import: kept
    undo_last_import()
    assert load_roster().people == {}
    with pytest.raises(RosterError, match="取り消せる取り込みがありません"):
        undo_last_import()
    res = runner.invoke(app, ["records", "audit", "--action", "roster.undo"])
    assert res.output.count("roster.undo") == 2 and "roster.import " not in res.output


@pytest.mark.slow
def test_end_to_end_a_broken_resubmission_graded_by_autograde_keeps_the_pass(tmp_path):
    """The grading desk writes each attempt to the ledger; HR still sees the pass, with 2 attempts (not 3: the
    gradebook's copy of the latest attempt is recognised, not back-filled again)."""
    import json

    from aidojo.course import autograde
    from aidojo.course.layout import CourseLayout
    from aidojo.course.simulate import learner_notebook

    roster = tmp_path / "r.csv"
    roster.write_text("職員番号,氏名,所属局,所属部,所属課,役職\nk20001,髙橋 さくら,総務局,人事部,人事課,主事\n", encoding="utf-8")
    import_roster(roster, as_of="2026-04-01")
    layout = CourseLayout(data_dir=course_data_dir())

    def submit(kind: str, stamp: str) -> None:
        folder = layout.submitted_dir / "k20001" / "m01"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "m01_kadai.ipynb").write_text(json.dumps(learner_notebook("m01", "m01_kadai", kind), ensure_ascii=False),
                                                encoding="utf-8")
        (folder / "timestamp.txt").write_text(stamp)

    submit("right", "2026-11-30 01:00:00.000000 UTC")
    autograde(["m01"], layout=layout, workers=1, progress=False)
    first = compute_records(layout.db_url).get("k20001").modules["m01"]
    assert (first.state_ja, first.attempts) == ("合格", 1)
    submit("untouched", "2026-11-30 02:00:00.000000 UTC")
    autograde(["m01"], layout=layout, workers=1, progress=False)
    m01 = compute_records(layout.db_url).get("k20001").modules["m01"]
    assert (m01.state_ja, m01.attempts, m01.best_score) == ("合格", 2, 8)
    assert m01.first_pass.isoformat() == "2026-11-30T10:00:00+09:00"
    assert {a.source for a in load_attempts(course_data_dir())} == {"autograde"}  # nothing needed back-filling
