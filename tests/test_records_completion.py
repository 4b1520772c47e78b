"""Completion rules on a small gradebook built with nbgrader's own Gradebook API."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from aidojo.course import course_data_dir, load_course
from aidojo.course.config import Module
from aidojo.records import compute_records, import_roster, write_certificates
from aidojo.records.completion import fiscal_year, to_jst
from aidojo.records.synthetic import Result, build_gradebook, bulk_gradebook, module_layout, synthetic_roster

REPO = Path(__file__).resolve().parents[1]
FIX = REPO / "tests" / "fixtures" / "roster"
MODULES = [f"m0{i}" for i in range(1, 10)]
LAYOUT = module_layout([*MODULES, "e01"])  # 5 cells × 2 points = 10 points per module (e01: the executive track)
FULL = {f"q{i}": 2.0 for i in range(1, 6)}


def scores(module: str, total: float) -> dict[str, float]:
    """Spread ``total`` over the module's 2-point cells."""
    out, left = {}, total
    for cell in LAYOUT[module]:
        out[cell] = min(2.0, left)
        left = max(0.0, left - 2.0)
    return out


def R(student, module, when, total):
    return Result(student, module, datetime.fromisoformat(when), scores(module, total))


def url() -> str:
    course_data_dir().mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{course_data_dir() / 'gradebook.db'}"


RESULTS = [
    R("100001", "m01", "2026-05-10 01:00", 10), R("100001", "m02", "2026-05-12 03:00", 8),  # exactly 80%
    R("100001", "m03", "2026-05-20 15:30", 9),  # 2026-05-21 00:30 JST
    R("100001", "e01", "2026-05-08 01:00", 10),  # the executive track is e01 alone
    *[R("100002", m, f"2026-06-0{i + 1} 00:00", 10) for i, m in enumerate(MODULES)],
    R("100003", "m01", "2026-05-01 00:00", 10), R("100003", "m02", "2026-05-02 00:00", 7.9),
    R("100004", "m01", "2026-05-03 00:00", 0),  # submitted, scored 0
    R("100005", "m01", "2026-05-01 00:00", 10), R("100005", "m02", "2026-05-02 00:00", 10),
    R("100005", "m03", "2026-05-03 00:00", 10),
    R("x999", "m01", "2026-05-04 00:00", 10),  # graded but not in the roster
]


@pytest.fixture(scope="module")
def template_gradebook(tmp_path_factory) -> Path:
    """Built once with nbgrader's Gradebook API (a few seconds), copied for each test."""
    path = tmp_path_factory.mktemp("gb") / "gradebook.db"
    build_gradebook(f"sqlite:///{path}", LAYOUT, RESULTS)
    return path


@pytest.fixture
def small(template_gradebook):
    """8 roster staff (fixture) and one learner not in the roster; times are naive UTC like nbgrader's."""
    import_roster(FIX / "roster_utf8.csv", as_of="2026-04-01")
    target = url()
    shutil.copy(template_gradebook, course_data_dir() / "gradebook.db")
    return target


def test_module_results_follow_the_rules(small):
    records = compute_records(small)
    a = records.get("100001")
    assert [a.modules[m].best_score for m in ("m01", "m02", "m03")] == [10, 8, 9]
    assert a.modules["m02"].passed and a.modules["m02"].state_ja == "合格"  # 8/10 = 80% passes
    assert a.modules["m04"].state_ja == "未提出" and a.modules["m04"].best_score is None
    c = records.get("100003")
    assert c.modules["m02"].best_score == pytest.approx(7.9) and not c.modules["m02"].passed
    assert c.modules["m02"].state_ja == "不合格"
    d = records.get("100004")
    assert d.modules["m01"].submitted and d.modules["m01"].best_score == 0 and d.modules["m01"].state_ja == "不合格"
    assert not records.get("100006").modules["m01"].submitted
    assert records.max_scores["m01"] == 10


def test_submitted_means_what_nbgrader_find_submission_finds(small):
    from nbgrader.api import Gradebook, MissingEntry

    records = compute_records(small)
    with Gradebook(small, course_id="aidojo") as gb:
        for person in records.people:
            for module in MODULES:
                try:
                    gb.find_submission(module, person.staff_id)
                    found = True
                except MissingEntry:
                    found = False
                assert person.modules[module].submitted == found, (person.staff_id, module)


