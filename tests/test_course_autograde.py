"""The grading desk end to end on real modules (m01 text, m04 code): a run that grades, skips what did not change,
regrades a resubmission, never lets a worse attempt remove a pass from the ledger, writes a normal nbgrader
gradebook (``nbgrader export`` works), feedback in parallel without held-back data; a Dask cluster that gets
the material shipped with each task; nbgrader's exchange; a PostgreSQL gradebook."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from aidojo.course import autograde, generate_feedback
from aidojo.course.attempts import load_attempts
from aidojo.course.layout import CourseLayout
from aidojo.course.nbgrader_cli import run_nbgrader
from aidojo.course.simulate import learner_notebook
from tests.conftest import require

HELDBACK_INPUTS = ("児童手当の申請はどこでできますか", "住民税の納付書が届きません", "987654")


def _place(layout: CourseLayout, sid: str, module: str, nb: dict, stamp: str = "2026-11-30 10:00:00.000000 UTC") -> None:
    folder = layout.submitted_dir / sid / module
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{module}_kadai.ipynb").write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
    (folder / "timestamp.txt").write_text(stamp)


def _scores(db_url: str, module: str) -> dict[str, float]:
    from nbgrader.api import Gradebook

    with Gradebook(db_url, course_id="aidojo") as gb:
        return {d["student"]: d["score"] for d in gb.submission_dicts(module)}


def _need_bwrap() -> None:
    require(shutil.which("bwrap") is not None, "bubblewrap (Debian package bubblewrap) is not installed")


@pytest.mark.slow
def test_grade_skip_regrade_feedback_and_nbgrader_export(tmp_path):
    _need_bwrap()
    layout = CourseLayout(data_dir=tmp_path / "course")
    for module in ("m01", "m04"):
        for sid, kind in (("k10001", "right"), ("k10002", "partial"), ("k10003", "untouched")):
            _place(layout, sid, module, learner_notebook(module, f"{module}_kadai", kind))
    report = autograde(["m01", "m04"], layout=layout, workers=2, progress=False)
    text = report.text()
    assert _scores(layout.db_url, "m04") == {"k10001": 13, "k10002": 5, "k10003": 0}, text
    assert _scores(layout.db_url, "m01")["k10001"] == 8 and _scores(layout.db_url, "m01")["k10003"] == 0, text
    assert report.sandbox == "bwrap" and not report.failures

    again = autograde(["m01", "m04"], layout=layout, workers=2, progress=False)
    assert len(again.skipped) == 6 and not again.graded, again.text()

    # a worse resubmission is graded, and the ledger keeps the earlier pass (HR's records are monotone)
    _place(layout, "k10001", "m04", learner_notebook("m04", "m04_kadai", "untouched"), stamp="2026-11-30 11:00:00.000000 UTC")
    third = autograde(["m04"], layout=layout, workers=2, progress=False)
    assert [g.staff_id for g in third.graded] == ["k10001"] and _scores(layout.db_url, "m04")["k10001"] == 0
    ledger = [a for a in load_attempts(layout.data_dir) if a.staff_id == "k10001" and a.module == "m04"]
    assert [a.passed for a in ledger] == [True, False] and ledger[0].score == 13

    # nbgrader's own tools read the gradebook we wrote
    out = tmp_path / "grades.csv"
    proc = run_nbgrader(["export", f"--to={out}", *layout.overrides()], course_dir=layout.data_dir, check=False)
    assert proc.returncode == 0, proc.stderr
    with open(out, encoding="utf-8") as fh:
        rows = {(r["assignment"], r["student_id"]): float(r["score"]) for r in csv.DictReader(fh)}
    assert rows[("m01", "k10001")] == 8 and rows[("m04", "k10002")] == 5

    fb = generate_feedback(["m01", "m04"], layout=layout, workers=2)
    assert len(fb.files) == 6 and not fb.find(level="error"), fb.text()
    for page in fb.files:
        html = page.read_text(encoding="utf-8")
        assert "採点結果" in html and "得点" in html
        assert not [s for s in HELDBACK_INPUTS if s in html], page
    page = (layout.feedback_dir / "k10002" / "m04" / "m04_kadai.html").read_text(encoding="utf-8")
    assert "もう少しです" in page and "まだ答えが書かれていません" in page  # the judge's hints, in Japanese


@pytest.mark.slow
def test_dask_cluster_gets_the_material_with_each_task(tmp_path):
    """Workers run from a folder with no checkout: everything a run needs travels with the task."""
    _need_bwrap()
    from distributed import LocalCluster

    layout = CourseLayout(data_dir=tmp_path / "course")
    for sid, kind in (("k30001", "right"), ("k30002", "partial"), ("k30003", "untouched")):
        _place(layout, sid, "m04", learner_notebook("m04", "m04_kadai", kind))
    elsewhere = tmp_path / "worker-home"
    elsewhere.mkdir()
    with LocalCluster(processes=True, n_workers=2, threads_per_worker=1, dashboard_address=None,
                      local_directory=str(elsewhere)) as cluster:
        report = autograde(["m04"], dask_scheduler=cluster.scheduler_address, layout=layout, progress=False)
    assert report.workers == 2
    assert _scores(layout.db_url, "m04") == {"k30001": 13, "k30002": 5, "k30003": 0}, report.text()


@pytest.mark.slow
def test_exchange_release_fetch_submit_collect_grade(tmp_path, monkeypatch):
    """JupyterHub's path: nbgrader's exchange, the learner's identity from the exchange, grading as usual."""
    from aidojo.course import collect_exchange, release_to_exchange
    from aidojo.course.submission import submit_to_exchange

    layout = CourseLayout(data_dir=tmp_path / "course", exchange_dir=tmp_path / "exchange")
    release_to_exchange(["m01"], layout=layout)
    home = tmp_path / "home"
    home.mkdir()
    fetched = run_nbgrader(["fetch_assignment", "m01", "--course=aidojo", f"--Exchange.root={layout.exchange_dir}",
                            f"--Exchange.assignment_dir={home}"], check=False)
    assert fetched.returncode == 0, fetched.stderr
    nb_path = home / "aidojo" / "m01" / "m01_kadai.ipynb"
    nb_path.write_text(json.dumps(learner_notebook("m01", "m01_kadai", "right"), ensure_ascii=False), encoding="utf-8")
    submit_to_exchange("m01", "k40001", work_dir=nb_path.parent, layout=layout)
    collected = collect_exchange(["m01"], layout=layout)
    assert collected.accepted == [("k40001", "m01")], collected.text()
    graded = autograde(["m01"], layout=layout, workers=1, progress=False)
    assert _scores(layout.db_url, "m01") == {"k40001": 8}, graded.text()

    # `aidojo feedback --exchange` writes the page and returns it; the learner fetches it with nbgrader
    from typer.testing import CliRunner

    from aidojo.cli import app

    monkeypatch.setenv("AIDOJO_COURSE_DIR", str(layout.data_dir))
    monkeypatch.setenv("AIDOJO_EXCHANGE", str(layout.exchange_dir))
    result = CliRunner().invoke(app, ["feedback", "m01", "--exchange"])
    assert result.exit_code == 0 and "1 人に返しました" in result.output, result.output
    fetched = run_nbgrader(["fetch_feedback", "m01", "--course=aidojo", f"--Exchange.root={layout.exchange_dir}",
                            f"--Exchange.assignment_dir={home}", "--student=k40001"], check=False)
    assert fetched.returncode == 0, fetched.stderr
    pages = list((home / "aidojo" / "m01" / "feedback").rglob("*.html"))
    assert pages and "採点結果" in pages[0].read_text(encoding="utf-8")


