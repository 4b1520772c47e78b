"""The attempts ledger: every graded attempt, written by autograde at grading time, read by HR records.

Append-only JSON lines in ``<course data>/records/attempts.jsonl`` (owner-only). Passes are derived from it
monotonically: once an attempt passed, a later worse attempt never takes the pass away. ``aidojo.records``
reads it; nothing here knows about rosters or exports.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

LEDGER = Path("records") / "attempts.jsonl"


@dataclass(frozen=True)
class Attempt:
    """One graded attempt of one module by one learner."""

    staff_id: str
    module: str
    score: float
    max_score: float
    passed: bool
    graded_at: str  # ISO 8601, UTC
    submitted_at: str | None = None  # ISO 8601, UTC (the submission's timestamp), when known
    fingerprint: str = ""  # the graded submission's fingerprint: re-grading the same files is not a new attempt
    source: str = "autograde"


def ledger_path(data_dir: Path) -> Path:
    return Path(data_dir) / LEDGER


def record_attempt(data_dir: Path, attempt: Attempt) -> None:
    """Append ``attempt`` (one line, flushed and fsynced; the file is created owner-only)."""
    path = ledger_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as out:
        out.write(json.dumps(asdict(attempt), ensure_ascii=False, sort_keys=True) + "\n")
        out.flush()
        os.fsync(out.fileno())


def load_attempts(data_dir: Path) -> list[Attempt]:
    """Every recorded attempt, oldest first (a torn last line from a crash is skipped)."""
    path = ledger_path(data_dir)
    if not path.is_file():
        return []
    attempts = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            attempts.append(Attempt(**json.loads(line)))
        except (ValueError, TypeError):
            continue
    return attempts


def now_utc() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
