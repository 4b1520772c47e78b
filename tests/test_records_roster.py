"""Roster import: encodings HR's files come in, every bad input's Japanese message, all-or-nothing, history."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aidojo.course import course_data_dir
from aidojo.records import RosterError, import_roster, load_roster, read_roster_file, roster_history
from aidojo.records.store import store_path
from aidojo.records.synthetic import build_gradebook, module_layout, synthetic_roster, write_roster_csv

REPO = Path(__file__).resolve().parents[1]
FIX = REPO / "tests" / "fixtures" / "roster"
GOOD = ["roster_utf8.csv", "roster_utf8_bom_english.csv", "roster_cp932.csv", "roster.xlsx"]


def _snapshot() -> tuple:
    """Everything the store holds (to prove a failed import changed nothing)."""
    with sqlite3.connect(store_path()) as conn:
        return tuple(tuple(conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall())
                     for t in ("imports", "staff_history", "certificates", "attempts"))


@pytest.mark.parametrize("name", GOOD)
def test_every_good_format_reads_the_same_people(name):
    rows = read_roster_file(FIX / name)
    reference = read_roster_file(FIX / "roster_utf8.csv")
    assert [(r.staff_id, *r.key()) for r in rows] == [(r.staff_id, *r.key()) for r in reference]
    assert rows[0].name == "髙橋 一郎" and rows[1].name == "山﨑 花子"
    assert rows[0].role == "幹部" and rows[7].division == "" and rows[7].section == "会計課"


def test_cp932_fixture_needs_cp932_not_plain_shift_jis():
    data = (FIX / "roster_cp932.csv").read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")
    with pytest.raises(UnicodeDecodeError):
        data.decode("shift_jis")  # the IBM-extension kanji 髙 (FB FC) and 﨑 (FA B1)
    assert b"\xfb\xfc" in data and b"\xfa\xb1" in data
    assert "髙橋" in data.decode("cp932")


BAD = {
    "missing_columns.csv": ["missing_columns.csv の 1 行目（見出し）", "必要な列がありません: 所属課、役職（または役職区分）"],
    "duplicate_ids.csv": ["duplicate_ids.csv の 4 行目", "職員番号 100001 が重複しています（2 行目と同じ）"],
    "empty_id.csv": ["empty_id.csv の 3 行目", "職員番号が空です"],
    "bad_role.csv": ["bad_role.csv", "役職区分（幹部・一般）が決まらない役職が 1 種類", "「統括官」（1 人: 3 行目）",
                     "[roles.titles]"],
    "bad_staff_id.csv": ["bad_staff_id.csv の 3 行目（職員番号）", "職員番号「../100002」は使えません"],
    "bad_encoding.csv": ["bad_encoding.csv の 3 行目", "文字コードが正しくありません", "UTF-8"],
    "utf16.csv": ["utf16.csv", "UTF-16", "CSV UTF-8"],
    "corrupt.xlsx": ["corrupt.xlsx", "Excel（.xlsx）ファイルとして開けません"],
    "old_excel.xls": ["old_excel.xls", "古い Excel 形式（.xls）か、パスワード付きの Excel ファイル"],
    "header_only.csv": ["header_only.csv", "データ行がありません"],
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_file_is_refused_with_japanese_message_and_previous_roster_intact(name, tmp_path):
    import_roster(FIX / "roster_utf8.csv", as_of="2026-04-01")
    before = _snapshot()
    with pytest.raises(RosterError) as info:
        import_roster(FIX / "bad" / name, as_of="2026-05-01")
    message = str(info.value)
    assert message.startswith("名簿を取り込めませんでした。名簿は変更していません。")
    for part in BAD[name]:
        assert part in message, message
    assert _snapshot() == before
    assert len(load_roster().active()) == 8


def test_all_problems_are_listed_at_once(tmp_path):
    bad = tmp_path / "many.csv"
    bad.write_text("職員番号,氏名,所属局,所属部,所属課,役職区分\n"
                   "1,山田 太郎,総務局,,人事課,一般\n"
                   ",空 番号,総務局,,人事課,一般\n"
                   "1,重複 一郎,総務局,,人事課,一般\n"
                   "3,,総務局,,人事課,統括官\n", encoding="utf-8")
    with pytest.raises(RosterError) as info:
        import_roster(bad)
    problems = info.value.problems
    assert any("3 行目" in p and "職員番号が空" in p for p in problems)
    assert any("4 行目" in p and "重複" in p for p in problems)
    assert any("5 行目" in p and "氏名が空" in p for p in problems)
    assert any("「統括官」（1 人: 5 行目）" in p for p in problems)  # unknown titles: one problem listing them all
    assert len(problems) == 4
    assert not store_path().exists() or load_roster().people == {}


def test_update_keeps_history_of_transfers_leavers_and_name_changes():
    first = import_roster(FIX / "roster_cp932.csv", as_of="2026-04-01")
    assert len(first.added) == 8
    result = import_roster(FIX / "roster_update_cp932.csv", as_of="2027-04-01")
    assert result.transferred == ["100003"]
    assert result.changed == ["100004"]
    assert result.left == ["100007"]
    assert result.added == ["100009"]
    assert result.unchanged == 5
    roster = load_roster()
    assert roster.last_import == "2027-04-01"
    assert roster.people["100007"].status == "退職" and roster.people["100007"].since == "2027-04-01"
    assert roster.people["100003"].section == "市民課"
    assert len(roster.active()) == 8 and len(roster) == 9  # the leaver is kept, not deleted
    sato = roster_history("100003")
    assert [(e.event, e.section, e.valid_from, e.valid_to) for e in sato] == [
        ("新規", "人事課", "2026-04-01", "2027-04-01"), ("異動", "市民課", "2027-04-01", None)]
    ito = roster_history("100007")
    assert [(e.event, e.status, e.valid_to) for e in ito] == [("新規", "在籍", "2027-04-01"), ("退職", "退職", None)]
    # the leaver comes back a year later
    back = import_roster(FIX / "roster_cp932.csv", as_of="2028-04-01", today=date(2028, 4, 1))
    assert "100007" in back.returned and load_roster().people["100007"].status == "在籍"
    assert roster_history("100007")[-1].event == "再登録"


def test_same_file_twice_changes_nothing():
    import_roster(FIX / "roster.xlsx", as_of="2026-04-01")
    again = import_roster(FIX / "roster_utf8.csv", as_of="2026-04-02")
    assert again.unchanged == 8 and not (again.added or again.transferred or again.changed or again.left)
    assert len(roster_history()) == 8


def test_an_older_effective_date_is_refused():
    import_roster(FIX / "roster_utf8.csv", as_of="2026-04-01")
    before = _snapshot()
    with pytest.raises(RosterError, match="基準日 2025-04-01 が前回の取り込みの基準日 2026-04-01 より前です"):
        import_roster(FIX / "roster_update_cp932.csv", as_of="2025-04-01")
    with pytest.raises(RosterError, match="YYYY-MM-DD"):
        import_roster(FIX / "roster_update_cp932.csv", as_of="2026-13-01")
    assert _snapshot() == before


def test_a_partial_roster_that_would_retire_many_is_refused_unless_allowed(tmp_path):
    staff = synthetic_roster(100)
    write_roster_csv(staff, tmp_path / "all.csv")
    write_roster_csv(staff[:60], tmp_path / "one_bureau.csv", encoding="cp932")
    import_roster(tmp_path / "all.csv", as_of="2026-04-01")
    before = _snapshot()
    with pytest.raises(RosterError) as info:
        import_roster(tmp_path / "one_bureau.csv", as_of="2026-05-01")
    assert "40 人（在籍者 100 人の 40%）が退職扱いになります" in str(info.value)
    assert "--allow-many-leavers" in str(info.value)
    assert _snapshot() == before
    result = import_roster(tmp_path / "one_bureau.csv", as_of="2026-05-01", allow_many_leavers=True)
    assert len(result.left) == 40 and len(load_roster().active()) == 60


def test_students_go_into_the_nbgrader_gradebook_when_it_exists():
    from nbgrader.api import Gradebook

    url = f"sqlite:///{course_data_dir() / 'gradebook.db'}"
    assert import_roster(FIX / "roster_utf8.csv", as_of="2026-04-01").gradebook_students is None
    assert not (course_data_dir() / "gradebook.db").exists()  # reading never creates a gradebook
    course_data_dir().mkdir(parents=True, exist_ok=True)
    build_gradebook(url, module_layout(["m01"]), [], students={"100001": "旧姓 一郎", "999999": "名簿外 太郎"})
    result = import_roster(FIX / "roster_cp932.csv", as_of="2026-04-02")
    assert result.gradebook_students == 8  # 7 created, 100001 renamed
    with Gradebook(url, course_id="aidojo") as gb:
        students = {s.id: (s.last_name, s.first_name) for s in gb.students}
        assert students["100001"] == ("髙橋", "一郎")
        assert students["100002"] == ("山﨑", "花子")
        assert students["999999"] == ("名簿外", "太郎")  # never deleted
        assert len(students) == 9


def test_a_gradebook_failure_rolls_the_roster_back():
    import_roster(FIX / "roster_utf8.csv", as_of="2026-04-01")
    before = _snapshot()
    course_data_dir().mkdir(parents=True, exist_ok=True)
    (course_data_dir() / "gradebook.db").write_bytes(b"this is not a sqlite database" * 100)
    with pytest.raises(RosterError, match="成績データベース（nbgrader）に受講者を登録できませんでした"):
        import_roster(FIX / "roster_update_cp932.csv", as_of="2027-04-01")
    assert _snapshot() == before
    assert load_roster().people["100007"].status == "在籍"


def test_cli_import_and_show(tmp_path):
    from aidojo.cli import app

    runner = CliRunner()
    ok = runner.invoke(app, ["roster", "import", str(FIX / "roster_cp932.csv"), "--as-of", "2026-04-01"])
    assert ok.exit_code == 0, ok.output
    assert "新規 8" in ok.output
    bad = runner.invoke(app, ["roster", "import", str(FIX / "bad" / "duplicate_ids.csv")])
    assert bad.exit_code == 1
    assert "職員番号 100001 が重複しています" in bad.output
    shown = runner.invoke(app, ["roster", "show", "--limit", "0"])
    assert shown.exit_code == 0 and "在籍 8 人" in shown.output and "髙橋 一郎" in shown.output
    history = runner.invoke(app, ["roster", "show", "100002"])
    assert "山﨑 花子" in history.output and "新規" in history.output
    missing = runner.invoke(app, ["roster", "show", "nobody"])
    assert missing.exit_code == 1 and "名簿にありません" in missing.output


def test_roster_lives_in_the_course_data_folder_not_the_repo():
    import_roster(FIX / "roster_utf8.csv")
    assert store_path().parent == course_data_dir()
    assert REPO not in store_path().parents
    copy = shutil.copy(store_path(), course_data_dir() / "backup.db")  # one file HR can back up
    assert Path(copy).stat().st_size > 0


def test_sync_students_into_a_gradebook_created_after_the_roster():
    from nbgrader.api import Gradebook

    from aidojo.records import sync_students

    import_roster(FIX / "roster_update_cp932.csv", as_of="2026-04-01")
    assert sync_students() is None  # no gradebook yet, none created
    assert sync_students(create=True) == 8
    with Gradebook(f"sqlite:///{course_data_dir() / 'gradebook.db'}", course_id="aidojo") as gb:
        assert {s.id for s in gb.students} == {r.staff_id for r in read_roster_file(FIX / "roster_update_cp932.csv")}
        assert gb.find_student("100009").last_name == "加藤"
    assert sync_students() == 0  # idempotent


def test_a_title_line_above_the_header_is_skipped(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["みどり市 職員名簿（2026年4月1日現在）"])
    ws.append([])
    ws.append(["職員番号", "氏名", "所属局", "所属部", "所属課", "役職区分", "備考"])
    ws.append([100001, "髙橋 一郎", "総務局", "デジタル戦略部", "DX・AI推進課", "幹部", "兼務あり"])
    ws.append(["100002", "山﨑 花子", "総務局", "デジタル戦略部", "DX・AI推進課", "課長補佐"])
    wb.save(tmp_path / "titled.xlsx")
    rows = read_roster_file(tmp_path / "titled.xlsx")
    assert [(r.staff_id, r.title, r.role, r.row) for r in rows] == [("100001", "幹部", "幹部", 4),
                                                                    ("100002", "課長補佐", "一般", 5)]


@pytest.mark.slow
def test_readme_order_roster_first_then_autograde_gives_students_their_roster_names():
    """README order: `aidojo roster import` once (no gradebook yet), then collect and `aidojo autograde`. nbgrader
    creates the students with empty names (formgrader showed ids only); the autograde command fills them in from
    the roster — for ids on both, creating nobody."""
    import json

    from nbgrader.api import Gradebook

    from aidojo.cli import app
    from aidojo.course.layout import CourseLayout
    from aidojo.course.simulate import learner_notebook

    runner = CliRunner()
    res = runner.invoke(app, ["roster", "import", str(FIX / "roster_cp932.csv"), "--as-of", "2026-04-01"])
    assert res.exit_code == 0 and "成績DBなし（採点前）" in res.output, res.output
    layout = CourseLayout(data_dir=course_data_dir())
    for sid, stamp in (("100002", "01"), ("k99999", "02")):  # k99999: collected with --allow-unknown, not on the roster
        folder = layout.submitted_dir / sid / "m01"
        folder.mkdir(parents=True)
        (folder / "m01_kadai.ipynb").write_text(json.dumps(learner_notebook("m01", "m01_kadai", "right"),
                                                           ensure_ascii=False), encoding="utf-8")
        (folder / "timestamp.txt").write_text(f"2026-11-30 {stamp}:00:00.000000 UTC")
    res = runner.invoke(app, ["autograde", "m01", "--workers", "1"])
    assert res.exit_code == 0, res.output
    assert "成績DBの受講者 1 人に名簿の氏名を入れました。" in res.output
    with Gradebook(layout.db_url, course_id="aidojo") as gb:
        assert {(s.id, s.last_name, s.first_name) for s in gb.students} == {("100002", "山﨑", "花子"),
                                                                          ("k99999", None, None)}
    res = runner.invoke(app, ["autograde", "m01", "--workers", "1"])  # nothing new: no names to fill in
    assert res.exit_code == 0 and "氏名を入れました" not in res.output, res.output
