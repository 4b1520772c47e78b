"""Run a suite against a target and collect a :class:`Report`."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aidojo.evals.asserts import check
from aidojo.evals.report import Report, ScenarioResult
from aidojo.evals.suite import Scenario, Suite
from aidojo.evals.targets import Target, resolve_target


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
                              seconds=time.perf_counter() - t, error=msg)
    dt = time.perf_counter() - t
    fails = check(scenario.expect, response)
    return ScenarioResult(scenario.id, scenario.category, scenario.question, scenario.weight, not fails, fails,
                          response.text, response.handoff, response.citations, dt)


def run_suite(suite: Suite, target: str | Callable[..., Any] | None = None, *, api_name: str = "/answer",
              progress: Callable[[ScenarioResult], None] | None = None) -> Report:
    """Run every scenario of ``suite`` against ``target`` (a spec, a function, or the suite's own target)."""
    spec = target if target is not None else suite.target
    if spec is None:
        from aidojo.evals.targets import TargetError

        raise TargetError(f"{suite.name}: ターゲットが指定されていません（--target か、スイートの target: を書いてください）")
    fn = resolve_target(spec, suite.base_dir, api_name=api_name) if isinstance(spec, str) else resolve_target(spec)
    name = spec if isinstance(spec, str) else getattr(spec, "__name__", "function")
    t = time.perf_counter()
    results = []
    for scenario in suite.scenarios:
        result = run_scenario(scenario, fn, suite.base_dir)
        results.append(result)
        if progress:
            progress(result)
    return Report(suite.name, str(name), results, time.perf_counter() - t)
