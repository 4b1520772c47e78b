"""Choice keys are sealed: the package holds digests that agree with the plain keys in grader/keys/, and no plain key."""

from __future__ import annotations

import inspect
import tomllib
from pathlib import Path

from aidojo.checks import m01
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


def test_the_plain_keys_are_not_in_the_package():
    source = inspect.getsource(m01)
    for name in ("BREAKING", "RULE_OF", "UNSUPPORTED"):
        assert name not in source
    assert '["A", "C", "D"]' not in source and '["3", "5"]' not in source
