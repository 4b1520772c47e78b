"""Tests of the 資料検索支援 template: the manual and the suite agree, answers cite the section / page / row,
ask-back, handoffs, uploads, the app through gradio_client, and the scenario suite.

Expectations come from this project's own data (data/) and suite (scenarios.yaml): after replacing the manual,
a failing test says which scenario to update. Tests of the bundled sample manual skip when it is gone.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from aidojo.hackathon.testing import failures_text, free_port, launched, scenario_report, scenarios
from aidojo.safety import read_handoff_log

PROJECT = Path(__file__).resolve().parents[1]  # paths relative to this project, wherever it was copied
SUITE = PROJECT / "scenarios.yaml"
PASS_RATE = 0.9  # the scenario suite must pass at least this share
SAMPLE = PROJECT / "data" / "new_staff_manual.md"

OWN_MANUAL = """# 窓口業務マニュアル（テスト用）

## 1. 開庁準備
窓口は午前8時20分までに端末を起動し、整理券発券機の電源を入れます。

## 2. 閉庁後
現金は午後5時30分までに会計課へ引き渡します。引き渡しの手順は所属によって異なるため、先輩職員に確認してください。
"""


def test_the_suite_cites_only_sources_of_this_manual(app):
    known = " ".join(f"{c.source} {c.location or ''} {c.heading or ''}" for c in app.sample_index().chunks)
    stale = [f"scenarios.yaml {s.line}行目 {s.id}：出典「{c}」は資料にありません"
             for s in scenarios(SUITE) for c in s.expect.cites or [] if c not in known]
    assert not stale, "資料を差し替えたら、シナリオの cites も新しい資料の節・ファイル名に書き直してください。\n" + "\n".join(stale)


def test_answers_of_the_suite_cite_the_section_page_or_row(app):
    first = next(s for s in scenarios(SUITE, "answerable") if s.expect.cites)
    result = app.answer(first.question)
    assert result["handoff"] is False, f"{first.id}「{first.question}」に答えられませんでした（{result['reason']}）"
    assert any(first.expect.cites[0] in c for c in result["citations"])
    assert all(f"【{c}】" in result["answer"] for c in result["citations"])


def test_confirm_list_quotes_the_manual_where_it_depends_on_the_section(app):
    index = app.sample_index()
    chunk = next((c for c in index.chunks if c.heading and app._ASK_CUES.search(c.text)), None)
    if chunk is None:
        pytest.skip("資料に「所属によって異なる」などの文がありません")
    result = app.answer(f"{chunk.heading.split(' > ')[-1]}について")
    if result["ask_back"]:
        pytest.skip(f"「{chunk.heading}」は聞き返しになりました")
    assert any(app._ASK_CUES.search(item) for item in result["confirm"])
    assert any("最新の版" in item for item in result["confirm"])  # from prompts/confirm.md


def test_not_in_the_manual_hands_off_with_a_case_number_and_says_whom_to_ask(app, handoff_log):
    off = scenarios(SUITE, "must_handoff")[0]
    result = app.answer(off.question)
    assert result["handoff"] is True and result["citations"] == []
    assert "先輩職員" in result["confirm"][0] and f"「{result['case_id']}」" in result["answer"]
    assert read_handoff_log(handoff_log)[0].case_id == result["case_id"]


def test_an_ambiguous_question_is_asked_back_with_the_sections(app):
    ambiguous = scenarios(SUITE, "ambiguous")
    assert ambiguous, "scenarios.yaml に ambiguous（聞き返す質問）のシナリオを足してください。"
    result = app.answer(ambiguous[0].question)
    assert result["ask_back"] is True and result["handoff"] is False, f"{ambiguous[0].id} で聞き返しませんでした"
    assert result["answer"].count("・") >= 2


def test_payday_is_answered_from_its_own_section_not_from_the_travel_rules(app, offline_only):
    if not SAMPLE.is_file():
        pytest.skip("サンプルの資料を差し替えたプロジェクトです")
    result = app.answer("給料日はいつ？")
    assert result["citations"] == ["new_staff_manual.md 3. 給与と手当 > 3.1 給料日"]
    assert "21日" in result["answer"] and "旅費" not in result["answer"]


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


def test_backend_failure_is_a_handoff_with_a_visible_status(app, monkeypatch, offline_only, handoff_log):
    monkeypatch.setenv("AIDOJO_PROVIDER", "compatible")
    monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{free_port()}/v1")  # nothing listens there
    first = next(s for s in scenarios(SUITE, "answerable") if s.expect.cites)
    *_, (answer_md, confirm_md, rows, status) = list(app._ask(first.question, None))
    assert "担当者に引き継ぎます" in answer_md and "AIのサーバーでエラー" in status and "受付番号" in status
    assert read_handoff_log(handoff_log)[0].reason == "backend_error"


def test_sample_pdf_matches_its_generator(tmp_path):
    """The committed PDF is what scripts/make_sample_pdf.py writes (same text on every page)."""
    import pypdf

    script, pdf = PROJECT / "scripts" / "make_sample_pdf.py", PROJECT / "data" / "jimu_tebiki.pdf"
    if not (script.is_file() and pdf.is_file()):
        pytest.skip("サンプルのPDFを差し替えたプロジェクトです")
    spec = importlib.util.spec_from_file_location("make_sample_pdf", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    fresh = module.build(tmp_path / "fresh.pdf")
    committed = [p.extract_text() for p in pypdf.PdfReader(pdf).pages]
    assert committed == [p.extract_text() for p in pypdf.PdfReader(fresh).pages]


@pytest.mark.slow
@pytest.mark.server
def test_app_through_gradio_client_with_an_upload(app, tmp_path):
    from gradio_client import Client, handle_file

    manual = tmp_path / "madoguchi.md"
    manual.write_text(OWN_MANUAL, encoding="utf-8")
    first = next(s for s in scenarios(SUITE, "answerable") if s.expect.cites and s.expect.contains)
    with launched(app.build_ui()) as url:
        client = Client(url, verbose=False)
        answer_md, confirm_md, hits, status = client.predict(first.question, None, api_name="/ask")
        assert first.expect.contains[0] in answer_md and "先輩職員に確認すること" in confirm_md
        answer_md, confirm_md, hits, status = client.predict("窓口は何時までに端末を起動しますか",
                                                             [handle_file(str(manual))], api_name="/ask")
        assert "午前8時20分" in answer_md and "madoguchi.md" in answer_md


def test_scenario_suite_passes(app):
    report = scenario_report(SUITE, app.answer)
    assert report.total >= 25
    assert report.pass_rate >= PASS_RATE, failures_text(report)
