"""Run a suite against a target and collect a :class:`Report` (once, or ``repeat`` times for stability)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from aidojo.evals.asserts import check
from aidojo.evals.report import Report, ScenarioResult
from aidojo.evals.suite import Scenario, Suite
from aidojo.evals.targets import Target, resolve_target

# An app built from a template writes its handoff records to the file this variable names when it is set:
# suite runs and judging point it at their own file, so test events never reach the team's real log.
HANDOFF_LOG_ENV = "AIDOJO_HANDOFF_LOG"


@contextmanager
def eval_log(path: str | Path | None) -> Iterator[Path | None]:
    """While inside, apps log handoffs to ``path`` (``HANDOFF_LOG_ENV``); the previous value comes back after."""
    if path is None:
        yield None
        return
    path = Path(path).resolve()
    before = os.environ.get(HANDOFF_LOG_ENV)
    os.environ[HANDOFF_LOG_ENV] = str(path)
    try:
        yield path
    finally:
        if before is None:
            os.environ.pop(HANDOFF_LOG_ENV, None)
        else:
            os.environ[HANDOFF_LOG_ENV] = before


def run_scenario(scenario: Scenario, target: Target, base_dir: Path | None = None) -> ScenarioResult:
    """Send one scenario's input to ``target`` and check the asserts; an exception fails the scenario.

    ``input.files`` are passed as absolute paths, relative ones taken from ``base_dir`` (the suite's folder).
    """
    files = [str((base_dir or Path.cwd()) / f) for f in scenario.input.files]
    t = time.perf_counter()
    try:
        response = target(scenario.question, scenario.input.context, files)
    except Exception as exc:  # noqa: BLE001 - the target's own failure is a result, not a crash
        msg = f"ターゲットがエラーで止まりました: {type(exc).__name__}: {exc}"
        return ScenarioResult(scenario.id, scenario.category, scenario.question, scenario.weight, False, [msg],
                              seconds=time.perf_counter() - t, error=msg, expected=scenario.expect.outcome())
    dt = time.perf_counter() - t
    fails = check(scenario.expect, response)
    return ScenarioResult(scenario.id, scenario.category, scenario.question, scenario.weight, not fails, fails,
                          response.text, response.handoff, response.citations, dt, ask_back=response.ask_back,
                          score=response.score, reason=response.reason, expected=scenario.expect.outcome())


def _strictest(runs: list[ScenarioResult]) -> ScenarioResult:
    """The run that stands for a repeated scenario: the first failing run, else the first run."""
    return next((r for r in runs if not r.passed), runs[0])


def run_suite(suite: Suite, target: str | Callable[..., Any] | None = None, *, api_name: str = "/answer",
              progress: Callable[[ScenarioResult], None] | None = None, repeat: int = 1,
              log_path: str | Path | None = None) -> Report:
    """Run every scenario of ``suite`` against ``target`` (a spec, a function, or the suite's own target).

    With ``repeat`` > 1 each scenario runs that many times: it passes only when every run passed, and the
    report keeps all runs (``Report.repeats``) for the stability table. With ``log_path`` the app's handoff
    records go to that file (see :data:`HANDOFF_LOG_ENV`) while the suite runs.
    """
    if repeat < 1:
        raise ValueError("repeat は1以上にしてください")
    spec = target if target is not None else suite.target
    if spec is None:
        from aidojo.evals.targets import TargetError

        raise TargetError(f"{suite.name}: ターゲットが指定されていません（--target か、スイートの target: を書いてください）")
    with eval_log(log_path):
        fn = resolve_target(spec, suite.base_dir, api_name=api_name) if isinstance(spec, str) else resolve_target(spec)
        name = spec if isinstance(spec, str) else getattr(spec, "__name__", "function")
        t = time.perf_counter()
        results, repeats = [], []
        for scenario in suite.scenarios:
            runs = [run_scenario(scenario, fn, suite.base_dir) for _ in range(repeat)]
            result = _strictest(runs)
            results.append(result)
            if repeat > 1:
                repeats.append(runs)
            if progress:
                progress(result)
    return Report(suite.name, str(name), results, time.perf_counter() - t, repeats=repeats)
