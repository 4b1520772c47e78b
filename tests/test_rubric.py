"""The prompt rubric and the m01–m03 checkers, in pure Python (fast): the same logic nbgrader runs."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from aidojo.checks import evaluate, registered, rubric
from aidojo.checks.notebook import Conversation, Playground, ask, mirror_html
from aidojo.checks.registry import check, require

REPO = Path(__file__).resolve().parents[1]
FIXTURES = {m: yaml.safe_load((REPO / "tests" / "fixtures" / "answers" / f"{m}.yaml").read_text(encoding="utf-8"))
            for m in ("m01", "m02", "m03", "e01")}
STUB = "\n# ここに答えを書いてください\nraise NotImplementedError()\n"  # what an old-style untouched exercise held


def _cases(kind: str):
    for data in FIXTURES.values():
        for qid, q in data["questions"].items():
            values = [q["solution"]] if kind == "solution" else q[kind]
            for i, value in enumerate(values):
                yield pytest.param(qid, value, id=f"{qid}-{kind}{i}")


@pytest.mark.parametrize("qid, value", list(_cases("solution")) + list(_cases("correct")))
def test_correct_answers_pass(qid, value):
    result = evaluate(qid, value)
    assert result.ok, result.hints
    assert result.score == 1.0


@pytest.mark.parametrize("qid, value", list(_cases("wrong")))
def test_wrong_answers_fail_with_japanese_hints(qid, value):
    result = evaluate(qid, value)
    assert not result.ok
    assert result.hints and all(any("\u3040" <= ch <= "\u30ff" for ch in h) for h in result.hints), result.hints


@pytest.mark.parametrize("qid", [q for d in FIXTURES.values() for q in d["questions"]])
def test_untouched_answer_fails(qid):
    result = evaluate(qid, STUB)
    assert not result.ok and result.hints


def test_every_question_has_fixtures_with_two_other_correct_answers():
    questions = {q for q in registered() if q.split(".")[0] in FIXTURES}
    fixture_ids = {q for d in FIXTURES.values() for q in d["questions"]}
    assert questions == fixture_ids
    assert not [q for q in registered() if q.endswith(".hidden")]  # one judge: no hidden variants
    for data in FIXTURES.values():
        for qid, q in data["questions"].items():
            assert len(q["correct"]) >= 2 and len(q["wrong"]) >= 2, qid
            assert all(c.strip() != q["solution"].strip() for c in q["correct"]), qid


# --- the rubric itself --------------------------------------------------------------------------


def test_clean_answer_drops_nbgrader_stub():
    assert rubric.clean_answer(STUB) == ""
    assert rubric.clean_answer(STUB + "要約してください") == "要約してください"
    assert rubric.clean_answer(["A", "C"]) == "A、C"
    assert rubric.clean_answer(None) == ""


def test_five_elements_with_hints_for_missing_ones():
    result = rubric.evaluate("防災フェアのお知らせを書いて。", rubric.five_elements())
    assert set(result.met) == {"instruction"}
    assert "出力形式が指定されていません。箇条書き・表・見出しなど、答えの形を指定しましょう。" in result.hints
    assert result.score == pytest.approx(0.2)
    full = rubric.evaluate("あなたは市の広報担当です。市民向けに配るため、お知らせを作成してください。200字以内で、箇条書きにしてください。",
                           rubric.five_elements())
    assert full.ok, full.hints


@pytest.mark.parametrize("prompt", [
    "【役割】市の広報担当\n【目的】高齢者にも伝わるお知らせにする\n【指示】次の文を書き換える\n【条件】一文を短く\n【出力形式】箇条書き",
    "You are a city press officer. Write a notice for residents so that they come to the fair. Keep it within 300 characters. Use bullet points.",
    "市の広報担当として、市報に載せるために、防災フェアの告知文を作ってください。250字程度、見出しと本文の形で。",
])
def test_five_elements_in_other_phrasings(prompt):
    result = rubric.evaluate(prompt, rubric.five_elements())
    assert result.ok, result.hints


def test_empty_template_headings_do_not_count():
    result = rubric.evaluate("【役割】\n【目的】\n【指示】要約してください\n【制約】\n【出力形式】", rubric.five_elements())
    assert "role" not in result.met and "purpose" not in result.met
    assert "instruction" in result.met


def test_words_in_the_quoted_source_are_not_the_learners_own():
    source = "保育園に入れないので困っています。至急対応してください。"
    prompt = f"次の意見を読んで。\n###\n{source}\n###"
    result = rubric.evaluate(prompt, [rubric.element("constraints")], sources=[source])
    assert not result.ok  # 「入れない」「してください」 are the citizen's words, not a constraint
    undelimited = rubric.evaluate(f"次の意見を読んで。\n{source}", [rubric.element("constraints")], sources=[source])
    assert not undelimited.ok


@pytest.mark.parametrize("prompt", [
    'これを要約して。\n"""\n本文です。長い本文です。\n"""',
    "これを要約して。\n```\n本文です。長い本文です。\n```",
    "これを要約して。\n###\n本文です。長い本文です。\n###",
    "これを要約して。\n<text>\n本文です。長い本文です。\n</text>",
    "これを要約して。\n【本文】\n本文です。長い本文です。",
    "これを要約して。\n【申請書】\n本文です。長い本文です。",
    "<申請>の中を要約して。\n<申請>\n本文です。長い本文です。\n</申請>",
])
def test_delimiters(prompt):
    assert rubric.evaluate(prompt, [rubric.delimited_source("本文です。長い本文です。")]).ok


def test_undelimited_source_is_reported():
    result = rubric.evaluate("これを要約して。本文です。長い本文です。", [rubric.delimited_source("本文です。長い本文です。")])
    assert result.hints and "区切" in result.hints[0]


@pytest.mark.parametrize("phrase", [
    "資料にないことは書かないでください。", "資料に書かれていないことは書かないこと。", "記録の内容だけに基づいて書いてください。",
    "推測で補わないでください。", "事実を勝手に追加しないこと。", "本文に記載のない情報は含めない。",
    "与えた情報のみを使ってください。", "分からないことは「分からない」と書いてください。",
])
def test_no_new_facts_phrasings(phrase):
    assert rubric.evaluate("要約してください。" + phrase, [rubric.no_new_facts()]).ok


@pytest.mark.parametrize("phrase", ["要約してください。", "事実を正確に書いてください。", "資料を読んでください。"])
def test_no_new_facts_not_fooled(phrase):
    assert not rubric.evaluate(phrase, [rubric.no_new_facts()]).ok


def test_length_limit_bounds():
    assert rubric.evaluate("200字以内で", [rubric.length_limited(400)]).ok
    assert not rubric.evaluate("800字以内で", [rubric.length_limited(400)]).ok
    assert not rubric.evaluate("短くして", [rubric.length_limited()]).ok


def test_few_shot_and_steps():
    assert rubric.evaluate("例1：バスが少ない → 交通\n例2：ごみが多い → ごみ", [rubric.few_shot(2)]).ok
    assert not rubric.evaluate("例1：バスが少ない → 交通", [rubric.few_shot(2)]).ok
    for prompt in ("次の手順で確認してください。", "まず要件を読み、次に申請書と比べ、最後に判定して。", "1. 要件を読む\n2. 比べる\n3. 判定する"):
        assert rubric.evaluate(prompt, [rubric.steps()]).ok, prompt
    assert not rubric.evaluate("確認してください。", [rubric.steps()]).ok


def test_choices_and_pairs_in_many_forms():
    assert rubric.parse_choices("Ａ・Ｃ", "ABCDE") == ["A", "C"]
    assert rubric.parse_choices("ACD", "ABCDE") == ["A", "C", "D"]
    assert rubric.parse_choices("③と⑤", "12345") == ["3", "5"]
    assert rubric.parse_choices(STUB, "ABCDE") == []
    assert rubric.parse_pairs("A→①、C→②", "ABCDE") == {"A": "1", "C": "2"}


def test_template_check_swaps_the_source():
    reqs = lambda src: [rubric.delimited_source(src), rubric.length_limited()]  # noqa: E731
    old, new = "青葉地区の記録です。バスが少ない。", "桜台地区の記録です。信号がない。"
    good = f"200字以内で要約してください。\n###\n{old}\n###"
    assert rubric.template_check(good, reqs, old, new).ok
    assert rubric.swap_source(good, old, new).count(new) == 1
    bad = f"200字以内で要約してください。{old}"
    assert not rubric.template_check(bad, reqs, old, new).ok


def test_result_lines_show_evidence_and_hints():
    result = rubric.evaluate("あなたは広報担当です。", [rubric.element("role"), rubric.element("output_format")])
    text = str(result)
    assert "○ 役割：「あなたは広報担当です」" in text
    assert "× 出力形式：出力形式が指定されていません" in text
    assert "×" in result._repr_html_()


# --- check()/require() read the notebook variable ---------------------------------------------


def test_check_and_require_read_the_callers_variable():
    答え = "A, C, D"  # noqa: F841  (read by check() from this frame)
    assert check("m01.q1").ok
    require("m01.q1")
    答え = "B"  # noqa: F841
    result = check("m01.q1")
    assert not result.ok and "×" in str(result)
    line = repr(require("m01.q1"))  # the graded cell shows one line and never raises (Run All reaches the end)
    assert line.startswith("×") and "ルールに反する" in line and "\n" not in line


# --- ask() and the playground, through the real offline client --------------------------------


def test_ask_answers_from_the_source_with_the_offline_model():
    reply = ask("次の###の資料だけを使って答えてください。\n###\n貸出期間は14日間です。\n###\n質問：貸出期間は何日ですか？")
    assert "14日間" in reply and reply.error is None
    assert "AIの回答" in reply._repr_html_()


def test_ask_empty_prompt_explains_instead_of_calling():
    reply = ask(STUB)
    assert reply.error == "empty" and "空" in reply


def test_ask_shows_japanese_error_when_backend_is_down(monkeypatch, port):
    monkeypatch.setenv("AIDOJO_PROVIDER", "compatible")
    monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{port}/v1")
    monkeypatch.setenv("AIDOJO_MAX_RETRIES", "0")
    monkeypatch.setenv("AIDOJO_TIMEOUT", "5")
    reply = ask("こんにちは")
    assert reply.error == "connection"
    assert "接続できませんでした" in reply and "AIを呼び出せませんでした" in reply._repr_html_()


def test_conversation_follow_up_refines_the_previous_answer():
    talk = Conversation()
    record = "バスが少ないという意見が出た。街灯が暗いという声があった。公園の遊具が古いという要望があった。ごみの出し方の質問があった。"
    first = talk.ask(f"次の###で囲んだ記録を要約してください。\n###\n{record}\n###")
    second = talk.ask("2点の箇条書きにしてください。")
    assert first and second.count("・") == 2
    assert len(talk.messages) == 4


def test_playground_sends_and_mirrors_elements():
    pg = Playground("防災フェアのお知らせを書いて。")
    assert "(1/5)" in pg.mirror.value.replace("（", "(").replace("）", ")")
    pg.text.value = "あなたは市の広報担当です。市民向けに配るため、お知らせを作成してください。200字以内で、箇条書きにしてください。"
    assert "(5/5)" in pg.mirror.value.replace("（", "(").replace("）", ")")  # updates while typing
    pg.button.click()
    assert "AIの回答" in pg.answer.value
    pg.clear_button.click()
    assert pg.text.value == "" and pg.answer.value == ""
    assert "×" in mirror_html("") and "❌" not in mirror_html("")  # marks every Japanese font has
