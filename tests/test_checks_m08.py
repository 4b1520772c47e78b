"""m08 Gradioでアプリを作る: what only this module checks (hints that name the broken rule, …). That the self-check and the grade
agree on every answer is tests/test_checks_code_modules.py."""

from __future__ import annotations

from aidojo.checks import evaluate
from tests import kadai
from tests.curriculum import load_fixture

MODULE = "m08"


def test_hints_name_the_rule_that_was_broken():
    wrong = load_fixture(MODULE)["questions"]
    forgets = next(code for code in wrong["m08.q2"]["wrong"] if "forgets the earlier conversation" in code)
    result = evaluate("m08.q2", *kadai.values(MODULE, "m08.q2", forgets))
    assert any("前の会話は消さずに" in h for h in result.hints), result.hints
    every_column = next(code for code in wrong["m08.q3"]["wrong"] if "keeps every column" in code)
    result = evaluate("m08.q3", *kadai.values(MODULE, "m08.q3", every_column))
    assert any("ほかの列は入れません" in h for h in result.hints), result.hints


def test_held_back_hints_do_not_show_the_held_back_questions():
    from aidojo.course.heldback import judge_locally, load_heldback

    echo = ("def build_demo():\n"
            "    with gr.Blocks() as demo:\n"
            "        q = gr.Textbox(label='質問'); b = gr.Button('送信'); a = gr.Textbox(label='回答')\n"
            "        gr.Examples(['住宅扶助の上限額は？', '自動車は持てますか？'], inputs=q)\n"
            "        b.click(lambda x: answer(x) if '住宅' in x or 'ふるさと' in x else x, q, a, api_name='answer')\n"
            "    return demo\n")
    result = judge_locally("m08.q1", kadai.values(MODULE, "m08.q1", echo))
    questions = [q for c in load_heldback(MODULE)["m08.q1"] for q in c.args["questions"]]
    assert not result.ok and any("非公開" in h for h in result.hints), result.hints
    assert not any(q in h for q in questions for h in result.hints), result.hints


def test_checks_use_the_offline_model_even_when_a_live_model_is_configured(monkeypatch):
    """A configured (here: unreachable) live model is never called by the self-check."""
    values = kadai.values(MODULE, "m08.q2")  # the notebook's set-up cell itself asks the configured model
    monkeypatch.setenv("AIDOJO_PROVIDER", "compatible")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    result = evaluate("m08.q2", *values)
    assert result.ok, result.hints
