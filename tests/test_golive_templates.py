"""The go-live gate on the three citizen-facing templates: each ships ≥ 100 scenarios in every category, and
`aidojo eval --go-live` prints the same bytes twice offline and passes (figures: benchmarks/golive.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aidojo.evals import load_suite
from aidojo.evals.golive import BARS, MIN_PER_CATEGORY, MIN_SCENARIOS

REPO = Path(__file__).resolve().parents[1]
TEMPLATES = ("faq_bot", "gomi_guide", "doc_search")


@pytest.mark.parametrize("name", TEMPLATES)
def test_each_suite_has_100_scenarios_in_every_category(name):
    suite = load_suite(REPO / "hackathon_templates" / name / "scenarios.yaml")
    assert len(suite.scenarios) >= MIN_SCENARIOS
    for bar in BARS:
        n = sum(1 for s in suite.scenarios if s.category in bar.counts)
        assert n >= MIN_PER_CATEGORY, f"{name}: {bar.name} has {n} scenarios"
    assert all(s.expect.outcome() for s in suite.scenarios), "every scenario says what should happen"


@pytest.mark.slow
@pytest.mark.parametrize("name", TEMPLATES)
def test_go_live_report_is_byte_identical_twice_and_passes(name, tmp_path, request):
    from aidojo.cli import app

    suite = REPO / "hackathon_templates" / name / "scenarios.yaml"
    team_log = suite.parent / "logs" / "handoff.jsonl"
    before = team_log.read_bytes() if team_log.is_file() else None
    runs = [CliRunner().invoke(app, ["eval", str(suite), "--go-live", "--report", str(tmp_path / f"r{i}.txt"),
                                     "--log", str(tmp_path / "handoff.jsonl")]) for i in (1, 2)]
    assert (tmp_path / "r1.txt").read_bytes() == (tmp_path / "r2.txt").read_bytes()
    text = (tmp_path / "r1.txt").read_text(encoding="utf-8")
    assert text.startswith("公開判定：") and "適合率" in text and "再現率" in text
    assert (team_log.read_bytes() if team_log.is_file() else None) == before  # the team's log is untouched
    assert (tmp_path / "handoff.jsonl").is_file()  # the run's records went to its own file
    assert runs[0].exit_code == runs[1].exit_code == 0 and text.startswith("公開判定：合格"), text


@pytest.mark.slow
def test_show_scores_prints_each_scenarios_relevance_and_a_threshold_hint(tmp_path):
    """README: `aidojo eval scenarios.yaml --show-scores` shows where to set template.toml's min_relevance."""
    from aidojo.cli import app

    suite = REPO / "hackathon_templates" / "faq_bot" / "scenarios.yaml"
    res = CliRunner().invoke(app, ["eval", str(suite), "--show-scores", "--log", str(tmp_path / "handoff.jsonl"),
                                   "--report", str(tmp_path / "scores.txt")])
    assert res.exit_code == 0, res.output
    text = (tmp_path / "scores.txt").read_text(encoding="utf-8")
    assert text.startswith("検索スコア（高い順）") and "しきい値の目安：answerable の最低" in text
    rows = [line.split() for line in text.splitlines()[2:] if re.match(r"\s+\d\.\d\d\s", line)]
    assert len(rows) >= 50 and all(0.0 <= float(row[0]) <= 1.0 for row in rows)  # Hit.relevance, one scale
    scores = [float(row[0]) for row in rows]
    assert scores == sorted(scores, reverse=True)
