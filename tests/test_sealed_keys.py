"""Choice keys are sealed: the package holds digests that agree with the plain keys in grader/keys/, and no plain key."""

from __future__ import annotations

import inspect
import re
import tomllib
from pathlib import Path

from aidojo.checks import e01, m01
from aidojo.checks.sealed import seal

REPO = Path(__file__).resolve().parents[1]


def _keys(module: str) -> dict:
    return tomllib.loads((REPO / "grader" / "keys" / f"{module}.toml").read_text(encoding="utf-8"))


def test_m01_digests_agree_with_the_plain_keys():
    keys = _keys("m01")
    breaking = keys["m01.q1"]["breaking"]
    want_q1 = {x: seal("m01.q1", f"{x}:{'違反' if x in breaking else '問題なし'}") for x in m01.PROMPTS}
    assert m01.Q1_SEALS == want_q1, f"paste into aidojo/checks/m01.py: Q1_SEALS = {want_q1}"
    rule_of = keys["m01.q2"]["rule_of"]
    want_q2 = {x: seal("m01.q2", f"{x}={rule_of.get(x, '-')}") for x in m01.PROMPTS}
    assert m01.Q2_SEALS == want_q2, f"paste into aidojo/checks/m01.py: Q2_SEALS = {want_q2}"
    unsupported = keys["m01.q3"]["unsupported"]
    want_q3 = {n: seal("m01.q3", f"{n}:{'資料にない' if n in unsupported else '資料どおり'}") for n in m01.AI_ANSWER_Q3}
    assert m01.Q3_SEALS == want_q3, f"paste into aidojo/checks/m01.py: Q3_SEALS = {want_q3}"


def test_e01_digests_agree_with_the_plain_keys():
    keys = _keys("e01")
    for qid, options, seals in (("e01.q1", e01.RULE_STATEMENTS, e01.Q1_SEALS), ("e01.q2", e01.MISTAKE_ACTIONS, e01.Q2_SEALS),
                                ("e01.q3", e01.PROGRAMME_ITEMS, e01.Q3_SEALS)):
        right = keys[qid]["right"]
        want = {x: seal(qid, f"{x}:{'正' if x in right else '誤'}") for x in options}
        assert seals == want, f"paste into aidojo/checks/e01.py for {qid}: {want}"


def test_the_plain_keys_are_not_in_the_package():
    for module in (m01, e01):
        source = inspect.getsource(module)
        for name in ("BREAKING", "RULE_OF", "UNSUPPORTED", "RIGHT", "KEY", "ANSWER"):
            assert not re.search(rf"^{name}\s*[:=]", source, re.M), f"{module.__name__} assigns {name}"
        assert not re.search(r"\[\s*\"[A-H1-5]\"(?:\s*,\s*\"[A-H1-5]\")+\s*\]", source), f"{module.__name__} holds a list of options"
