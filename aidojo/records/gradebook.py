"""Read (and, for the roster, upsert students into) nbgrader's gradebook with a fixed number of plain SQL queries.

The SQL mirrors nbgrader 0.9's own definitions (``Grade.score``: the manual score if set, else the auto score, plus
extra credit; ``Assignment.max_score``: grade cells plus task cells); a test compares the results with nbgrader's
ORM. Plain SQL instead of ``nbgrader.api`` because importing nbgrader costs 2–4 s of start-up for every HR
command; a SQLite gradebook is read with the standard library, any other URL (PostgreSQL) through SQLAlchemy.
A submission row present in ``submitted_assignment`` is exactly what ``Gradebook.find_submission`` finds.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from aidojo.course.config import course_data_dir


def gradebook_url() -> str:
    """The course's gradebook: ``AIDOJO_DB_URL`` or ``sqlite:///<course data>/gradebook.db`` (as grader/nbgrader_config.py)."""
    return os.environ.get("AIDOJO_DB_URL") or f"sqlite:///{course_data_dir() / 'gradebook.db'}"


def _sqlite_file(db_url: str) -> Path | None:
    return Path(db_url[len("sqlite:///"):]) if db_url.startswith("sqlite:///") else None


def gradebook_exists(db_url: str) -> bool:
    """False for a sqlite URL whose file is missing (reading must not create an empty gradebook)."""
    path = _sqlite_file(db_url)
    return path is None or path.is_file()


@dataclass(frozen=True)
class Submission:
    """One graded submission of one module as nbgrader holds it (its timestamps are naive UTC)."""

    staff_id: str
    module: str
    score: float
    timestamp: datetime | None


Attempt = Submission  # the name earlier versions used


@dataclass(frozen=True)
class GradebookData:
    attempts: list[Submission]
    max_scores: dict[str, float]  # module -> gradebook max_score (only modules known to the gradebook)
    students: dict[str, str]  # id -> "last first" as nbgrader stores them


SUBMISSIONS_SQL = """
SELECT sa.id, sa.student_id, a.name, sa.timestamp FROM submitted_assignment sa JOIN assignment a ON sa.assignment_id = a.id
"""
SCORES_SQL = """
SELECT sa.id, sa.student_id, a.name, sa.timestamp,
       COALESCE(SUM(CASE WHEN g.manual_score IS NOT NULL THEN g.manual_score + COALESCE(g.extra_credit, 0.0)
                         WHEN g.auto_score IS NOT NULL THEN g.auto_score + COALESCE(g.extra_credit, 0.0)
                         ELSE 0.0 END), 0.0)
FROM submitted_assignment sa
JOIN assignment a ON sa.assignment_id = a.id
LEFT JOIN submitted_notebook sn ON sn.assignment_id = sa.id
LEFT JOIN grade g ON g.notebook_id = sn.id
{where}
GROUP BY sa.id, sa.student_id, a.name, sa.timestamp
"""
MAX_SQL = """
SELECT a.name,
       COALESCE((SELECT SUM(gc.max_score) FROM grade_cells gc JOIN base_cell bc ON gc.id = bc.id
                 JOIN notebook n ON bc.notebook_id = n.id WHERE n.assignment_id = a.id), 0.0)
     + COALESCE((SELECT SUM(tc.max_score) FROM task_cells tc JOIN base_cell bc ON tc.id = bc.id
                 JOIN notebook n ON bc.notebook_id = n.id WHERE n.assignment_id = a.id), 0.0)
FROM assignment a
"""
STUDENTS_SQL = "SELECT id, last_name, first_name FROM student"


class _Connection:
    """The little this module needs from a DB-API connection (sqlite3) or a SQLAlchemy one, with one face."""

    def __init__(self, raw: Any, sqlalchemy: bool):
        self.raw, self.sqlalchemy = raw, sqlalchemy

    def tables(self) -> set[str]:
        if self.sqlalchemy:
            from sqlalchemy import inspect

            return set(inspect(self.raw).get_table_names())
        return {r[0] for r in self.raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}

    def rows(self, sql: str, params: dict | None = None) -> list[tuple]:
        if self.sqlalchemy:
            from sqlalchemy import text

            return [tuple(r) for r in self.raw.execute(text(sql), params or {})]
        return self.raw.execute(sql, params or {}).fetchall()

    def many(self, sql: str, rows: list[dict]) -> None:
        if not rows:
            return
        if self.sqlalchemy:
            from sqlalchemy import text

            self.raw.execute(text(sql), rows)
        else:
            self.raw.executemany(sql, rows)


