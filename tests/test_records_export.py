"""HR exports open in Excel / csv / json with Japanese intact, are formula-safe and written atomically."""

from __future__ import annotations

import csv
import json
import shutil
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from aidojo.course import course_data_dir
from aidojo.records import ExportError, compute_records, export_records, import_roster
from aidojo.records.synthetic import Result, build_gradebook, module_layout

REPO = Path(__file__).resolve().parents[1]
FIX = REPO / "tests" / "fixtures" / "roster"
LAYOUT = module_layout([f"m0{i}" for i in range(1, 10)])
DANGEROUS = ["=HYPERLINK(\"http://example.invalid\",\"click\")", "+81-3-0000", "-1+2", "@SUM(A1)"]


def full(module: str, total: float = 10) -> dict[str, float]:
    cells = list(LAYOUT[module])
    return {c: min(2.0, max(0.0, total - 2 * i)) for i, c in enumerate(cells)}


@pytest.fixture(scope="module")
def template_gradebook(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("gb") / "gradebook.db"
    t = datetime(2026, 5, 1, 0, 0)
    results = [Result("100001", m, t.replace(day=1 + i), full(m)) for i, m in enumerate(["m01", "m02", "m03"])]
    results += [Result("100002", "m01", t, full("m01", 6)), Result("100003", "m01", t, full("m01"))]
    build_gradebook(f"sqlite:///{path}", LAYOUT, results)
    return path


@pytest.fixture
def records(template_gradebook, tmp_path):
    roster = tmp_path / "roster.csv"
    text = (FIX / "roster_utf8.csv").read_text(encoding="utf-8")
    for i, name in enumerate(DANGEROUS):
        quoted = '"' + name.replace('"', '""') + '"'
        text += f"20000{i},{quoted},総務局,行政部,人事課,一般\r\n"
    roster.write_text(text, encoding="utf-8")
    import_roster(roster, as_of="2026-04-01")
    course_data_dir().mkdir(parents=True, exist_ok=True)
    shutil.copy(template_gradebook, course_data_dir() / "gradebook.db")
    return compute_records()


def test_xlsx_has_japanese_headers_frozen_header_widths_and_autofilter(records, tmp_path):
    path = export_records(records, tmp_path / "修了状況.xlsx", "xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["一覧", "課別集計", "役職別集計", "未修了者"]  # one workbook HR files
    ws = wb["一覧"]
    assert ws["A1"].value.startswith("AI道場 生成AI活用研修 修了状況一覧 ／ 2026年度（令和8年度）")
    header = [c.value for c in ws[2]]
    assert header[:8] == ["職員番号", "氏名", "所属局", "所属部", "所属課", "役職", "役職区分", "在籍状況"]
    assert "m01 最高点（10点満点）" in header and "m01 提出回数" in header and "m01 合格日" in header
    assert "基礎コース 修了日" in header and "基礎コース 修了証番号" in header
    assert ws.freeze_panes == "C3" and ws["A2"].font.b
    assert ws.auto_filter.ref == f"A2:{openpyxl.utils.get_column_letter(len(header))}{len(records.people) + 2}"
    assert ws.column_dimensions["B"].width == 16
    rows = {r[0]: dict(zip(header, r)) for r in ws.iter_rows(min_row=3, values_only=True)}
    taka = rows["100001"]
    assert taka["氏名"] == "髙橋 一郎" and taka["所属課"] == "DX・AI推進課"
    assert taka["m01 最高点（10点満点）"] == 10 and taka["m01 判定"] == "合格" and taka["m01 提出回数"] == 1
    assert taka["m01 合格日"].date() == date(2026, 5, 1) and ws.cell(3, header.index("m01 合格日") + 1).number_format == "yyyy-mm-dd"
    assert taka["基礎コース 修了"] == "修了" and taka["基礎コース 修了日"].date() == date(2026, 5, 3)
    assert taka["基礎コース 修了証番号"] == "AID-basic-2026-00001"
    assert rows["100002"]["氏名"] == "山﨑 花子" and rows["100002"]["m01 判定"] == "不合格"
    assert rows["100004"]["m01 判定"] == "未提出" and rows["100004"]["m01 最高点（10点満点）"] is None


def test_xlsx_keeps_formula_like_names_as_text(records, tmp_path):
    path = export_records(records, tmp_path / "out.xlsx")
    ws = openpyxl.load_workbook(path)["一覧"]
    cells = {row[0].value: row[1] for row in ws.iter_rows(min_row=3)}
    for i, name in enumerate(DANGEROUS):
        cell = cells[f"20000{i}"]
        assert cell.value == name and cell.data_type == "s"  # a string, never a formula


def test_csv_is_excel_safe(records, tmp_path):
    path = export_records(records, tmp_path / "out.csv", "csv")
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.count(b"\r\n") == len(records.people) + 1 and b"\n" not in data.replace(b"\r\n", b"")
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    by_id = {r["職員番号"]: r for r in rows}
    assert by_id["100001"]["氏名"] == "髙橋 一郎" and by_id["100002"]["氏名"] == "山﨑 花子"
    assert by_id["100001"]["基礎コース 修了日"] == "2026-05-03"
    assert by_id["100002"]["m01 最高点（10点満点）"] == "6" and by_id["100002"]["m01 提出回数"] == "1"
    for i, name in enumerate(DANGEROUS):
        assert by_id[f"20000{i}"]["氏名"] == "'" + name


def test_json_export(records, tmp_path):
    path = export_records(records, tmp_path / "out.json", "json")
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["columns"]["staff_id"] == "職員番号"
    row = next(r for r in doc["rows"] if r["staff_id"] == "100001")
    assert row["name"] == "髙橋 一郎" and row["basic_completed"] == "修了" and row["basic_date"] == "2026-05-03"
    assert row["m04_score"] is None and row["m04_result"] == "未提出"


def test_summary_per_section(records, tmp_path):
    path = export_records(records, tmp_path / "summary.xlsx", table="summary")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["課別集計", "役職別集計"]
    ws = wb["課別集計"]
    header = [c.value for c in ws[2]]
    assert header[:5] == ["区分", "所属局", "所属部", "所属課", "在籍人数"]
    rows = [dict(zip(header, r)) for r in ws.iter_rows(min_row=3, values_only=True)]
    dx = next(r for r in rows if r["所属課"] == "DX・AI推進課")
    assert dx["在籍人数"] == 2 and dx["基礎コース 修了者数"] == 1 and dx["基礎コース 修了率"] == 0.5
    jinji = next(r for r in rows if r["所属課"] == "人事課")
    assert jinji["在籍人数"] == 5 and jinji["基礎コース 修了者数"] == 0
    total = rows[-1]
    assert total["所属局"] == "合計" and total["在籍人数"] == 12 and total["基礎コース 修了者数"] == 1
    soumu = next(r for r in rows if r["区分"] == "局計" and r["所属局"] == "総務局")
    assert soumu["在籍人数"] == 7 and soumu["所属課"] == "2 課"  # DX・AI推進課 2 + 人事課 5
    rate_col = header.index("基礎コース 修了率") + 1
    assert ws.cell(row=3, column=rate_col).number_format == "0.0%"
    assert ws.cell(row=3 + rows.index(total), column=1).font.b  # subtotal and total rows are bold
    path = export_records(records, tmp_path / "summary.csv", table="summary")
    with open(path, encoding="utf-8-sig", newline="") as f:
        csv_rows = list(csv.DictReader(f))
    assert next(r for r in csv_rows if r["所属課"] == "DX・AI推進課")["基礎コース 修了率"] == "50.0%"


def test_not_completed_list_names_the_missing_modules(records, tmp_path):
    path = export_records(records, tmp_path / "remind.csv", table="not_completed", track="basic")
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = {r["職員番号"]: r for r in csv.DictReader(f)}
    assert "100001" not in rows and len(rows) == 11
    assert rows["100002"]["未修了の単元"] == ("m01 生成AIの基本とルール（不合格 最高 6/10点・1回提出）、"
                                         "m02 プロンプトの基本（未提出）、m03 業務で使う（未提出）")
    assert rows["100003"]["合格済み単元"] == "1/3"
    with pytest.raises(ExportError, match="コース「nosuch」はありません"):
        export_records(records, tmp_path / "x.csv", table="not_completed", track="nosuch")


def test_a_failed_export_leaves_the_previous_file_intact(records, tmp_path, monkeypatch):
    target = tmp_path / "out.xlsx"
    export_records(records, target)
    before = target.read_bytes()
    import zipfile

    def boom(self, name, data, *args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(zipfile.ZipFile, "writestr", boom)
    with pytest.raises(OSError):
        export_records(records, target)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.xlsx")] == []
    with pytest.raises(ExportError, match="形式「pdf」には対応していません"):
        export_records(records, tmp_path / "out.pdf")


def test_cli_export(records, tmp_path):
    from aidojo.cli import app

    runner = CliRunner()
    res = runner.invoke(app, ["records", "export", "--format", "xlsx", "--out", str(tmp_path / "a.xlsx")])
    assert res.exit_code == 0, res.output
    assert openpyxl.load_workbook(tmp_path / "a.xlsx")["一覧"]["B3"].value == "髙橋 一郎"
    res = runner.invoke(app, ["records", "export", "--out", str(tmp_path / "s.csv"), "--summary"])
    assert res.exit_code == 0 and (tmp_path / "s.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    res = runner.invoke(app, ["records", "export", "--out", str(tmp_path / "n.json"), "--not-completed", "builder"])
    assert res.exit_code == 0
    assert len(json.loads((tmp_path / "n.json").read_text(encoding="utf-8"))["rows"]) == 12
    res = runner.invoke(app, ["records", "export", "--out", str(tmp_path / "x.txt")])
    assert res.exit_code == 1 and "形式「txt」には対応していません" in res.output


@pytest.mark.slow
def test_libreoffice_reads_the_workbook_as_the_csv_says(records, tmp_path):
    """The hand-written xlsx is read by a real spreadsheet application (LibreOffice Calc, headless) cell for cell."""
    import os
    import shutil
    import subprocess

    from tests.conftest import require

    require(shutil.which("soffice") is not None, "soffice (Debian libreoffice-calc-nogui) not installed")
    book = export_records(records, tmp_path / "book.xlsx")
    ours = export_records(records, tmp_path / "ours.csv", "csv")
    # CSV filter: comma, double quote, UTF-8 (76), from line 1, formatted values as shown, every sheet (-1)
    proc = subprocess.run(["soffice", "--headless", "--norestore", "--convert-to",
                           "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
                           str(book), "--outdir", str(tmp_path / "lo")], capture_output=True, text=True, timeout=180,
                          env={**os.environ, "HOME": str(tmp_path)})
    assert proc.returncode == 0, proc.stderr
    with open(tmp_path / "lo" / "book-一覧.csv", encoding="utf-8", newline="") as fh:
        theirs = list(csv.reader(fh))
    with open(ours, encoding="utf-8-sig", newline="") as fh:
        mine = [[c[1:] if c.startswith("'") else c for c in row] for row in csv.reader(fh)]
    assert theirs[0][0].startswith("AI道場 生成AI活用研修 修了状況一覧")
    assert theirs[1:] == mine
    assert {p.name for p in (tmp_path / "lo").iterdir()} == {f"book-{s}.csv" for s in ("一覧", "課別集計", "役職別集計", "未修了者")}
