"""Tests of the ごみ分別案内 template: the functions, the app through gradio_client, the scenario suite."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aidojo.hackathon.testing import failures_text, launched, scenario_report

PROJECT = Path(__file__).resolve().parents[1]  # paths relative to this project, wherever it was copied
PASS_RATE = 0.9  # the scenario suite must pass at least this share


def test_table_is_the_full_tsu_city_table_with_its_licence(app):
    items = app.load_items()
    assert len(items) > 3900
    assert (PROJECT / "data" / "LICENSE-README.md").read_text(encoding="utf-8").count("CC BY 2.1 JP") >= 1
    assert app.ATTRIBUTION == "出典：津市オープンデータライブラリ『ごみ分別表』（CC BY 2.1 JP）を加工して作成"


@pytest.mark.parametrize(("question", "item"), [
    ("ペットボトルの捨て方を教えてください", "ペットボトル"),
    ("古い自転車はどうやって捨てますか", "自転車"),
    ("乾電池って何ゴミ？", "乾電池"),
    ("スプレー缶", "スプレー缶"),
])
def test_extract_item(app, question, item):
    assert app.extract_item(question) == item


def test_exact_match_is_kana_and_long_vowel_insensitive(app):
    assert app.find_items("ぺっとぼとる")[0] == "exact"
    match, items = app.find_items("ソファ")
    assert match == "exact" and items[0].name.startswith("ソファー")


def test_table_search_is_the_last_resort_and_stays_strict(app):
    match, items = app._search("テレビ有機EL")  # words in another order: found by BM25 search of the table
    assert match == "near" and items[0].name == "テレビ（有機EL）"
    assert app._search("ロケットエンジン") == ("none", [])


def test_answer_cites_the_row(app):
    result = app.answer("スプレー缶は何ごみですか")
    assert result["handoff"] is False
    assert result["citations"] == ["ID-1748"]
    assert "「危険」" in result["answer"] and "ID-1748" in result["answer"]


def test_unknown_item_hands_off_and_is_logged(app):
    result = app.answer("ロケットエンジンの捨て方")
    assert result["handoff"] is True and result["citations"] == []
    assert "市の担当課にお問い合わせください" in result["answer"]
    lines = app.policy.log_path.read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[-1])["handoff"] is True


def test_personal_data_is_not_echoed_nor_logged(app):
    result = app.answer("私の電話番号は090-1234-5678です。傘の捨て方は？")
    assert result["handoff"] is True and "090-1234-5678" not in result["answer"]
    assert "090-1234-5678" not in app.policy.log_path.read_text(encoding="utf-8")


def test_easy_japanese_keeps_category_and_citation(app):
    result = app.answer("ペットボトルの捨て方を教えてください", easy=True)
    assert "「ペット」" in result["answer"] and "ID-3244" in result["answer"]
    assert "ごみ です" in result["answer"]


@pytest.mark.slow  # imports gradio (~4 s)
def test_ui_shows_attribution_and_japanese_labels(app):
    demo = app.build_ui()
    texts = json.dumps(demo.config["components"], ensure_ascii=False)
    assert app.ATTRIBUTION in texts
    assert "やさしい日本語で答える" in texts and "調べる" in texts


@pytest.mark.slow
@pytest.mark.server
def test_app_through_gradio_client(app):
    from gradio_client import Client

    with launched(app.build_ui()) as url:
        client = Client(url, verbose=False)
        answer_md, status_md, details = client.predict("フライパンの出し方は？", False, api_name="/ask")
        assert "「金属」" in answer_md and "ID-3080" in answer_md
        assert details["handoff"] is False
        answer_md, status_md, details = client.predict("タイムマシンはどうやって捨てますか", False, api_name="/ask")
        assert details["handoff"] is True and "担当課" in status_md


def test_scenario_suite_passes(app):
    report = scenario_report(PROJECT / "scenarios.yaml", app.answer)
    assert report.total >= 25
    assert report.pass_rate >= PASS_RATE, failures_text(report)
