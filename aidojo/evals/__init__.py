"""Scenario suites (YAML) and their runner: answers, handoffs, citations, PII leaks, JSON, length.

    from aidojo.evals import load_suite, run_suite
    report = run_suite(load_suite("scenarios.yaml"), "python:app.py:answer")
    print(report.summary_line()); report.write_junit("junit.xml"); report.write_csv("results.csv")
    from aidojo.evals.golive import judge, render; print(render(judge(report)))   # 公開判定
"""

from aidojo.evals.asserts import check
from aidojo.evals.report import HandoffMetrics, Report, ScenarioResult
from aidojo.evals.runner import HANDOFF_LOG_ENV, eval_log, run_scenario, run_suite
from aidojo.evals.suite import CATEGORIES, Expect, Scenario, ScenarioInput, Suite, SuiteError, load_suite, schema_json
from aidojo.evals.targets import Response, TargetError, parse_citations, resolve_target, to_response

__all__ = [
    "load_suite",
    "schema_json",
    "run_suite",
    "run_scenario",
    "resolve_target",
    "Suite",
    "Scenario",
    "ScenarioInput",
    "Expect",
    "Report",
    "ScenarioResult",
    "HandoffMetrics",
    "HANDOFF_LOG_ENV",
    "eval_log",
    "Response",
    "SuiteError",
    "TargetError",
    "CATEGORIES",
    "check",
    "parse_citations",
    "to_response",
]
