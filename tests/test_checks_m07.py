"""m07 資料検索: what only this module checks (hints that name the broken rule, …). That the self-check and the grade
agree on every answer is tests/test_checks_code_modules.py."""

from __future__ import annotations

from aidojo.checks import evaluate
from tests import kadai
from tests.curriculum import load_fixture

MODULE = "m07"


def test_hints_name_the_rule_that_was_broken():
    wrong = load_fixture(MODULE)["questions"]["m07.q1"]["wrong"]
    triple = next(code for code in wrong if 'startswith("##")' in code)
    result = evaluate("m07.q1", *kadai.values(MODULE, "m07.q1", triple))
    assert any("「### 」で始まる行は見出しではなく本文です" in h for h in result.hints), result.hints
    global_threshold = next(code for code in load_fixture(MODULE)["questions"]["m07.q4"]["wrong"] if "< MIN_SCORE" in code)
    result = evaluate("m07.q4", *kadai.values(MODULE, "m07.q4", global_threshold))
    assert any("引数を使います" in h for h in result.hints), result.hints


def test_held_back_hints_do_not_show_the_held_back_manual():
    from aidojo.course.heldback import judge_locally, load_heldback

    hard_coded = ("def split_sections(text):\n"
                  "    return [{'title': t, 'body': ''} for t in ['2. 相談の受付時間と場所', '7. 申請に必要な書類']]")
    result = judge_locally("m07.q1", kadai.values(MODULE, "m07.q1", hard_coded))
    manual = load_heldback(MODULE)["m07.q1"][0].args["text"]
    titles = [line[3:] for line in manual.splitlines() if line.startswith("## ")]
    assert not result.ok and any("非公開" in h for h in result.hints)
    assert not any(t in h for t in titles for h in result.hints), result.hints


def test_checks_use_the_offline_model_even_when_a_live_model_is_configured(monkeypatch):
    """A configured (here: unreachable) live model is never called by the self-check."""
    monkeypatch.setenv("AIDOJO_PROVIDER", "compatible")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    result = evaluate("m07.q4", *kadai.values(MODULE, "m07.q4"))
    assert result.ok, result.hints
