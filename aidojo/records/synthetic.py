"""Synthetic, fictional data for tests, demos and benchmarks: みどり市 staff and nbgrader gradebooks.

Everyone here is invented (names are random combinations of common family and given names).
``build_gradebook`` goes through nbgrader's Gradebook API (small, exact cases); ``bulk_gradebook`` writes the
same nbgrader schema with bulk inserts (10,000 staff × 9 modules in seconds).
"""

from __future__ import annotations

import csv
import os
import random
import sys
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from aidojo.records.roster_file import StaffRow

FAMILY = ["佐藤", "鈴木", "高橋", "髙橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤", "吉田", "山田",
          "佐々木", "山口", "松本", "井上", "木村", "林", "斎藤", "清水", "山﨑", "森", "池田", "橋本", "阿部"]
GIVEN = ["一郎", "花子", "健", "美咲", "大輔", "さくら", "翔", "由美", "陽菜", "蓮", "結衣", "悠真", "葵", "大和",
         "真由美", "和也", "直樹", "愛", "拓海", "恵子", "誠", "彩", "剛", "千尋"]
BUREAUS = {
    "総務局": ["行政部", "デジタル戦略部", "危機管理部"],
    "財政局": ["財政部", "税務部"],
    "市民局": ["市民生活部", "区政推進部"],
    "健康福祉局": ["福祉部", "保健所", "健康部"],
    "こども未来局": ["こども家庭部", "保育部"],
    "環境局": ["環境事業部", "環境保全部"],
    "経済局": ["産業振興部", "観光部"],
    "都市整備局": ["都市計画部", "建築部", "住宅部"],
    "建設局": ["道路部", "河川部", "公園緑地部"],
    "上下水道局": ["総務部", "水道部", "下水道部"],
    "消防局": ["警防部", "予防部"],
    "教育委員会事務局": ["学校教育部", "生涯学習部"],
}
SECTION_NAMES = ["総務課", "企画課", "管理課", "調整課", "推進課", "指導課", "事業課", "相談課", "施設課", "第一課",
                 "第二課", "第三課", "監理課", "運営課"]


# 役職 as a payroll export writes them (classes as grader/course.toml [roles] maps them), weighted by repetition.
EXECUTIVE_TITLES = ["課長", "課長", "課長", "担当課長", "参事", "部長", "次長", "局長"]
STAFF_TITLES = ["主事"] * 5 + ["主任"] * 3 + ["係長"] * 3 + ["主査", "技師", "保健師", "課長補佐", "会計年度任用職員",
                                                        "会計年度任用職員", "再任用職員"]


def synthetic_roster(n: int, *, sections: int = 350, seed: int = 7, prefix: str = "") -> list[StaffRow]:
    """``n`` fictional staff spread over ``sections`` 課 in 12 局 (ids ``<prefix>100001`` …)."""
    rng = random.Random(seed)
    divisions = [(b, d) for b, ds in BUREAUS.items() for d in ds]
    paths = []
    for i in range(sections):
        bureau, division = divisions[i % len(divisions)]
        k = i // len(divisions)
        name = SECTION_NAMES[k % len(SECTION_NAMES)] if k < len(SECTION_NAMES) else f"第{k}課"
        paths.append((bureau, division, f"{division.removesuffix('部')}{name}"))
    titles = random.Random(seed + 1)  # its own stream: ids, names, 所属 and classes stay as they were
    rows = []
    for i in range(n):
        bureau, division, section = paths[i % len(paths)] if i < len(paths) else rng.choice(paths)
        role = "幹部" if rng.random() < 0.06 else "一般"
        title = titles.choice(EXECUTIVE_TITLES if role == "幹部" else STAFF_TITLES)
        rows.append(StaffRow(f"{prefix}{100001 + i}", f"{rng.choice(FAMILY)} {rng.choice(GIVEN)}", bureau, division,
                             section, role, i + 2, title))
    return rows


def write_roster_csv(rows: Iterable[StaffRow], path: str | Path, encoding: str = "utf-8-sig") -> Path:
    """A roster CSV as a payroll system exports it (Japanese header, CRLF): 役職 and 役職区分."""
    path = Path(path)
    with open(path, "w", encoding=encoding, newline="") as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow(["職員番号", "氏名", "所属局", "所属部", "所属課", "役職", "役職区分"])
        for r in rows:
            w.writerow([r.staff_id, r.name, r.bureau, r.division, r.section, r.title or r.role, r.role])
    return path


@dataclass(frozen=True)
class Result:
    """One graded submission: ``scores`` maps grade-cell name to points (cells left out score 0)."""

    student: str
    module: str
    timestamp: datetime
    scores: dict[str, float]


