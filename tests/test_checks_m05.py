"""m05 データ×AI: what only this module checks (hints that name the broken rule, …). That the self-check and the grade
agree on every answer is tests/test_checks_code_modules.py."""

from __future__ import annotations

from aidojo.checks import evaluate
from tests import kadai

MODULE = "m05"


def test_hints_name_the_rule_that_was_broken():
    substring = ("def classify_opinion(client, text):\n"
                 "    prompt = '次の###の意見を' + '、'.join(CATEGORIES) + 'のどれかに分類してください。\\n###\\n' + text + '\\n###'\n"
                 "    r = client.chat.completions.create(model=aidojo.llm.model_name(), messages=[{'role': 'user', 'content': prompt}])\n"
                 "    reply = r.choices[0].message.content or ''\n"
                 "    for c in CATEGORIES:\n"
                 "        if c in reply:\n"
                 "            return c\n"
                 "    return 'その他'\n")
    result = evaluate("m05.q1", *kadai.values(MODULE, "m05.q1", substring))
    assert any("まったく同じ" in h for h in result.hints), result.hints
    nan = "def count_by_category(df):\n    return df['カテゴリ'].value_counts().reindex(CATEGORIES)"
    result = evaluate("m05.q2", *kadai.values(MODULE, "m05.q2", nan))
    assert any("fill_value=0" in h for h in result.hints), result.hints


def test_held_back_hints_do_not_show_the_held_back_data():
    from aidojo.course.heldback import judge_locally, load_heldback

    always = "def build_summary_prompt(category, opinions):\n    return f'{category}の意見を要約してください。\\n###\\n{opinions[0]}\\n###'"
    result = judge_locally("m05.q4", kadai.values(MODULE, "m05.q4", always))
    secret = [o for c in load_heldback(MODULE)["m05.q4"] for o in c.args["opinions"]] + ["防災"]
    assert not result.ok and any("非公開" in h for h in result.hints), result.hints
    assert not any(s in h for s in secret for h in result.hints), result.hints


def test_checks_use_the_offline_model_even_when_a_live_model_is_configured(monkeypatch):
    """A configured (here: unreachable) live model is never called by the self-check."""
    monkeypatch.setenv("AIDOJO_PROVIDER", "compatible")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    result = evaluate("m05.q1", *kadai.values(MODULE, "m05.q1"))
    assert result.ok, result.hints
    assert "オフラインモデル" in str(result)
