"""Question registry and the notebook-facing calls: ``check("m02.q3")`` and ``require("m02.q3")``.

Each ``aidojo/checks/mXX.py`` registers its questions with :func:`question` (text) or
:func:`code_question` (code). ``check`` judges the learner's current answer with the public cases and shows
○ or × with hints; ``require`` is the graded cell's one-line version and never raises. Grading does not run
either: the grader reads the answer itself and calls the same judge (``aidojo.checks.judging``).
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Sequence
from typing import Any

from aidojo.checks.judging import judge_code, judge_text
from aidojo.checks.observe import DEFAULT_CASE_TIMEOUT, observe_all
from aidojo.checks.result import CheckResult, OneLine
from aidojo.checks.spec import Case, CaseJudge, CodeQuestion, Observer, Question, TextQuestion

_REGISTRY: dict[str, Question] = {}


def question(qid: str, *, reads: tuple[str, ...] = ("プロンプト",), title: str = "") -> Callable:
    """Decorator: register ``checker(*values) -> CheckResult`` as text question ``qid`` (e.g. ``"m02.q3"``)."""

    def wrap(checker: Callable[..., CheckResult]) -> Callable[..., CheckResult]:
        _REGISTRY[qid] = TextQuestion(qid, tuple(reads), title, checker=checker)
        return checker

    return wrap


def code_question(qid: str, *, reads: tuple[str, ...], title: str = "", cases: Sequence[Case], observe: Observer,
                  judge: CaseJudge, praise: str = "よくできました。", uses_model: bool = False) -> CodeQuestion:
    """Register code question ``qid``: public ``cases``, an ``observe`` run on the learner's side, a ``judge``."""
    for case in cases:
        if case.hidden:
            raise ValueError(f"{qid}: a public case cannot be hidden ({case.id})")
    q = CodeQuestion(qid, tuple(reads), title, cases=tuple(cases), observe=observe, judge=judge, praise=praise,
                     uses_model=uses_model)
    _REGISTRY[qid] = q
    return q


def get_question(qid: str) -> Question:
    """Find a question, importing ``aidojo.checks.<module>`` on first use."""
    if qid not in _REGISTRY:
        module = qid.split(".")[0]
        if not module.isidentifier():
            raise KeyError(f"問題ID {qid!r} が見つかりません。")
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


def evaluate(qid: str, *values: Any, timeout: float = DEFAULT_CASE_TIMEOUT) -> CheckResult:
    """Judge ``values`` (the variables the question reads, in order) with the public cases."""
    q = get_question(qid)
    if len(values) != len(q.reads):
        return CheckResult(False, [f"{qid} は {'・'.join(q.reads)} の{len(q.reads)}つを調べます。"])
    if isinstance(q, TextQuestion):
        return judge_text(q, values)
    assert isinstance(q, CodeQuestion)
    named = dict(zip(q.reads, values))
    observations = dict(observe_all(q, named, q.cases, timeout=timeout))
    return judge_code(q, q.cases, observations, timeout=q.timeout or timeout)


def _collect(qid: str, values: tuple) -> tuple[Question, tuple] | CheckResult:
    try:
        q = get_question(qid)
        return q, values or tuple(_values_from_caller(q, 3))
    except (KeyError, NameError) as exc:
        return CheckResult(False, [exc.args[0] if exc.args else str(exc)])


def check(qid: str, *values: Any) -> CheckResult:
    """Instant feedback in a notebook: ○, or × with Japanese hints. Reads the answer variables itself."""
    found = _collect(qid, values)
    if isinstance(found, CheckResult):
        return found
    return evaluate(qid, *found[1])


def require(qid: str, *values: Any) -> OneLine:
    """The graded cell: the same judgement as ``check`` in one line. Never raises (Run All reaches the end)."""
    found = _collect(qid, values)
    if isinstance(found, CheckResult):
        return OneLine(found)
    return OneLine(evaluate(qid, *found[1]))


def registered() -> dict[str, Question]:
    """All questions registered so far (for tests)."""
    return dict(_REGISTRY)


def load_module_questions(module: str) -> dict[str, Question]:
    """Import ``aidojo.checks.<module>`` and return its questions."""
    importlib.import_module(f"aidojo.checks.{module}")
    return {qid: q for qid, q in _REGISTRY.items() if q.module == module}
