"""Run learner functions safely in checkers: a forked child with a time limit, and result helpers.

Shared by the code modules (m04–m09): an endless loop or a crash in a learner's function fails that one
question instead of hanging or killing the notebook (and, under nbgrader, the whole submission).
"""

from __future__ import annotations

import functools
import io
import multiprocessing
import os
import sys
import warnings
from collections.abc import Callable
from typing import Any

from aidojo.checks.registry import CheckResult

CHECK_TIMEOUT = float(os.environ.get("AIDOJO_CHECK_TIMEOUT") or 6)
NOT_WRITTEN = "まだ答えが書かれていません。`raise NotImplementedError()` の行を消して、関数の中身を書いてください。"


# --- running learner code safely -----------------------------------------------------------------


def _outcome(checker: Callable[..., CheckResult], args: tuple) -> CheckResult:
    try:
        return checker(*args)
    except NotImplementedError:
        return CheckResult(False, [NOT_WRITTEN])
    except Exception as exc:  # the learner's code failed: say how, as a hint
        return CheckResult(False, [f"関数を呼ぶとエラーになりました（{type(exc).__name__}: {exc}）。"])


def _child(conn, checker, args) -> None:  # pragma: no cover - runs in the forked child
    sys.stdout = sys.stderr = io.StringIO()  # learner prints stay in the child
    try:
        result = _outcome(checker, args)
        conn.send(CheckResult(result.ok, [str(h) for h in result.hints], float(result.score), result.praise))
    except BaseException as exc:  # SystemExit, KeyboardInterrupt, an unpicklable result
        conn.send(CheckResult(False, [f"関数の実行が途中で止まりました（{type(exc).__name__}）。"]))
    finally:
        conn.close()


def isolated(checker: Callable[..., CheckResult]) -> Callable[..., CheckResult]:
    """Run ``checker`` in a forked child with a time limit (in-process where fork is unavailable, e.g. Windows).

    Hand-written because the learner's functions live in the notebook's memory: only a fork can call them
    without taking the kernel down when they loop forever or call ``os._exit``.
    """

    @functools.wraps(checker)
    def run(*args: Any) -> CheckResult:
        if os.environ.get("AIDOJO_CHECK_ISOLATION", "1") == "0" or "fork" not in multiprocessing.get_all_start_methods():
            return _outcome(checker, args)
        ctx = multiprocessing.get_context("fork")
        receive, send = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_child, args=(send, checker, args), daemon=True)
        with warnings.catch_warnings():  # Python 3.12+ warns about fork() in a threaded kernel; the child only runs checks
            warnings.simplefilter("ignore", DeprecationWarning)
            proc.start()
        send.close()
        try:
            if receive.poll(CHECK_TIMEOUT):
                try:
                    return receive.recv()
                except EOFError:
                    pass  # the child died before answering
            elif proc.is_alive():
                return CheckResult(False, [f"{CHECK_TIMEOUT:g}秒たっても終わりませんでした。終わらないループ"
                                           "（while True など）や、長すぎる待ち時間（time.sleep）がないか確認してください。"])
            proc.join(1)
            return CheckResult(False, ["関数を呼んだところ、Python自体が止まってしまいました"
                                       f"（終了コード {proc.exitcode}）。os._exit や exit() を呼んでいないか確認してください。"])
        finally:
            receive.close()
            if proc.is_alive():
                proc.kill()
            proc.join(1)

    return run


def graded(ok_count: int, total: int, hints: list[str]) -> CheckResult:
    """A result from counted requirements (unique hints, score = share met)."""
    hints = list(dict.fromkeys(hints))
    return CheckResult(not hints and ok_count == total, hints, ok_count / total if total else 0.0)


def case_label(note: str, held_back: bool) -> str:
    """How a hint names a case: its text for shown cases, its description only for held-back ones."""
    return f"非公開の確認用データ（{note}）" if held_back else note
