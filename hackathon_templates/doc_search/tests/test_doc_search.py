"""Tests of the 資料検索支援 template: the functions, uploads, the app through gradio_client, the scenario suite."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from aidojo.hackathon.testing import failures_text, launched, scenario_report

PROJECT = Path(__file__).resolve().parents[1]  # paths relative to this project, wherever it was copied
PASS_RATE = 0.9  # the scenario suite must pass at least this share

OWN_MANUAL = """# 窓口業務マニュアル（テスト用）

## 1. 開庁準備
窓口は午前8時20分までに端末を起動し、整理券発券機の電源を入れます。

## 2. 閉庁後
現金は午後5時30分までに会計課へ引き渡します。引き渡しの手順は所属によって異なるため、先輩職員に確認してください。
"""


def test_answer_cites_the_markdown_section(app):
    result = app.answer("年次休暇は1年目に何日もらえますか")
    assert result["handoff"] is False
    assert any("年次休暇" in c for c in result["citations"])
    assert "15日" in result["answer"]


def test_answer_cites_the_pdf_page(app):
    result = app.answer("出張命令はいつまでに申請しますか")
    assert result["handoff"] is False and "3日前" in result["answer"]
    assert any("jimu_tebiki.pdf" in c and "2" in c for c in result["citations"])


def test_confirm_list_quotes_the_manual_where_it_depends_on_the_section(app):
    result = app.answer("時間外勤務の事前申請の締め切りは？")
    assert any("所属によって異なる" in item for item in result["confirm"])
    assert any("最新の版" in item for item in result["confirm"])  # from prompts/confirm.md


def test_not_in_the_manual_hands_off_and_says_whom_to_ask(app):
    result = app.answer("退職金はいくらですか")
    assert result["handoff"] is True and result["citations"] == []
    assert "先輩職員" in result["confirm"][0]


def test_uploaded_markdown_is_searched_instead_of_the_sample(app, tmp_path):
    manual = tmp_path / "madoguchi.md"
    manual.write_text(OWN_MANUAL, encoding="utf-8")
    result = app.answer("現金はいつまでに会計課へ引き渡しますか", files=[manual])
    assert result["handoff"] is False and "午後5時30分" in result["answer"]
    assert any("madoguchi.md" in c for c in result["citations"])
    assert app.answer("年次休暇は1年目に何日もらえますか", files=[manual])["handoff"] is True


def test_unsupported_upload_names_the_file(app, tmp_path):
    bad = tmp_path / "meibo.xlsx"
    bad.write_bytes(b"PK")
    with pytest.raises(ValueError, match="meibo.xlsx"):
        app.answer("質問です", files=[bad])


def test_sample_pdf_matches_its_generator(tmp_path):
    """The committed PDF is what scripts/make_sample_pdf.py writes (same text on every page)."""
    import pypdf

    spec = importlib.util.spec_from_file_location("make_sample_pdf", PROJECT / "scripts" / "make_sample_pdf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    fresh = module.build(tmp_path / "fresh.pdf")
    committed = [p.extract_text() for p in pypdf.PdfReader(PROJECT / "data" / "jimu_tebiki.pdf").pages]
    assert committed == [p.extract_text() for p in pypdf.PdfReader(fresh).pages]
    assert "出張命令" in committed[1]


@pytest.mark.slow
@pytest.mark.server
def test_app_through_gradio_client_with_an_upload(app, tmp_path):
    from gradio_client import Client, handle_file

    manual = tmp_path / "madoguchi.md"
    manual.write_text(OWN_MANUAL, encoding="utf-8")
    with launched(app.build_ui()) as url:
        client = Client(url, verbose=False)
        answer_md, confirm_md, hits = client.predict("給料は毎月何日に振り込まれますか", None, api_name="/ask")
        assert "21日" in answer_md and "先輩職員に確認すること" in confirm_md
        answer_md, confirm_md, hits = client.predict("窓口は何時までに端末を起動しますか", [handle_file(str(manual))],
                                                     api_name="/ask")
        assert "午前8時20分" in answer_md and "madoguchi.md" in answer_md


def test_scenario_suite_passes(app):
    report = scenario_report(PROJECT / "scenarios.yaml", app.answer)
    assert report.total >= 25
    assert report.pass_rate >= PASS_RATE, failures_text(report)
