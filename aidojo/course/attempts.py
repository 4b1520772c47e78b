"""The attempts ledger: every graded attempt, written by autograde at grading time, read by HR records.

Append-only JSON lines in ``<course data>/records/attempts.jsonl`` (owner-only). Passes are derived from it
monotonically (:func:`summarise`, :func:`passes`): once an attempt passed, a later worse attempt never takes the
pass away. An attempt is identified by (staff id, module, fingerprint): grading the same files again is not a new
attempt, and its latest grading replaces the earlier one (a trainer's correction). ``aidojo.records`` reads it;
nothing here knows about rosters or exports.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from functools import lru_cache
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

    @property
    def key(self) -> tuple[str, str, str]:
        """(staff id, module, what was graded): the same key means the same attempt graded again."""
        return (self.staff_id, self.module, self.fingerprint or f"at:{self.submitted_at or self.graded_at}")

    @property
    def when(self) -> datetime:
        """When the attempt was made (submission time, else grading time), aware UTC."""
        return parse_utc(self.submitted_at or self.graded_at)


@dataclass(frozen=True)
class ModuleHistory:
    """Everything recorded for one learner and one module, with the monotone pass."""

    staff_id: str
    module: str
    attempts: int
    best_score: float
    max_score: float
    passed: bool  # any attempt passed: never undone by a later, worse attempt
    first_pass: datetime | None  # aware UTC: when the first passing attempt was made
    first_attempt: datetime
    last_attempt: datetime
    best_at: datetime  # when the best attempt (earliest among equals) was made


_FIELDS = {f.name for f in fields(Attempt)}


@lru_cache(maxsize=200_000)
def parse_utc(text: str) -> datetime:
    """An ISO 8601 timestamp as aware UTC (a naive one is taken as UTC, like nbgrader's)."""
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def ledger_path(data_dir: Path) -> Path:
    return Path(data_dir) / LEDGER


def record_attempts(data_dir: Path, attempts: Iterable[Attempt]) -> int:
    """Append ``attempts`` in one write (flushed and fsynced; the file is created owner-only); returns how many."""
    lines = "".join(json.dumps(asdict(a), ensure_ascii=False, sort_keys=True) + "\n" for a in attempts)
    if not lines:
        return 0
    path = ledger_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as out:
        out.write(lines)
        out.flush()
        os.fsync(out.fileno())
    return lines.count("\n")


def record_attempt(data_dir: Path, attempt: Attempt) -> None:
    """Append ``attempt`` (one line, flushed and fsynced; the file is created owner-only)."""
    record_attempts(data_dir, [attempt])


def load_attempts(data_dir: Path) -> list[Attempt]:
    """Every recorded attempt, oldest first (a torn last line from a crash is skipped)."""
    path = ledger_path(data_dir)
    if not path.is_file():
        return []
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    try:  # fast path: the whole ledger as one JSON array
        rows = json.loads("[" + ",".join(line for line in lines if line.strip()) + "]")
    except ValueError:  # a torn line (crash mid-write): read line by line and skip it
        rows = []
        for line in lines:
            try:
                rows.append(json.loads(line))
            except ValueError:
                continue
    attempts = []
    for data in rows:
        try:
            attempts.append(Attempt(**data))
        except TypeError:  # fields of a later version, or a damaged line
            try:
                attempts.append(Attempt(**{k: v for k, v in data.items() if k in _FIELDS}))
            except TypeError:
                continue
    return attempts


def current(attempts: Iterable[Attempt]) -> list[Attempt]:
    """One entry per attempt: for an attempt graded more than once, its latest grading."""
    latest: dict[tuple[str, str, str], Attempt] = {}
    for a in attempts:
        key = a.key
        old = latest.get(key)
        if old is None or parse_utc(a.graded_at) >= parse_utc(old.graded_at):
            latest[key] = a
    return list(latest.values())


def summarise(attempts: Iterable[Attempt], *, until: datetime | None = None) -> dict[tuple[str, str], ModuleHistory]:
    """(staff id, module) → :class:`ModuleHistory`, counting only attempts made up to ``until`` (aware) if given.

    A module is passed when any attempt passed (monotone); best score is the highest; the first pass is the
    earliest passing attempt.
    """
    grouped: dict[tuple[str, str], list[tuple[datetime, Attempt]]] = defaultdict(list)
    for a in current(attempts):
        when = a.when
        if until is None or when <= until:
            grouped[(a.staff_id, a.module)].append((when, a))
    out = {}
    for key, items in grouped.items():
        items.sort(key=lambda item: item[0])
        best_when, best = max(items, key=lambda item: (item[1].score, -item[0].timestamp()))
        first_pass = next((when for when, a in items if a.passed), None)
        out[key] = ModuleHistory(key[0], key[1], len(items), best.score, best.max_score, first_pass is not None,
                                 first_pass, items[0][0], items[-1][0], best_when)
    return out


def passes(attempts: Iterable[Attempt]) -> set[tuple[str, str]]:
    """(staff id, module) pairs passed at least once."""
    return {key for key, history in summarise(attempts).items() if history.passed}


def now_utc() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
