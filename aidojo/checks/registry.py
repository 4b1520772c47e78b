"""Question registry: ``check("m02.q3")`` finds the question's checker in ``aidojo.checks.m02``.

Each module file registers its questions with :func:`question`. A checker takes the learner's
values and returns a :class:`CheckResult`; the same checker serves the instant ``check(...)`` cell
and the nbgrader tests (:func:`require`), so feedback and grades never disagree.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Checker = Callable[..., "CheckResult"]


@dataclass
class CheckResult:
    """The outcome of one check: passed or not, and hints in Japanese saying what to fix."""

    ok: bool
    hints: list[str] = field(default_factory=list)
    score: float = 0.0  # share of the requirements met, 0..1
    praise: str = "よくできました。"

    def __str__(self) -> str:
        if self.ok:
            return f"✅ {self.praise}"
        return "\n".join(["❌ もう少しです。"] + [f"・{h}" for h in self.hints])

    def _repr_html_(self) -> str:
        import html

        colour = "#1a7f37" if self.ok else "#b42318"
        body = "<br>".join(html.escape(line) for line in str(self).splitlines())
        return f'<div style="border-left:4px solid {colour};padding:4px 10px;font-size:1.05em">{body}</div>'


@dataclass(frozen=True)
class Question:
    """A registered question: its id, which notebook variables it reads, and its checker."""

    qid: str
    reads: tuple[str, ...]
    checker: Checker
    title: str = ""


_REGISTRY: dict[str, Question] = {}


def question(qid: str, *, reads: tuple[str, ...] = ("プロンプト",), title: str = "") -> Callable[[Checker], Checker]:
    """Decorator: register ``checker`` as question ``qid`` (e.g. ``"m02.q3"``)."""

    def wrap(checker: Checker) -> Checker:
        _REGISTRY[qid] = Question(qid, reads, checker, title)
        return checker

    return wrap


def get_question(qid: str) -> Question:
    """Find a question, importing ``aidojo.checks.<module>`` on first use."""
    if qid not in _REGISTRY:
        module = qid.split(".")[0]
        try:
            importlib.import_module(f"aidojo.checks.{module}")
        except ModuleNotFoundError as exc:
            raise KeyError(f"問題ID {qid!r} が見つかりません（aidojo.checks.{module} がありません）") from exc
    if qid not in _REGISTRY:
        raise KeyError(f"問題ID {qid!r} が見つかりません。セルの check(\"…\") の番号を確認してください。")
    return _REGISTRY[qid]


def _values_from_caller(q: Question, frame_depth: int) -> list[Any]:
    frame = inspect.stack()[frame_depth].frame
    namespace = {**frame.f_globals, **frame.f_locals}
    missing = [name for name in q.reads if name not in namespace]
    if missing:
        raise NameError("変数 " + "、".join(missing) + " がまだありません。上の答えのセルを先に実行してください（Shift+Enter）。")
    return [namespace[name] for name in q.reads]


def evaluate(qid: str, *values: Any) -> CheckResult:
    """Run question ``qid``'s checker on ``values`` (no printing)."""
    q = get_question(qid)
    try:
        return q.checker(*values)
    except Exception as exc:  # a learner's broken value must give a hint, not a traceback
        return CheckResult(False, [f"答えを調べる途中でエラーになりました（{type(exc).__name__}: {exc}）。答えの形を確認してください。"])


def check(qid: str, *values: Any) -> CheckResult:
    """Instant feedback in a notebook: ✅, or ❌ with Japanese hints. Reads the answer variables itself."""
    q = get_question(qid)
    if not values:
        values = tuple(_values_from_caller(q, 2))
    return evaluate(qid, *values)


def require(qid: str, *values: Any) -> CheckResult:
    """The graded cell's line in a learner's notebook: shows ✅, or ❌ with a one-line hint; never raises.

    Grading never runs this cell: the grader reads the answer and calls the same judge itself. (Under the
    legacy in-kernel grading, marked by ``NBGRADER_EXECUTION``, it still raises so that nbgrader sees a failure.)
    """
    import os

    q = get_question(qid)
    if not values:
        values = tuple(_values_from_caller(q, 2))
    result = evaluate(qid, *values)
    if os.environ.get("NBGRADER_EXECUTION") and not result.ok:
        raise AssertionError("\n".join(result.hints) or "不正解です。")
    return result


def registered() -> dict[str, Question]:
    """All questions registered so far (for tests)."""
    return dict(_REGISTRY)
