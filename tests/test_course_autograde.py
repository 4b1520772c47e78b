"""Parallel autograde with real nbgrader on the fixture t01: every bad submission, idempotency, feedback
without hidden tests, a Dask LocalCluster, the exchange, and a real PostgreSQL gradebook."""

from __future__ import annotations

import json
import re

import pytest

from aidojo.course import autograde, collect_exchange, generate_feedback, release, release_to_exchange
from aidojo.course.submission import submit_to_exchange
from tests.fixtures.course.helpers import GOOD_Q1, GOOD_Q2, layout, place, variant

HIDDEN_TEXT = ("HIDDEN-T01-Q1", "HIDDEN-T01-Q2", "add(-7, 7)", 'greet("山田")', "BEGIN HIDDEN TESTS\nassert")


def _scores(db_url: str, module: str = "t01") -> dict[str, float]:
    from nbgrader.api import Gradebook

    with Gradebook(db_url, course_id="aidojo") as gb:
        return {d["student"]: d["score"] for d in gb.submission_dicts(module)}


@pytest.mark.slow
def test_bad_submissions_never_stop_the_run_and_are_reported(tmp_path):
    lay = layout(tmp_path)
    release(["t01"], layout=lay)
    cases = {
        "k00001": variant(lay, GOOD_Q1, GOOD_Q2),                                           # right: 4
        "k00002": variant(lay, "def add(a, b):\n    return 3", GOOD_Q2),                    # hidden test fails: 2
        "k00003": variant(lay, "while True:\n    pass", GOOD_Q2),                           # infinite loop: 2
        "k00004": variant(lay, "def add(a, b)\n    return a + b", GOOD_Q2),                 # syntax error: 2
        "k00005": variant(lay, "import os\nos._exit(1)", GOOD_Q2),                          # kernel crash: 2
        "k00006": variant(lay, GOOD_Q1, "def greet(name):\n    return 1", drop="t01-q2-test"),  # deleted test: 2
        "k00007": variant(lay, "def add(a, b):\n    return 0", GOOD_Q2, edit="t01-q1-test"),   # edited test: 2
    }
    for sid, nb in cases.items():
        place(lay, sid, nb)
    report = autograde(["t01"], workers=2, layout=lay, cell_timeout=5, progress=False)
    text = report.text()
    # A kernel crash costs only the crashed cell's part (aidojo.course.execute.RecoveringExecute).
    expected = {"k00001": 4, "k00002": 2, "k00003": 2, "k00004": 2, "k00005": 2, "k00006": 2, "k00007": 2}
    assert _scores(lay.db_url) == expected, text
    assert not report.failures, text
    for code, sid in {"cell_timeout": "k00003", "syntax_error": "k00004", "kernel_died": "k00005",
                      "test_deleted": "k00006", "test_edited": "k00007"}.items():
        line = report.find(code=code, staff_id=sid)
        assert line and "t01" in line[0].render() and sid in line[0].render(), f"{code}:\n{text}"
    assert "カーネルが停止" in report.find(code="kernel_died")[0].message
    assert (lay.autograded_dir / "k00001" / "t01" / "t01_kadai.ipynb").is_file()
    assert list(lay.reports_dir.glob("autograde-*.txt"))

    # second run: nothing changed → skipped, same grades, no duplicates
    again = autograde(["t01"], workers=2, layout=lay, cell_timeout=5, progress=False)
    assert {g.staff_id for g in again.skipped} == set(expected), again.text()
    assert _scores(lay.db_url) == expected
    from nbgrader.api import Gradebook

    with Gradebook(lay.db_url, course_id="aidojo") as gb:
        assert len(gb.submission_dicts("t01")) == len(expected) and len(gb.students) == len(expected)

    # a learner resubmits a fixed notebook: only that one is regraded
    place(lay, "k00002", variant(lay, GOOD_Q1, GOOD_Q2), stamp="2026-11-23 11:00:00.000000 UTC")
    third = autograde(["t01"], workers=2, layout=lay, cell_timeout=5, progress=False, students=["k00002"])
    assert [g.staff_id for g in third.graded] == ["k00002"] and _scores(lay.db_url)["k00002"] == 4

    # feedback: Japanese, one per learner, hidden tests invisible (source and tracebacks)
    fb = generate_feedback(["t01"], layout=lay)
    assert len(fb.files) == 7, fb.text()
    for page in fb.files:
        html = page.read_text(encoding="utf-8")
        for secret in HIDDEN_TEXT:
            assert secret not in html, f"{page}: hidden test text {secret!r} in feedback"
        assert "採点結果" in html and "得点" in html
    wrong = (lay.feedback_dir / "k00002" / "t01" / "t01_kadai.html")
    assert "得点：**" not in wrong.read_text(encoding="utf-8")
    html = (lay.feedback_dir / "k00007" / "t01" / "t01_kadai.html").read_text(encoding="utf-8")
    assert "非公開テストを含むこのテストで不合格になりました" in html
    assert re.search(r"AssertionError", html) is None


