"""The one judge: turns an answer (text questions) or observations (code questions) into a CheckResult.

The learner's ``check()`` and the grader call these same functions: the notebook with the public cases, the
grader with the public and the held-back cases. Judging never runs learner code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from aidojo.checks.result import CheckResult
from aidojo.checks.spec import Case, CodeQuestion, Observation, TextQuestion

NOT_WRITTEN = "まだ答えが書かれていません。`raise NotImplementedError()` の行を消して、関数の中身を書いてください。"
OFFLINE_NOTE = "（この確認は、設定にかかわらず練習用オフラインモデルで行いました。採点も同じです。）"
MAX_TEXT_ANSWER = 20_000


def case_label(case: Case) -> str:
    """How a hint names a case: its note for shown cases, a description only for held-back ones."""
    if case.hidden:
        return f"非公開の確認用データ（{case.note}）" if case.note else "非公開の確認用データ"
    return case.note or f"ケース {case.id}"


def failure_hint(case: Case, obs: Observation, timeout: float | None = None) -> str | None:
    """The hint for an observation that did not run to the end (None when it did)."""
    if obs.missing:
        return f"{case_label(case)}：確認の前に実行が止まったため、調べられませんでした（前のセルのエラーや終わらない処理を直してください）。"
    if obs.timeout:
        limit = f"{timeout:g}秒" if timeout else "制限時間"
        return (f"{case_label(case)}：{limit}たっても終わりませんでした。終わらないループ（while True など）や、"
                "長すぎる待ち時間（time.sleep）がないか確認してください。")
    if obs.crashed:
        return (f"{case_label(case)}：関数を呼んだところ、Python自体が止まってしまいました。"
                "os._exit や exit()、大きすぎるデータを作っていないか確認してください。")
    if obs.error == "NotImplementedError":
        return NOT_WRITTEN
    if obs.error == "NameError":  # a held-back case never echoes the message: the learner's code could write it
        detail = "" if case.hidden else f"（{obs.message}）"
        return f"関数がまだ定義されていないか、名前が違います{detail}。答えのセルを実行しましたか？"
    if obs.error:
        detail = f"（{obs.error}: {obs.message}）" if obs.message and not case.hidden else f"（{obs.error}）"
        return f"{case_label(case)}で関数を呼ぶとエラーになりました{detail}。"
    return None


def _strings(value: Any, out: set[str], depth: int = 0) -> None:
    """The values (not the keys: those name fields of the observer's own result) found in ``value``."""
    if depth > 20 or len(out) > 2000:
        return
    if isinstance(value, str):
        out.add(value)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        out.add(str(value))
    elif isinstance(value, dict):
        for v in value.values():
            _strings(v, out, depth + 1)
    elif isinstance(value, list):
        for v in value:
            _strings(v, out, depth + 1)


def scrub(hint: str, obs: Observation, case: Case | None = None) -> str:
    """A held-back case's hint without its inputs and without any value the learner's code reported: a learner
    must not be able to read held-back inputs back out of a feedback page by echoing them into a result."""
    found: set[str] = set()
    _strings(obs.value, found)
    _strings(obs.message, found)
    if case is not None:
        _strings(dict(case.args), found)
    for text in sorted(found, key=len, reverse=True):
        if len(text) >= 3 and text in hint:
            hint = hint.replace(text, "…")
    return hint


def judge_code(question: CodeQuestion, cases: Sequence[Case], observations: Mapping[str, Observation], *,
               timeout: float | None = None) -> CheckResult:
    """Judge every case from its observation (a missing one fails); ok only when all cases are met."""
    hints: list[str] = []
    met = 0
    for case in cases:
        obs = observations.get(case.id, Observation(missing=True))
        hint = failure_hint(case, obs, timeout)  # built from the case and fixed texts only: never scrubbed
        judged = hint is None
        if hint is None:
            try:
                hint = question.judge(case, obs)
            except Exception as exc:  # a malformed observation must fail the case, not the grader
                hint = f"{case_label(case)}：結果の形が正しくありません（{type(exc).__name__}）。戻り値の形を確認してください。"
        if hint is None:
            met += 1
        else:
            hints.append(scrub(hint, obs, case) if case.hidden and judged else hint)
    total = len(cases)
    ok = total > 0 and met == total
    return CheckResult(ok, hints, met / total if total else 0.0, praise=question.praise,
                       note=OFFLINE_NOTE if question.uses_model else "")


def judge_text(question: TextQuestion, values: Sequence[Any]) -> CheckResult:
    """Judge a text answer with the question's checker (a broken value gives a hint, not a traceback)."""
    for value in values:
        if isinstance(value, str) and len(value) > MAX_TEXT_ANSWER:
            return CheckResult(False, [f"答えが長すぎます（{MAX_TEXT_ANSWER:,}字まで）。必要なところだけを書いてください。"])
    try:
        return question.checker(*values)
    except Exception as exc:
        return CheckResult(False, [f"答えを調べる途中でエラーになりました（{type(exc).__name__}）。答えの形を確認してください。"])


def graded(ok_count: int, total: int, hints: list[str]) -> CheckResult:
    """A result from counted requirements (unique hints, score = share met) for text checkers."""
    hints = list(dict.fromkeys(hints))
    return CheckResult(not hints and ok_count == total, hints, ok_count / total if total else 0.0)