def test_tracks_and_their_dates_in_jst(small):
    records = compute_records(small)
    a = records.get("100001")
    assert a.tracks["basic"].completed and a.tracks["executive"].completed and not a.tracks["builder"].completed
    assert a.tracks["basic"].date.isoformat() == "2026-05-21T00:30:00+09:00"  # the last module passed
    b = records.get("100002")
    assert b.tracks["builder"].completed and b.tracks["builder"].date.date().isoformat() == "2026-06-09"
    assert b.tracks["basic"].date.date().isoformat() == "2026-06-03"
    assert not records.get("100003").tracks["basic"].completed
    assert records.get("100003").tracks["basic"].date is None


def test_people_not_in_the_roster_and_leavers(small):
    import_roster(FIX / "roster_update_cp932.csv", as_of="2027-04-01")  # 100007 leaves, 100009 joins
    records = compute_records(small)
    assert records.get("x999").status == "名簿外" and records.get("x999").modules["m01"].passed
    assert records.get("100007").status == "退職"
    assert {p.staff_id for p in records.active()} == {"100001", "100002", "100003", "100004", "100005", "100006",
                                                      "100008", "100009"}


def test_best_score_over_submissions_survives_a_worse_resubmission(small):
    first = compute_records(small)
    assert first.get("100005").modules["m01"].passed
    # the learner resubmits m01 later and does worse: nbgrader replaces the submission
    build_gradebook(small, LAYOUT, [R("100005", "m01", "2026-06-01 00:00", 4)])
    later = compute_records(small)
    m01 = later.get("100005").modules["m01"]
    assert m01.best_score == 10 and m01.passed and m01.attempts == 2
    assert m01.date.date().isoformat() == "2026-05-01"  # the first passing submission
    assert later.get("100005").tracks["basic"].completed
    # without the store's memory only nbgrader's latest submission would count
    forgetful = compute_records(small, remember=False)
    assert forgetful.get("100005").modules["m01"].best_score == 4


def test_a_regrade_of_the_same_submission_replaces_its_score(small):
    compute_records(small)
    build_gradebook(small, LAYOUT, [R("100003", "m02", "2026-05-02 00:00", 8)])  # same timestamp, regraded
    m02 = compute_records(small).get("100003").modules["m02"]
    assert m02.best_score == 8 and m02.attempts == 1


def test_summary_and_not_completed(small):
    records = compute_records(small)
    rows = {(s.bureau, s.division, s.section): s for s in records.summary()}
    dx = rows[("総務局", "デジタル戦略部", "DX・AI推進課")]
    assert (dx.staff, dx.basic_completed, dx.builder_completed, dx.basic_rate) == (2, 2, 1, 1.0)
    assert rows[("会計室", "", "会計課")].staff == 1
    assert sum(s.staff for s in rows.values()) == 8  # 名簿外 not counted
    missing = {e.person.staff_id: [m.module for m in e.missing] for e in records.not_completed("basic")}
    assert set(missing) == {"100003", "100004", "100006", "100007", "100008"}
    assert missing["100003"] == ["m02", "m03"] and missing["100006"] == ["m01", "m02", "m03"]


def test_certificate_numbers_by_fiscal_year_date_and_id_and_stable_once_issued(small, tmp_path):
    # 100006 finishes at 2026-04-01 00:30 JST (FY2026), 100007 at 2026-03-31 23:00 JST (FY2025)
    build_gradebook(small, LAYOUT, [
        R("100006", "m01", "2026-03-01 00:00", 10), R("100006", "m02", "2026-03-02 00:00", 10),
        R("100006", "m03", "2026-03-31 15:30", 10),
        R("100007", "m01", "2026-03-01 00:00", 10), R("100007", "m02", "2026-03-02 00:00", 10),
        R("100007", "m03", "2026-03-31 14:00", 10)])
    records = compute_records(small)
    numbers = {p.staff_id: p.tracks["basic"].certificate for p in records.people if p.tracks["basic"].completed}
    assert numbers == {"100007": "AID-basic-2025-00001", "100006": "AID-basic-2026-00001",
                       "100005": "AID-basic-2026-00002", "100001": "AID-basic-2026-00003",
                       "100002": "AID-basic-2026-00004"}
    assert records.get("100002").tracks["builder"].certificate == "AID-builder-2026-00001"
    assert records.get("100003").tracks["basic"].certificate is None
    write_certificates(records, "basic", tmp_path / "certs")
    # a completion graded later but dated earlier must not renumber issued certificates
    build_gradebook(small, LAYOUT, [R("100008", "m01", "2026-04-02 00:00", 10),
                                    R("100008", "m02", "2026-04-03 00:00", 10),
                                    R("100008", "m03", "2026-04-04 00:00", 10)])
    again = compute_records(small)
    after = {p.staff_id: p.tracks["basic"].certificate for p in again.people if p.tracks["basic"].completed}
    assert {k: after[k] for k in numbers} == numbers
    assert after["100008"] == "AID-basic-2026-00005"
    assert again.get("100001").tracks["basic"].certificate_issued
    assert not again.get("100008").tracks["basic"].certificate_issued


