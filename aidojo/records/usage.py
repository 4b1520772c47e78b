"""Real use of AI counted by the hub's AI gateway, per staff member and day (no prompt text).

Written by the gateway (``aidojo.hub``), read by the HR dashboard: the programme's targets (90% of staff, 95%
of 課) are about use, not only training. SQLite in ``<course data>/records/usage.sqlite`` because several
gateway processes may add to it at once (WAL mode, one short transaction per request).
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

JST = timezone(timedelta(hours=9))
USAGE_DB = Path("records") / "usage.sqlite"


@dataclass(frozen=True)
class UsageDay:
    """One staff member's use on one day (JST)."""

    day: str  # YYYY-MM-DD in JST
    staff_id: str
    requests: int
    prompt_tokens: int
    completion_tokens: int


def _connect(data_dir: Path) -> sqlite3.Connection:
    path = Path(data_dir) / USAGE_DB
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    new = not path.exists()
    con = sqlite3.connect(path, timeout=10)
    if new:
        os.chmod(path, 0o600)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("CREATE TABLE IF NOT EXISTS usage (day TEXT, staff_id TEXT, requests INTEGER, prompt_tokens INTEGER,"
                " completion_tokens INTEGER, PRIMARY KEY (day, staff_id))")
    return con


def add_use(data_dir: Path, staff_id: str, *, prompt_tokens: int = 0, completion_tokens: int = 0,
            at: datetime | None = None) -> None:
    """Count one request of ``staff_id`` (on the JST day of ``at``, default now)."""
    day = (at or datetime.now(UTC)).astimezone(JST).date().isoformat()
    with _connect(data_dir) as con:
        con.execute("INSERT INTO usage VALUES (?, ?, 1, ?, ?) ON CONFLICT(day, staff_id) DO UPDATE SET "
                    "requests = requests + 1, prompt_tokens = prompt_tokens + excluded.prompt_tokens, "
                    "completion_tokens = completion_tokens + excluded.completion_tokens",
                    (day, staff_id, int(prompt_tokens), int(completion_tokens)))


def load_usage(data_dir: Path, *, since: date | None = None, until: date | None = None) -> list[UsageDay]:
    """Use per staff member and day, oldest first, optionally within [since, until] (JST days)."""
    if not (Path(data_dir) / USAGE_DB).is_file():
        return []
    query, args = "SELECT day, staff_id, requests, prompt_tokens, completion_tokens FROM usage WHERE 1=1", []
    if since:
        query, args = query + " AND day >= ?", [*args, since.isoformat()]
    if until:
        query, args = query + " AND day <= ?", [*args, until.isoformat()]
    with _connect(data_dir) as con:
        return [UsageDay(*row) for row in con.execute(query + " ORDER BY day, staff_id", args)]
