"""Completion rules: best score per module, pass at ≥ pass_ratio of the module's points, tracks, certificate numbers.

Rules (grader/course.toml is the one source of truth):
- a module's max score is the gradebook's ``max_score`` for it, falling back to course.toml ``points``;
- the best score over every submission ever graded counts (nbgrader keeps only the latest one per module, so
  the records store remembers earlier ones); "submitted" means a row nbgrader's ``find_submission`` finds;
- a module's pass date is its first passing submission; a track is complete when all its modules are passed,
  on the date the last of them was passed (dates are JST, nbgrader stores naive UTC);
- certificate numbers ``AID-<track>-<FY>-<00001>`` count per track and fiscal year (April–March), in order of
  completion date then staff id; once issued (certificates written) a number never changes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from aidojo.course import load_course
from aidojo.course.config import Course
from aidojo.records import store
from aidojo.records.gradebook import Attempt, gradebook_url, read_gradebook
from aidojo.records.roster import ACTIVE, JST, load_roster

NOT_IN_ROSTER = "名簿外"
CERT_PREFIX = "AID"


@dataclass(frozen=True)
class ModuleResult:
    module: str
    submitted: bool
    best_score: float | None
    max_score: float
    passed: bool
    date: datetime | None  # JST: the first passing submission if passed, else the best one
    attempts: int = 0

    @property
    def ratio(self) -> float | None:
        return None if self.best_score is None or self.max_score <= 0 else self.best_score / self.max_score

    @property
    def state_ja(self) -> str:
        return "合格" if self.passed else ("不合格" if self.submitted else "未提出")


@dataclass(frozen=True)
class TrackResult:
    track: str
    completed: bool
    date: datetime | None  # JST
    certificate: str | None = None
    certificate_issued: bool = False


@dataclass
class PersonRecord:
    staff_id: str
    name: str
    bureau: str
    division: str
    section: str
    role: str
    status: str  # 在籍 / 退職 / 名簿外
    modules: dict[str, ModuleResult] = field(default_factory=dict)
    tracks: dict[str, TrackResult] = field(default_factory=dict)

    @property
    def department(self) -> str:
        return " ".join(p for p in (self.bureau, self.division, self.section) if p)

    @property
    def section_key(self) -> tuple[str, str, str]:
        return (self.bureau, self.division, self.section)

    @property
    def active(self) -> bool:
        return self.status == ACTIVE


@dataclass(frozen=True)
class SummaryRow:
    bureau: str
    division: str
    section: str
    staff: int
    basic_completed: int
    builder_completed: int

    @property
    def basic_rate(self) -> float:
        return self.basic_completed / self.staff if self.staff else 0.0


@dataclass(frozen=True)
class MissingEntry:
    person: PersonRecord
    track: str
    missing: list[ModuleResult]


@dataclass
class Records:
    """Everyone's results; ``people`` sorted by staff id (roster first, then 名簿外)."""

    course: Course
    people: list[PersonRecord]
    max_scores: dict[str, float]
    roster_date: str | None = None
    basic_track: str = "basic"
    builder_track: str = "builder"

    def active(self) -> list[PersonRecord]:
        return [p for p in self.people if p.active]

    def get(self, staff_id: str) -> PersonRecord:
        for p in self.people:
            if p.staff_id == staff_id:
                return p
        raise KeyError(staff_id)

    def completers(self, track: str) -> list[PersonRecord]:
        """Everyone (leavers included) who completed ``track``, in certificate order."""
        done = [p for p in self.people if p.tracks[track].completed]
        return sorted(done, key=lambda p: (p.tracks[track].date or datetime.max.replace(tzinfo=JST), p.staff_id))

    def latest_submission(self) -> datetime | None:
        dates = [m.date for p in self.people for m in p.modules.values() if m.date]
        return max(dates) if dates else None

    def summary(self) -> list[SummaryRow]:
        """Per 課 (active staff only): head count, basic-track and builder-track completers."""
        groups: dict[tuple[str, str, str], list[PersonRecord]] = defaultdict(list)
        for p in self.active():
            groups[p.section_key].append(p)
        return [SummaryRow(*key, len(ps), sum(p.tracks[self.basic_track].completed for p in ps),
                           sum(p.tracks[self.builder_track].completed for p in ps))
                for key, ps in sorted(groups.items())]

    def not_completed(self, track: str) -> list[MissingEntry]:
        """Active staff who have not completed ``track``, with the modules still missing (for reminders)."""
        if track not in self.course.tracks:
            raise KeyError(track)
        modules = self.course.tracks[track].modules
        return [MissingEntry(p, track, [p.modules[m] for m in modules if not p.modules[m].passed])
                for p in self.active() if not p.tracks[track].completed]


def fiscal_year(when: datetime) -> int:
    """Japanese fiscal year (April to March) of a JST datetime."""
    return when.year if when.month >= 4 else when.year - 1


def to_jst(ts: datetime | None) -> datetime | None:
    """nbgrader's naive UTC timestamp as an aware JST datetime."""
    if ts is None:
        return None
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=timezone.utc)
    return ts.astimezone(JST)