@contextmanager
def _connect(db_url: str, *, write: bool = False) -> Iterator[_Connection]:
    path = _sqlite_file(db_url)
    if path is not None:
        uri = f"file:{path}?mode={'rw' if write else 'ro'}"
        conn = sqlite3.connect(uri, uri=True, timeout=30, isolation_level=None)
        try:
            if write:
                conn.execute("BEGIN IMMEDIATE")
            yield _Connection(conn, False)
            if write:
                conn.execute("COMMIT")
        except BaseException:
            if write and conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        finally:
            conn.close()
        return
    from sqlalchemy import create_engine

    engine = create_engine(db_url, future=True)
    try:
        with (engine.begin() if write else engine.connect()) as conn:
            yield _Connection(conn, True)
    finally:
        engine.dispose()


def _as_naive_utc(ts: object) -> datetime | None:
    """nbgrader stores naive UTC (SQLite hands back text); a server may hand back an aware value."""
    if ts is None or ts == "":
        return None
    if isinstance(ts, str):
        return _parse_naive(ts)
    if isinstance(ts, datetime) and ts.tzinfo is not None:
        ts = ts.astimezone(UTC).replace(tzinfo=None)
    return ts  # type: ignore[return-value]


@lru_cache(maxsize=100_000)
def _parse_naive(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


def read_gradebook(db_url: str, modules: Iterable[str], *,
                   need_score: Callable[[str, str, datetime | None], bool] | None = None) -> GradebookData:
    """All submissions of ``modules`` with their total scores, the modules' max scores and the students.

    ``need_score(staff id, module, timestamp)``: compute scores only for the submissions it accepts (the others
    get ``score=nan``) — records already know most submissions from the attempts ledger.
    """
    if not gradebook_exists(db_url):
        return GradebookData([], {}, {})
    wanted = set(modules)
    with _connect(db_url) as conn:
        if "submitted_assignment" not in conn.tables():
            return GradebookData([], {}, {})
        subs = [(i, sid, name, _as_naive_utc(ts)) for i, sid, name, ts in conn.rows(SUBMISSIONS_SQL) if name in wanted]
        needed = [i for i, sid, name, ts in subs if need_score is None or need_score(sid, name, ts)]
        scores: dict[str, float] = {}
        if len(needed) > len(subs) // 2:
            scores = {i: float(total or 0.0) for i, _, _, _, total in conn.rows(SCORES_SQL.format(where=""))}
        else:
            for start in range(0, len(needed), 500):
                chunk = needed[start:start + 500]
                marks = ", ".join(f":p{n}" for n in range(len(chunk)))
                scores |= {i: float(total or 0.0) for i, _, _, _, total in conn.rows(
                    SCORES_SQL.format(where=f"WHERE sa.id IN ({marks})"), {f"p{n}": v for n, v in enumerate(chunk)})}
        max_rows = conn.rows(MAX_SQL)
        students = conn.rows(STUDENTS_SQL)
    attempts = [Submission(sid, name, scores.get(i, float("nan")), ts) for i, sid, name, ts in subs]
    return GradebookData(attempts, {name: float(m or 0.0) for name, m in max_rows if name in wanted},
                         {sid: " ".join(p for p in (last, first) if p) for sid, last, first in students})


def split_name(name: str) -> tuple[str, str]:
    """'山田 太郎' -> ('山田', '太郎') as (last, first); a name without a space is all last name."""
    parts = re.split(r"[ \u3000]+", name.strip(), maxsplit=1)
    return (parts[0], parts[1] if len(parts) > 1 else "")


def upsert_students(db_url: str, people: Iterable[tuple[str, str]], *, create: bool = True) -> int | None:
    """Create/rename nbgrader students (id, name) in bulk; never deletes. None when there is no gradebook.

    ``create=False``: only rename students the gradebook already has (ids in both); returns how many changed.
    """
    if not gradebook_exists(db_url):
        return None
    with _connect(db_url, write=True) as conn:
        if "student" not in conn.tables():
            return None
        existing = {sid: (last or "", first or "") for sid, last, first in conn.rows(STUDENTS_SQL)}
        new, changed = [], []
        for staff_id, name in people:
            last, first = split_name(name)
            if staff_id not in existing:
                if not create:
                    continue
                new.append({"id": staff_id, "last_name": last, "first_name": first})
                existing[staff_id] = (last, first)
            elif existing[staff_id] != (last, first):
                changed.append({"id": staff_id, "last_name": last, "first_name": first})
        conn.many("INSERT INTO student (id, last_name, first_name) VALUES (:id, :last_name, :first_name)", new)
        conn.many("UPDATE student SET last_name = :last_name, first_name = :first_name WHERE id = :id", changed)
    return len(new) + len(changed)
