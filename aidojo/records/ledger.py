"""Every graded attempt HR records count: the attempts ledger, back-filled from what came before it.

Autograde appends each graded attempt to the ledger (:mod:`aidojo.course.attempts`) at grading time. Gradebooks
graded before the ledger existed (or graded with plain ``nbgrader autograde``) hold submissions the ledger lacks,
and so may the ``attempts`` table of an older ``records.db``. Such a submission — one whose (staff id, module,
submission time) no ledger attempt has — is written into the ledger as ``source="gradebook"`` the first time
records read it, so that a later, worse resubmission (nbgrader keeps only the latest) can no longer take its pass
away. Submissions the ledger knows are not scored again (reading every grade costs seconds at city scale); with
``rescan`` a back-filled attempt whose score nbgrader later changed gets its new score as a new grading.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from aidojo.course.attempts import Attempt, load_attempts, now_utc, parse_utc, record_attempts
from aidojo.course.config import Course
from aidojo.records import store
from aidojo.records.audit import log_action
from aidojo.records.gradebook import GradebookData, read_gradebook

BACKFILL = "gradebook"


def _norm(ts: datetime | str | None) -> str:
    """A submission time as compared: naive UTC to the second ('' when unknown)."""
    if ts is None or ts == "":
        return ""
    if isinstance(ts, str):
        if len(ts) == 19 and ts[10] == "T":  # already in this form (what the back-fill writes)
            return ts
        ts = parse_utc(ts)
    if ts.tzinfo is not None:
        ts = ts.astimezone(UTC).replace(tzinfo=None)
    return ts.replace(microsecond=0).isoformat()


@dataclass
class Gathered:
    attempts: list[Attempt]
    gradebook: GradebookData
    backfilled: int


def _legacy(store_file: Path | None, modules: list[str]) -> list[tuple[str, str, str, float]]:
    """(staff id, module, timestamp, score) remembered in an older records.db."""
    with store.connect(store_file, create=False) as conn:
        if conn is None:
            return []
        marks = ",".join("?" * len(modules))
        return list(conn.execute(f"SELECT staff_id, module, timestamp, score FROM attempts WHERE module IN ({marks})",
                                 modules))


def gather_attempts(db_url: str, course: Course, data_dir: Path, *, store_file: Path | None = None,
                    persist: bool = True, rescan: bool = False) -> Gathered:
    """The ledger plus the back-fill (written into the ledger when ``persist``).

    ``rescan``: also re-read the scores of back-filled submissions, for a gradebook regraded with plain
    ``nbgrader autograde`` after the back-fill (aidojo's own autograde records its regrades itself).
    """
    modules = list(course.modules)
    ledger = load_attempts(data_dir)
    latest: dict[tuple[str, str, str], Attempt] = {}
    for a in ledger:
        key = (a.staff_id, a.module, _norm(a.submitted_at))
        old = latest.get(key)
        if old is None or parse_utc(a.graded_at) >= parse_utc(old.graded_at):
            latest[key] = a

    def need_score(sid: str, module: str, ts: datetime | None) -> bool:
        """Unknown to the ledger; with ``rescan`` also back-filled ones (a plain-nbgrader regrade may have changed them)."""
        known = latest.get((sid, module, _norm(ts)))
        return known is None or (rescan and known.source == BACKFILL)

    gb = read_gradebook(db_url, modules, need_score=need_score)
    found = [(sid, m, _norm(ts), float(score)) for sid, m, ts, score in _legacy(store_file, modules)]
    found += [(s.staff_id, s.module, _norm(s.timestamp), s.score) for s in gb.attempts
              if s.score == s.score]  # nan: not read, known to the ledger (newer than the legacy table)
    graded_at = now_utc()
    new: list[Attempt] = []
    for sid, module, ts, score in found:
        key = (sid, module, ts)
        known = latest.get(key)
        if known is not None and (known.source != BACKFILL or abs(known.score - score) < 1e-9):
            continue
        max_score = gb.max_scores.get(module) or course.modules[module].points
        attempt = Attempt(sid, module, score, max_score, course.passed(score, max_score), graded_at, ts or None,
                          f"{BACKFILL}:{ts or 'undated'}", BACKFILL)
        latest[key] = attempt
        new.append(attempt)
    if new and persist:
        record_attempts(data_dir, new)
        log_action("records.backfill", {"attempts": len(new), "gradebook": db_url.split("://", 1)[0]},
                   data_dir=data_dir)
    return Gathered(ledger + new, gb, len(new))