def _remember(attempts: list[Attempt], modules: list[str], store_file: Path | None) -> list[Attempt]:
    """Add the gradebook's attempts to the store (a regrade of the same submission replaces its score); return all."""
    with store.connect(store_file) as conn, store.transaction(conn):
        conn.executemany(
            "INSERT INTO attempts (staff_id, module, timestamp, score) VALUES (?,?,?,?)"
            " ON CONFLICT (staff_id, module, timestamp) DO UPDATE SET score = excluded.score",
            [(a.staff_id, a.module, a.timestamp.isoformat(), a.score) for a in attempts if a.timestamp])
        placeholders = ",".join("?" * len(modules))
        stored = [Attempt(s, m, score, datetime.fromisoformat(t)) for s, m, t, score in conn.execute(
            f"SELECT staff_id, module, timestamp, score FROM attempts WHERE module IN ({placeholders})", modules)]
    return stored + [a for a in attempts if a.timestamp is None]


def _module_result(module: str, attempts: list[Attempt], max_score: float, course: Course) -> ModuleResult:
    if not attempts:
        return ModuleResult(module, False, None, max_score, False, None, 0)
    # highest score; on a tie the earliest submission (undated ones last)
    best = max(attempts, key=lambda a: (a.score, -a.timestamp.timestamp() if a.timestamp else float("-inf")))
    passing = [a for a in attempts if course.passed(a.score, max_score)]
    if passing:
        dated = [a.timestamp for a in passing if a.timestamp]
        when = min(dated) if dated else None
    else:
        when = best.timestamp
    return ModuleResult(module, True, best.score, max_score, bool(passing), to_jst(when), len(attempts))


def _track_result(track: str, modules: tuple[str, ...], results: dict[str, ModuleResult]) -> TrackResult:
    done = all(results[m].passed for m in modules) and bool(modules)
    dates = [results[m].date for m in modules if results[m].date]
    return TrackResult(track, done, max(dates) if done and dates else None)


def _number_certificates(records: Records, store_file: Path | None) -> None:
    issued: dict[tuple[str, str], str] = {}
    top: dict[tuple[str, int], int] = defaultdict(int)
    with store.connect(store_file, create=False) as conn:
        if conn is not None:
            for number, track, staff_id, fy, seq in conn.execute(
                    "SELECT number, track, staff_id, fiscal_year, sequence FROM certificates"):
                issued[(track, staff_id)] = number
                top[(track, fy)] = max(top[(track, fy)], seq)
    for track in records.course.tracks:
        for person in records.completers(track):
            result = person.tracks[track]
            number = issued.get((track, person.staff_id))
            if number is None and result.date is not None:
                fy = fiscal_year(result.date)
                top[(track, fy)] += 1
                number = f"{CERT_PREFIX}-{track}-{fy}-{top[(track, fy)]:05d}"
            person.tracks[track] = TrackResult(track, True, result.date, number, (track, person.staff_id) in issued)


def compute_records(db_url: str | None = None, *, course: Course | None = None, store_file: Path | None = None,
                    remember: bool = True) -> Records:
    """Everyone's module and track results from the gradebook and the roster (see the module docstring)."""
    from aidojo.records.kpi import load_kpi

    course = course or load_course()
    modules = list(course.modules)
    data = read_gradebook(db_url or gradebook_url(), modules)
    attempts = _remember(data.attempts, modules, store_file) if remember else data.attempts
    max_scores = {m: data.max_scores.get(m) or course.modules[m].points for m in modules}
    by_person: dict[str, dict[str, list[Attempt]]] = defaultdict(lambda: defaultdict(list))
    for a in attempts:
        by_person[a.staff_id][a.module].append(a)

    roster = load_roster(store_file)
    people = [PersonRecord(p.staff_id, p.name, p.bureau, p.division, p.section, p.role, p.status)
              for p in roster.people.values()]
    known = set(roster.people)
    for sid in sorted(set(data.students) | set(by_person)):
        if sid not in known:
            people.append(PersonRecord(sid, data.students.get(sid, ""), "", "", "", "", NOT_IN_ROSTER))
    for person in people:
        mine = by_person.get(person.staff_id, {})
        person.modules = {m: _module_result(m, mine.get(m, []), max_scores[m], course) for m in modules}
        person.tracks = {t: _track_result(t, tr.modules, person.modules) for t, tr in course.tracks.items()}
    kpi = load_kpi()
    records = Records(course, people, max_scores, roster.last_import, kpi.basic_track, kpi.builder_track)
    _number_certificates(records, store_file)
    return records


def mark_issued(records: Records, track: str, staff_ids: list[str], store_file: Path | None = None) -> None:
    """Remember certificate numbers as issued, so they never change afterwards."""
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    rows = []
    for sid in staff_ids:
        result = records.get(sid).tracks[track]
        if result.certificate and result.date:
            seq = int(result.certificate.rsplit("-", 1)[1])
            rows.append((result.certificate, track, sid, fiscal_year(result.date), seq,
                         result.date.isoformat(), now))
    with store.connect(store_file) as conn, store.transaction(conn):
        conn.executemany("INSERT OR IGNORE INTO certificates (number, track, staff_id, fiscal_year, sequence,"
                         " completed_on, issued_at) VALUES (?,?,?,?,?,?,?)", rows)