@pytest.mark.slow
@pytest.mark.postgres
def test_autograde_into_postgresql_gradebook(tmp_path, postgres_url):
    _need_bwrap()
    layout = CourseLayout(data_dir=tmp_path / "course")
    _place(layout, "k50001", "m04", learner_notebook("m04", "m04_kadai", "right"))
    _place(layout, "k50002", "m04", learner_notebook("m04", "m04_kadai", "partial"))
    report = autograde(["m04"], workers=2, layout=layout, db_url=postgres_url, progress=False)
    assert _scores(postgres_url, "m04") == {"k50001": 13, "k50002": 5}, report.text()
    assert not (layout.data_dir / "gradebook.db").exists(), "nothing went to a sqlite gradebook"
    again = autograde(["m04"], workers=2, layout=layout, db_url=postgres_url, progress=False)
    assert len(again.skipped) == 2
    fb = generate_feedback(["m04"], layout=layout, db_url=postgres_url)
    assert len(fb.files) == 2


def test_plain_nbgrader_autograde_is_refused(tmp_path):
    """formgrader's autograde button (plain nbgrader) would run learner code unsandboxed: the course refuses it."""
    layout = CourseLayout(data_dir=tmp_path / "course")
    _place(layout, "k60001", "m01", learner_notebook("m01", "m01_kadai", "right"))
    from aidojo.course.gradebook import ensure_assignments

    ensure_assignments(layout, ["m01"])
    proc = run_nbgrader(["autograde", "m01", "--force", *layout.overrides()], course_dir=layout.data_dir, check=False)
    assert proc.returncode != 0 and "aidojo autograde" in proc.stdout + proc.stderr
    assert not list((layout.data_dir / "autograded").rglob("*.ipynb"))