def test_fiscal_year_and_jst():
    assert fiscal_year(to_jst(datetime(2026, 3, 31, 14, 59))) == 2025
    assert fiscal_year(to_jst(datetime(2026, 3, 31, 15, 0))) == 2026
    assert to_jst(None) is None


def test_max_score_falls_back_to_course_toml_points():
    course = load_course()
    modules = dict(course.modules)
    modules["m09"] = Module("m09", "評価", 12.0)  # not in this gradebook: course.toml points apply
    modules["m01"] = Module("m01", modules["m01"].title, 99.0)  # in the gradebook: its max_score wins
    only_m01 = url()
    build_gradebook(only_m01, module_layout(["m01"]), [R("100001", "m01", "2026-05-10 01:00", 8)])
    records = compute_records(only_m01, course=replace(course, modules=modules))
    assert records.max_scores["m09"] == 12.0 and records.max_scores["m01"] == 10.0
    assert records.get("100001").modules["m01"].passed
    empty = compute_records(f"sqlite:///{course_data_dir() / 'missing.db'}", course=replace(course, modules=modules))
    assert empty.max_scores["m09"] == 12.0 and not (course_data_dir() / "missing.db").exists()


@pytest.mark.slow
def test_reading_the_gradebook_is_a_fixed_number_of_queries():
    """Not one query per student: 40 and 400 staff cost the same number of statements."""
    counts = []
    for n in (40, 400):
        db = course_data_dir() / f"gb{n}.db"
        db.parent.mkdir(parents=True, exist_ok=True)
        bulk_gradebook(f"sqlite:///{db}", synthetic_roster(n, sections=20), LAYOUT)
        statements = []

        def count(conn, cursor, statement, *args):
            statements.append(statement)

        event.listen(Engine, "before_cursor_execute", count)
        try:
            records = compute_records(f"sqlite:///{db}", remember=False)
        finally:
            event.remove(Engine, "before_cursor_execute", count)
        assert len(records.people) == n
        counts.append(len(statements))
    assert counts[0] == counts[1] and counts[0] <= 8, counts


@pytest.mark.slow
@pytest.mark.postgres
def test_records_from_a_postgresql_gradebook(postgres_url, monkeypatch):
    from nbgrader.api import Gradebook

    build_gradebook(postgres_url, module_layout(["m01", "m02", "m03"]), [
        R("100001", "m01", "2026-05-10 01:00", 10), R("100001", "m02", "2026-05-12 03:00", 8),
        R("100001", "m03", "2026-05-20 15:30", 9), R("100002", "m01", "2026-05-10 01:00", 4)])
    monkeypatch.setenv("AIDOJO_DB_URL", postgres_url)
    result = import_roster(FIX / "roster_cp932.csv", as_of="2026-04-01")
    assert result.gradebook_students == 8
    with Gradebook(postgres_url, course_id="aidojo") as gb:
        assert gb.find_student("100002").last_name == "山﨑"
    records = compute_records()
    a = records.get("100001")
    assert a.tracks["basic"].completed and a.tracks["basic"].date.isoformat() == "2026-05-21T00:30:00+09:00"
    assert records.get("100002").modules["m01"].state_ja == "不合格"
    assert not (course_data_dir() / "gradebook.db").exists()
