"""Tests of the ごみ分別案内 template: the table and the suite agree, item extraction and matching, ask-back,
handoffs with a case number, the やさしい日本語 rewrite guard, the app through gradio_client, the scenario suite.

Expectations come from this project's own data (data/*.csv) and suite (scenarios.yaml): after replacing the table,
a failing test says which row, synonym or scenario to update.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from aidojo.hackathon.testing import failures_text, launched, scenario_report, scenarios
from aidojo.safety import read_handoff_log

PROJECT = Path(__file__).resolve().parents[1]  # paths relative to this project, wherever it was copied
SUITE = PROJECT / "scenarios.yaml"
PASS_RATE = 0.9  # the scenario suite must pass at least this share


def test_table_loads_and_its_attribution_is_shown(app):
    items = app.load_items()
    assert len(items) >= 10, f"{app.DATA_CSV} の品目が {len(items)} 件しかありません。"
    licence = PROJECT / "data" / "LICENSE-README.md"
    assert licence.is_file(), "data/LICENSE-README.md（データの出典とライセンス）を置いてください。"
    texts = json.dumps(app.demo.config["components"], ensure_ascii=False)
    assert app.ATTRIBUTION in texts, "画面に出典表示（app.py の ATTRIBUTION）が出ていません。"


def test_the_suite_cites_only_rows_of_this_table(app):
    ids = {i.citation for i in app.load_items()}
    stale = [f"scenarios.yaml {s.line}行目 {s.id}：出典 {c} は表にありません"
             for s in scenarios(SUITE) for c in s.expect.cites or [] if c not in ids]
    assert not stale, "表を差し替えたら、シナリオの cites も新しい表のIDに書き直してください。\n" + "\n".join(stale)


def test_synonyms_point_at_words_the_table_uses(app):
    path = PROJECT / "data" / "synonyms.csv"
    if not path.is_file():
        pytest.skip("data/synonyms.csv（言い換え）はありません")
    names = [app.key(i.name) for i in app.load_items()]
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    missing = [f"synonyms.csv {n}行目：「{r['表の言い方']}」を含む品目が表にありません"
               for n, r in enumerate(rows, start=2) if not any(app.key(r["表の言い方"]) in name for name in names)]
    assert not missing, "\n".join(missing)


@pytest.mark.parametrize(("question", "item"), [
    ("ペットボトルの捨て方を教えてください", "ペットボトル"),
    ("古い自転車はどうやって捨てますか", "自転車"),
    ("乾電池って何ゴミ？", "乾電池"),
    ("スプレー缶", "スプレー缶"),
    ("布団は？", "布団"),  # a full-width 「？」 and a trailing particle
    ("布団は?", "布団"),
    ("「ハンガー」ってどうする？", "ハンガー"),
    ("使わなくなった扇風機も出せますか", "扇風機"),
])
def test_extract_item(app, question, item):
    assert app.extract_item(question) == item


def test_every_50th_row_asked_by_its_name_is_found(app):
    items = app.load_items()
    missed = [f"ID-{i.id}「{i.name}」" for i in items[::50] if app.find_items(i.name)[0] == "none"]
    assert not missed, "品目名そのままで見つからない行があります（表記ゆれ・括弧の書き方を確認）：" + "、".join(missed)


def test_a_citizens_word_is_matched_through_synonyms(app, offline_only):
    match, items = app.find_items(app.extract_item("ペットボトルのキャップは何ごみ？"))
    assert match == "exact" and items[0].name == "ペットボトルのふた"


def test_items_sorted_differently_by_material_are_asked_back(app):
    ambiguous = scenarios(SUITE, "ambiguous")
    assert ambiguous, "scenarios.yaml に ambiguous（聞き返す品目）のシナリオを足してください。"
    result = app.answer(ambiguous[0].question)
    assert result["ask_back"] is True and result["handoff"] is False, f"{ambiguous[0].id} で聞き返しませんでした"
    assert len(result["citations"]) >= 2 and "どれにあたりますか" in result["answer"]


def test_unknown_item_hands_off_with_a_case_number_and_a_record(app, handoff_log):
    result = app.answer("ロケットエンジンの捨て方")
    assert result["handoff"] is True and result["citations"] == []
    assert "市の担当課にお問い合わせください" in result["answer"] and f"「{result['case_id']}」" in result["answer"]
    (record,) = read_handoff_log(handoff_log)
    assert record.case_id == result["case_id"] and record.reason == "low_retrieval_score"


def test_personal_data_is_not_echoed_nor_logged(app, handoff_log):
    result = app.answer("私の電話番号は090-1234-5678です。傘の捨て方は？")
    assert result["handoff"] is True and "090-1234-5678" not in result["answer"]
    assert "090-1234-5678" not in handoff_log.read_text(encoding="utf-8")


def _scripted(app, monkeypatch, reply):
    from aidojo.llm import scripted_client

    real = app.guarded_chat
    monkeypatch.setattr(app, "guarded_chat", lambda *a, **k: real(*a, client=scripted_client([reply]), **k))


def test_easy_japanese_keeps_category_and_citation(app):
    first = next(s for s in scenarios(SUITE, "answerable") if s.expect.cites)
    result = app.answer(first.question, easy=True)
    assert result["handoff"] is False and first.expect.cites[0] in result["answer"]
    assert "ごみ です" in result["answer"]


def test_a_garbled_rewrite_is_not_shown(app, monkeypatch):
    item = next(i for i in app.load_items() if i.point and app.key(i.name) in app._keys() and len(app._keys()[app.key(i.name)]) == 1)
    other = next(c for c in sorted(app.categories()) if c not in f"{item.category}{item.point}")
    _scripted(app, monkeypatch, f"これは「{other}」です。毎週月曜日の朝8時に出します。")  # a category and a time the row does not say
    result = app.answer(f"{item.name}の捨て方", easy=True)
    assert other not in result["answer"] and "月曜日" not in result["answer"]
    assert item.point.split("。")[0] in result["answer"] and "そのまま表示" in result["status"]


def test_a_backend_failure_still_shows_the_tables_own_note(app, monkeypatch, offline_only):
    from aidojo.hackathon.testing import free_port

    monkeypatch.setenv("AIDOJO_PROVIDER", "compatible")
    monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{free_port()}/v1")  # nothing listens there
    first = next(s for s in scenarios(SUITE, "answerable") if s.expect.cites)
    result = app.answer(first.question, easy=True)
    assert result["handoff"] is False and first.expect.cites[0] in result["answer"]
    assert "そのまま表示" in result["status"]


def test_a_fault_in_the_app_itself_becomes_a_handoff_not_an_error(app, monkeypatch, handoff_log):
    monkeypatch.setattr(app, "answer", lambda *a, **k: (_ for _ in ()).throw(KeyError("a team's bug")))
    body, status, result = app._ask("傘は何ごみ？", False)
    assert result["handoff"] is True and "担当課におつなぎします" in status and result["case_id"] in status
    assert read_handoff_log(handoff_log)[0].details.get("app_error") is True


@pytest.mark.slow
@pytest.mark.server
def test_app_through_gradio_client(app):
    from gradio_client import Client

    first = next(s for s in scenarios(SUITE, "answerable") if s.expect.cites)
    with launched(app.build_ui()) as url:
        client = Client(url, verbose=False)
        answer_md, status_md, details = client.predict(first.question, False, api_name="/ask")
        assert first.expect.cites[0] in answer_md and details["handoff"] is False
        answer_md, status_md, details = client.predict("タイムマシンはどうやって捨てますか", False, api_name="/ask")
        assert details["handoff"] is True and "担当課" in status_md and details["case_id"] in status_md


def test_scenario_suite_passes(app):
    report = scenario_report(SUITE, app.answer)
    assert report.total >= 25
    assert report.pass_rate >= PASS_RATE, failures_text(report)
