"""Scenario suites (YAML) and their runner: answers, handoffs, citations, PII leaks, JSON, length.

    from aidojo.evals import load_suite, run_suite
    report = run_suite(load_suite("scenarios.yaml"), "python:app.py:answer")
    print(report.summary_line()); report.write_junit("junit.xml"); report.write_csv("results.csv")
"""

from aidojo.evals.asserts import check
from aidojo.evals.report import Report, ScenarioResult
from aidojo.evals.runner import run_scenario, run_suite
from aidojo.evals.suite import CATEGORIES, Expect, Scenario, ScenarioInput, Suite, SuiteError, load_suite
from aidojo.evals.targets import Response, TargetError, parse_citations, resolve_target, to_response

__all__ = [
    "load_suite",
    "run_suite",
    "run_scenario",
    "resolve_target",
    "Suite",
    "Scenario",
    "ScenarioInput",
    "Expect",
    "Report",
    "ScenarioResult",
    "Response",
    "SuiteError",
    "TargetError",
    "CATEGORIES",
    "check",
    "parse_citations",
    "to_response",
]
