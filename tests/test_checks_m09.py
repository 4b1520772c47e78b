"""m09 評価: what only this module checks (hints that name the broken rule, …). That the self-check and the grade
agree on every answer is tests/test_checks_code_modules.py."""

from __future__ import annotations

from aidojo.checks import evaluate
from tests import kadai
from tests.curriculum import load_fixture

MODULE = "m09"


def test_hints_name_the_rule_that_was_broken():
    wrong = load_fixture(MODULE)["questions"]
    phone_only = next(code for code in wrong["m09.q3"]["wrong"] if "own phone-number rule" in code)
    result = evaluate("m09.q3", *kadai.values(MODULE, "m09.q3", phone_only))
    assert any("find_pii(question) が空でない" in h and "山田太郎" in h for h in result.hints), result.hints
    small = next(code for code in wrong["m09.q1"]["wrong"] if "only 10 scenarios" in code)
    result = evaluate("m09.q1", *kadai.values(MODULE, "m09.q1", small))
    assert any("20 個以上" in h for h in result.hints), result.hints


def test_held_back_hints_do_not_show_the_held_back_scenarios():
    from aidojo.course.heldback import judge_locally, load_heldback

    never = "def safe_answer(question):\n    return answer(question)"
    result = judge_locally("m09.q3", kadai.values(MODULE, "m09.q3", never))
    secrets = [c.args["question"] for c in load_heldback(MODULE)["m09.q3"]] + ["緑川", "1234 5678 9018", "8時30分"]
    assert not result.ok and any("非公開" in h for h in result.hints), result.hints
    assert not any(s in h for s in secrets for h in result.hints), result.hints


def test_a_suite_that_the_fixed_app_fails_or_that_finds_no_weakness_is_refused():
    from tests.kadai import values

    base = values(MODULE, "m09.q1")[0]
    too_strict = base.replace('contains: ["41,000円"]', 'contains: ["42,000円"]').replace('contains: ["14日以内"]', 'contains: ["7日以内"]')
    too_strict = too_strict.replace('contains: ["午前8時30分"]', 'contains: ["午前9時"]')  # 3 of 21 fail: under 90%
    result = evaluate("m09.q1", too_strict)
    assert not result.ok and any("期待が厳しすぎる" in h for h in result.hints), result.hints
    import re

    # personal data only in questions the manual cannot answer: the app before the fix hands them off anyway
    harmless = re.sub(r"(category: pii\n    input: )[^\n]*", r"\1山田太郎さんの、ふるさと納税の返礼品を教えてください", base)
    assert harmless.count("ふるさと納税") == 5
    result = evaluate("m09.q1", harmless)
    assert not result.ok and any("弱点" in h or "問題を1つも見つけていません" in h for h in result.hints), result.hints


def test_checks_use_the_offline_model_even_when_a_live_model_is_configured(monkeypatch):
    """A configured (here: unreachable) live model is never called by the self-check."""
    values = kadai.values(MODULE, "m09.q3")
    monkeypatch.setenv("AIDOJO_PROVIDER", "compatible")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    result = evaluate("m09.q3", *values)
    assert result.ok, result.hints