def test_a_bad_submission_is_one_line_and_the_rest_is_graded(tmp_path):
    layout = CourseLayout(data_dir=tmp_path / "course")
    _place(layout, "k70001", "m01", learner_notebook("m01", "m01_kadai", "right"))
    folder = layout.submitted_dir / "k70002" / "m01"
    folder.mkdir(parents=True)
    (folder / "m01_kadai.ipynb").write_text('{"nbformat": 4, "metadata": {}, "cells": [1]}')
    bomb = learner_notebook("m01", "m01_kadai", "untouched")  # an answer cell built to exhaust the grader's parser
    for cell in bomb["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == "m01-q1-answer":
            cell["source"] = "答え = " + '"A"+' * 60_000 + '"C"'
    _place(layout, "k70003", "m01", bomb)
    report = autograde(["m01"], layout=layout, progress=False)
    assert _scores(layout.db_url, "m01") == {"k70001": 8, "k70002": 0, "k70003": 0}, report.text()
    assert report.find(code="invalid_notebook", staff_id="k70002") and report.find(code="grading_failed", staff_id="k70002")
    assert (Path(layout.reports_dir).glob("autograde-*.txt"))


@pytest.mark.slow
def test_no_sandbox_is_the_trainers_choice_and_the_report_says_so(tmp_path):
    layout = CourseLayout(data_dir=tmp_path / "course")
    _place(layout, "k80001", "m04", learner_notebook("m04", "m04_kadai", "right"))
    report = autograde(["m04"], layout=layout, workers=1, sandbox=False, progress=False)
    assert _scores(layout.db_url, "m04") == {"k80001": 13}, report.text()
    assert report.sandbox == "none" and report.find(code="no_sandbox")
    assert "サンドボックスなし" in report.text()


def test_without_bubblewrap_grading_stops_with_a_japanese_message(tmp_path, monkeypatch):
    """Learner code would have to run and no sandbox can be set up: nothing is graded, the CLI says why."""
    from typer.testing import CliRunner

    from aidojo.cli import app

    layout = CourseLayout(data_dir=tmp_path / "course")
    _place(layout, "k90001", "m04", learner_notebook("m04", "m04_kadai", "right"))
    monkeypatch.setattr(shutil, "which", lambda name: None)
    result = CliRunner().invoke(app, ["autograde", "m04"])
    assert result.exit_code == 2 and "bubblewrap" in result.output and "採点を中止しました" in result.output
    assert not list(layout.autograded_dir.rglob("*.ipynb"))
