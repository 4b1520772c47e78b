"""The records store: a small SQLite file ``records.db`` in the course data folder (never in git).

SQLite because it is in the standard library, one file HR can back up, transactional (an import either
commits whole or not at all) and queryable for history. Tables:

- ``staff_history``: one row per person per period (SCD type 2). The open row (``valid_to IS NULL``) is
  the person's current state; transfers and leavers close it and open a new one, nothing is deleted.
- ``imports``: every roster import (file name, SHA-256, effective date, counts).
- ``certificates``: certificate numbers once issued (they never change afterwards).
- ``usage_months`` / ``usage_months_done``: who used the AI gateway in each finished month, counted once from the
  gateway's per-day store (a finished month's use no longer changes), so the dashboard reads one month live.
- ``attempts``: graded submissions remembered by earlier versions (before the attempts ledger,
  ``aidojo.course.attempts``); read as part of the back-fill, never written any more.

Columns added by later versions are added in place (``_MIGRATIONS``); the file is owner-only.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from aidojo.course.config import course_data_dir

SCHEMA = """
CREATE TABLE IF NOT EXISTS imports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    file TEXT NOT NULL, sha256 TEXT NOT NULL, effective_date TEXT NOT NULL, imported_at TEXT NOT NULL,
    rows INTEGER NOT NULL, added INTEGER NOT NULL, transferred INTEGER NOT NULL, changed INTEGER NOT NULL,
    left_count INTEGER NOT NULL, returned INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS staff_history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    staff_id TEXT NOT NULL, name TEXT NOT NULL, bureau TEXT NOT NULL, division TEXT NOT NULL,
    section TEXT NOT NULL, role TEXT NOT NULL, status TEXT NOT NULL, event TEXT NOT NULL,
    valid_from TEXT NOT NULL, valid_to TEXT, import_id INTEGER NOT NULL REFERENCES imports(id)
);
CREATE UNIQUE INDEX IF NOT EXISTS staff_current ON staff_history(staff_id) WHERE valid_to IS NULL;
CREATE INDEX IF NOT EXISTS staff_by_id ON staff_history(staff_id);
CREATE TABLE IF NOT EXISTS certificates (
    number TEXT PRIMARY KEY, track TEXT NOT NULL, staff_id TEXT NOT NULL, fiscal_year INTEGER NOT NULL,
    sequence INTEGER NOT NULL, completed_on TEXT NOT NULL, issued_at TEXT NOT NULL,
    UNIQUE (track, staff_id)
);
CREATE TABLE IF NOT EXISTS usage_months (
    month TEXT NOT NULL, staff_id TEXT NOT NULL, PRIMARY KEY (month, staff_id)
);
CREATE TABLE IF NOT EXISTS usage_months_done (month TEXT PRIMARY KEY, counted_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS attempts (
    staff_id TEXT NOT NULL, module TEXT NOT NULL, timestamp TEXT NOT NULL, score REAL NOT NULL,
    PRIMARY KEY (staff_id, module, timestamp)
);
"""


# (table, column, declaration) added after the first release; ALTER TABLE keeps existing rows.
_MIGRATIONS = [
    ("imports", "undone_at", "TEXT"),
    ("imports", "user", "TEXT NOT NULL DEFAULT ''"),
    ("imports", "tracked", "INTEGER NOT NULL DEFAULT 0"),  # 1: rows it closed carry closed_by (undo possible)
    ("staff_history", "title", "TEXT NOT NULL DEFAULT ''"),
    ("staff_history", "closed_by", "INTEGER"),
    ("certificates", "name", "TEXT NOT NULL DEFAULT ''"),
    ("certificates", "bureau", "TEXT NOT NULL DEFAULT ''"),
    ("certificates", "division", "TEXT NOT NULL DEFAULT ''"),
    ("certificates", "section", "TEXT NOT NULL DEFAULT ''"),
    ("certificates", "track_title", "TEXT NOT NULL DEFAULT ''"),
    ("certificates", "code", "TEXT NOT NULL DEFAULT ''"),
]


def _migrate(conn: sqlite3.Connection) -> None:
    for table, column, declaration in _MIGRATIONS:
        have = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
        if column not in have:
            conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")


def store_path() -> Path:
    """``<course data folder>/records.db``."""
    return course_data_dir() / "records.db"


@contextmanager
def connect(path: Path | None = None, *, create: bool = True) -> Iterator[sqlite3.Connection | None]:
    """A connection in autocommit mode (callers BEGIN/COMMIT explicitly); None if absent and not ``create``."""
    path = Path(path or store_path())
    if not path.exists() and not create:
        yield None
        return
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    new = not path.exists()
    conn = sqlite3.connect(path, isolation_level=None, timeout=30)
    try:
        if new:
            os.chmod(path, 0o600)
        conn.execute("PRAGMA foreign_keys = ON")
        conn.executescript(SCHEMA)
        _migrate(conn)
        yield conn
    finally:
        conn.close()


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE … COMMIT, or ROLLBACK on any exception: all or nothing."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