@pytest.mark.slow
def test_dask_local_cluster_grades_like_local_workers(tmp_path):
    from distributed import LocalCluster

    lay = layout(tmp_path)
    release(["t01"], layout=lay)
    place(lay, "k30001", variant(lay, GOOD_Q1, GOOD_Q2))
    place(lay, "k30002", variant(lay, GOOD_Q1, "def greet(name):\n    return name"))
    place(lay, "k30003", variant(lay, "def add(a, b):\n    return 3", "def greet(n):\n    return None"))
    with LocalCluster(processes=True, n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster:
        report = autograde(["t01"], dask_scheduler=cluster.scheduler_address, layout=lay, batch_size=1, progress=False)
    assert report.workers == 2
    assert _scores(lay.db_url) == {"k30001": 4, "k30002": 2, "k30003": 0}, report.text()
    assert not report.failures


@pytest.mark.slow
def test_exchange_release_fetch_submit_collect(tmp_path):
    from aidojo.course.nbgrader_cli import run_nbgrader

    lay = layout(tmp_path, exchange_dir=tmp_path / "exchange")
    release(["t01"], layout=lay)
    release_to_exchange(["t01"], layout=lay)
    home = tmp_path / "home"
    home.mkdir()
    fetched = run_nbgrader(["fetch_assignment", "t01", "--course=aidojo", f"--Exchange.root={lay.exchange_dir}",
                            f"--Exchange.assignment_dir={home}"], check=False)
    assert fetched.returncode == 0, fetched.stderr
    nb_path = home / "aidojo" / "t01" / "t01_kadai.ipynb"
    assert nb_path.is_file()
    nb_path.write_text(json.dumps(variant(lay, GOOD_Q1, GOOD_Q2), ensure_ascii=False), encoding="utf-8")
    submit_to_exchange("t01", "k40001", work_dir=nb_path.parent, layout=lay)  # keys checked, --student used
    report = collect_exchange(["t01"], layout=lay)
    assert report.accepted == [("k40001", "t01")], report.text()
    graded = autograde(["t01"], layout=lay, workers=1, progress=False)
    assert _scores(lay.db_url) == {"k40001": 4}, graded.text()


@pytest.mark.slow
@pytest.mark.postgres
def test_autograde_into_postgresql_gradebook(tmp_path, postgres_url):
    lay = layout(tmp_path)
    release(["t01"], layout=lay)
    place(lay, "k50001", variant(lay, GOOD_Q1, GOOD_Q2))
    place(lay, "k50002", variant(lay, "def add(a, b):\n    return 3", GOOD_Q2))
    report = autograde(["t01"], workers=2, layout=lay, db_url=postgres_url, progress=False)
    assert _scores(postgres_url) == {"k50001": 4, "k50002": 2}, report.text()
    assert not (lay.data_dir / "gradebook.db").exists(), "nothing went to a sqlite gradebook"
    again = autograde(["t01"], workers=2, layout=lay, db_url=postgres_url, progress=False)
    assert len(again.skipped) == 2 and _scores(postgres_url) == {"k50001": 4, "k50002": 2}
    fb = generate_feedback(["t01"], layout=lay, db_url=postgres_url)
    assert len(fb.files) == 2
