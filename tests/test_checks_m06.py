"""m06 安全に使う: what only this module checks (hints that name the broken rule, …). That the self-check and the grade
agree on every answer is tests/test_checks_code_modules.py."""

from __future__ import annotations

from aidojo.checks import evaluate
from tests import kadai
from tests.curriculum import load_fixture

MODULE = "m06"


def test_hints_name_the_rule_that_was_broken():
    mod11 = load_fixture(MODULE)["questions"]["m06.q1"]["wrong"][2]
    assert "(11 - r) % 11" in mod11
    result = evaluate("m06.q1", *kadai.values(MODULE, "m06.q1", mod11))
    assert any("余りが0か1" in h and "913909960300" in h for h in result.hints), result.hints
    global_faq = load_fixture(MODULE)["questions"]["m06.q4"]["wrong"][2]
    result = evaluate("m06.q4", *kadai.values(MODULE, "m06.q4", global_faq))
    assert any("引数の faq" in h for h in result.hints), result.hints


def test_held_back_hints_do_not_show_the_held_back_data():
    from aidojo.course.heldback import judge_locally, load_heldback

    always_true = "def is_my_number(number):\n    return True"
    result = judge_locally("m06.q1", kadai.values(MODULE, "m06.q1", always_true))
    secrets = [c.args["number"] for c in load_heldback(MODULE)["m06.q1"] if c.args["number"]]
    assert not result.ok and any("非公開" in h for h in result.hints)
    assert not any(s in h for s in secrets for h in result.hints), result.hints
    greedy = "def find_phones(text):\n    return re.findall(r'\\d+-\\d+-\\d+', text)"
    result = judge_locally("m06.q2", kadai.values(MODULE, "m06.q2", greedy))
    secrets = [p for c in load_heldback(MODULE)["m06.q2"] for p in c.expect] + ["2027-01-15", "12-3456-7890"]
    assert not result.ok and not any(s in h for s in secrets for h in result.hints), result.hints


def test_checks_use_the_offline_model_even_when_a_live_model_is_configured(monkeypatch):
    """A configured (here: unreachable) live model is never called by the self-check."""
    monkeypatch.setenv("AIDOJO_PROVIDER", "compatible")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    result = evaluate("m06.q4", *kadai.values(MODULE, "m06.q4"))
    assert result.ok, result.hints