@contextmanager
def _alembic_on_path() -> Iterator[None]:
    """nbgrader runs ``alembic`` from PATH when it creates a gradebook: use this interpreter's."""
    old = os.environ.get("PATH", "")
    os.environ["PATH"] = os.pathsep.join((os.path.dirname(sys.executable), old))
    try:
        yield
    finally:
        os.environ["PATH"] = old


def build_gradebook(db_url: str, layout: dict[str, dict[str, float]], results: Iterable[Result],
                    students: dict[str, str] | None = None, course_id: str = "aidojo") -> None:
    """Create/extend a gradebook with nbgrader's Gradebook API: modules with one notebook of grade cells
    (``layout[module][cell] = max points``), students, and graded submissions."""
    from nbgrader.api import Gradebook, MissingEntry

    with _alembic_on_path(), Gradebook(db_url, course_id=course_id) as gb:
        for module, cells in layout.items():
            try:
                gb.find_assignment(module)
                continue
            except MissingEntry:
                pass
            gb.add_assignment(module)
            gb.add_notebook(module, module)
            for cell, points in cells.items():
                gb.add_grade_cell(cell, module, module, max_score=points, cell_type="code")
        for sid, name in (students or {}).items():
            last, _, first = name.partition(" ")
            gb.update_or_create_student(sid, last_name=last, first_name=first)
        for r in results:
            try:
                gb.find_student(r.student)
            except MissingEntry:
                gb.add_student(r.student)
            try:
                gb.remove_submission(r.module, r.student)  # nbgrader keeps one submission per module
            except MissingEntry:
                pass
            gb.add_submission(r.module, r.student, timestamp=r.timestamp)
            for cell in layout[r.module]:
                grade = gb.find_grade(cell, r.module, r.module, r.student)
                grade.auto_score = r.scores.get(cell, 0.0)
                grade.needs_manual_grade = False
            gb.db.commit()


def module_layout(modules: Iterable[str], cells: int = 5, points: float = 2.0) -> dict[str, dict[str, float]]:
    """Every module: one notebook of ``cells`` grade cells worth ``points`` each."""
    return {m: {f"{m}_q{i + 1}": points for i in range(cells)} for m in modules}


def bulk_gradebook(db_url: str, staff: list[StaffRow], layout: dict[str, dict[str, float]], *, seed: int = 11,
                   start: datetime = datetime(2026, 4, 6), course_id: str = "aidojo") -> int:
    """A large gradebook in nbgrader's schema via bulk inserts; returns the number of submissions.

    About 85% take m01–m03 (most pass), about 3% go on through m04–m09; timestamps spread over a year.
    """
    from nbgrader.api import Grade, Gradebook, Student, SubmittedAssignment, SubmittedNotebook
    from sqlalchemy import insert

    build_gradebook(db_url, layout, [], course_id=course_id)
    rng = random.Random(seed)
    modules = list(layout)
    with Gradebook(db_url, course_id=course_id) as gb:
        assignment_id = {a.name: a.id for a in gb.assignments}
        notebook_id = {m: gb.find_notebook(m, m).id for m in modules}
        cell_ids = {m: [gb.find_grade_cell(c, m, m).id for c in layout[m]] for m in modules}
        students, subs, nbs, grades = [], [], [], []
        for person in staff:
            last, _, first = person.name.partition(" ")
            students.append({"id": person.staff_id, "last_name": last, "first_name": first})
            if rng.random() > 0.85:
                continue
            builder = rng.random() < 0.035
            when = start + timedelta(days=rng.randrange(0, 330), minutes=rng.randrange(0, 600))
            for i, module in enumerate(modules):
                if i >= 3 and not builder:
                    break
                when += timedelta(days=rng.randrange(0, 20))
                sub_id, nb_id = uuid.uuid4().hex, uuid.uuid4().hex
                subs.append({"id": sub_id, "assignment_id": assignment_id[module], "student_id": person.staff_id,
                             "timestamp": when})
                nbs.append({"id": nb_id, "assignment_id": sub_id, "notebook_id": notebook_id[module], "flagged": False})
                good = rng.random() < 0.9
                for cid, points in zip(cell_ids[module], layout[module].values()):
                    score = points if (good or rng.random() < 0.5) else 0.0
                    grades.append({"id": uuid.uuid4().hex, "notebook_id": nb_id, "cell_id": cid, "auto_score": score,
                                   "needs_manual_grade": False})
        with gb.engine.begin() as conn:
            conn.execute(insert(Student.__table__), students)
            for table, rows in ((SubmittedAssignment.__table__, subs), (SubmittedNotebook.__table__, nbs),
                                (Grade.__table__, grades)):
                for i in range(0, len(rows), 20000):
                    conn.execute(insert(table), rows[i:i + 20000])
    return len(subs)
