"""The whole path in one test (also `make demo`): roster → release → 3 learners submit → parallel autograde
→ feedback → HR export, certificates and dashboard, on a clean course folder."""

from __future__ import annotations

import csv

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from aidojo.demo import run_demo

pytestmark = pytest.mark.slow


def test_whole_path_from_roster_to_hr_reports(tmp_path):
    result = run_demo(tmp_path / "demo", workers=2, progress=False, echo=lambda *_: None)
    files = result.files

    grading = result.reports["autograde"].text()
    assert "k20003 m01" in grading and "SyntaxError" in grading and "削除" in grading  # the broken learner, explained
    assert "採点失敗 0 件" in grading

    with open(files["csv"], encoding="utf-8-sig", newline="") as fh:
        people = {row["職員番号"]: row for row in csv.DictReader(fh)}
    right, partial, broken, absent = people["k20001"], people["k20002"], people["k20003"], people["k20004"]
    assert right["基礎コース 修了"] == "修了" and right["基礎コース 修了証番号"].startswith("AID-basic-")
    assert [right[f"m0{i} 判定"] for i in (1, 2, 3)] == ["合格"] * 3
    assert partial["基礎コース 修了"] == "未修了" and partial["m01 判定"] == "不合格"
    assert broken["m03 判定"] == "合格"  # a broken cell costs only its own points: the rest still counts
    assert absent["m01 判定"] == "未提出"

    with open(files["not_completed"], encoding="utf-8-sig", newline="") as fh:
        missing = {row["職員番号"] for row in csv.DictReader(fh)}
    assert missing == {"k20002", "k20003", "k20004", "k20005"}

    sheet = load_workbook(files["xlsx"]).active
    assert "髙橋 さくら" in {c.value for c in sheet["B"]}  # IBM-extension kanji from the cp932 roster, intact

    pdfs = sorted(files["certificates"].glob("*.pdf"))
    assert [p.name for p in pdfs] == [f"{right['基礎コース 修了証番号']}_k20001.pdf"]
    text = PdfReader(pdfs[0]).pages[0].extract_text()
    assert "髙橋 さくら" in text and "基礎コース" in text

    feedback = sorted((result.course_dir / "feedback").glob("*/m0*/*.html"))
    assert len(feedback) == 9
    for page in feedback:  # the judge's verdict under every graded cell, as 問N
        html = page.read_text(encoding="utf-8")
        assert "採点結果" in html and "問1の結果" in html
        if "/k20001/" in str(page):  # the right learner: only ○, no hint
            assert "○ " in html and "× もう少しです" not in html, page
        if "/k20002/m01/" in str(page):  # the partly right one: × with the hints of what to fix
            assert "× もう少しです" in html and "・" in html, page

    dashboard = files["dashboard"].read_text(encoding="utf-8")
    assert "<svg" in dashboard and "src=\"http" not in dashboard
