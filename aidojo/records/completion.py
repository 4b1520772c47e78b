"""Completion rules: monotone passes from the attempts ledger, tracks, role eligibility, certificate numbers.

Rules (grader/course.toml is the one source of truth):
- every graded attempt is in the attempts ledger (:mod:`aidojo.records.ledger` back-fills older gradebooks);
  a module is passed once any attempt passed (a later, worse attempt never takes it away); its best score is the
  highest, its pass date the first passing attempt (dates are JST; nbgrader and the ledger store UTC);
- a module's max score is the gradebook's ``max_score`` for it, falling back to course.toml ``points``;
- a track is complete when all its modules are passed, on the date the last of them was first passed — and,
  when the track names ``roles`` in course.toml, only for people of those role classes (by their 役職 at that date);
- a report can stand at any date (``as_of`` / ``fiscal_year``): attempts made after it are ignored and the roster
  is the one that was in force then;
- certificate numbers ``AID-<track>-<FY>-<00001>`` count per track and fiscal year (April–March), in order of
  completion day (JST) and, on the same day, of 職員番号; once issued (certificates written) a number never changes,
  and people who complete later get the numbers after the last one issued.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path

from aidojo.course.attempts import ModuleHistory, summarise
from aidojo.course.config import Course, course_data_dir, load_course
from aidojo.records import store
from aidojo.records.fiscal import JST, end_of_day, fiscal_year, report_date
from aidojo.records.gradebook import gradebook_url
from aidojo.records.ledger import gather_attempts
from aidojo.records.roles import RoleMap, load_roles
from aidojo.records.roster import ACTIVE, History, HistoryEntry, load_history, load_roster

NOT_IN_ROSTER = "名簿外"
CERT_PREFIX = "AID"


@dataclass(frozen=True)
class ModuleResult:
    module: str
    submitted: bool
    best_score: float | None
    max_score: float
    passed: bool
    date: datetime | None  # JST: the first passing attempt if passed, else the best one
    attempts: int = 0
    last_attempt: datetime | None = None  # JST

    @property
    def ratio(self) -> float | None:
        return None if self.best_score is None or self.max_score <= 0 else self.best_score / self.max_score

    @property
    def first_pass(self) -> datetime | None:
        return self.date if self.passed else None

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
    eligible: bool = True  # False: the track is for other role classes (course.toml ``roles``)
    placed: HistoryEntry | None = None  # the person's 所属 and 役職 on the completion date

    @property
    def state_ja(self) -> str:
        return "修了" if self.completed else ("対象外" if not self.eligible else "未修了")


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
    title: str = ""

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
    """One line of the per-課 summary: a 課, a 部 or 局 subtotal, or the total (``level``)."""

    level: str  # 課 / 部計 / 局計 / 合計
    bureau: str
    division: str
    section: str
    staff: int
    completed: dict[str, int]  # track -> completers among these staff
    sections: int = 1
    sections_covered: int = 0  # 課 with a completer of a coverage track (Records.coverage_tracks)
    eligible: dict[str, int] = field(default_factory=dict)  # track -> staff it is for (幹部 only for executive)

    def rate(self, track: str) -> float:
        """Completers ÷ the staff the track is for (all staff for tracks without ``roles``)."""
        base = self.eligible.get(track, self.staff)
        return self.completed.get(track, 0) / base if base else 0.0

    @property
    def basic_completed(self) -> int:
        return self.completed.get("basic", 0)

    @property
    def builder_completed(self) -> int:
        return self.completed.get("builder", 0)

    @property
    def basic_rate(self) -> float:
        return self.rate("basic")


@dataclass(frozen=True)
class RoleRow:
    """役職 breakdown: one role class and title."""

    role: str
    title: str
    staff: int
    completed: dict[str, int]
    eligible: dict[str, int] = field(default_factory=dict)  # track -> staff it is for

    def rate(self, track: str) -> float | None:
        """Completers ÷ the staff the track is for; None when it is for none of them (一般 on the executive track)."""
        base = self.eligible.get(track, self.staff)
        return self.completed.get(track, 0) / base if base else None


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
    as_of: date | None = None  # None: now
    roles: RoleMap = field(default_factory=RoleMap)
    history: History | None = None
    backfilled: int = 0
    coverage_tracks: tuple[str, ...] = ()  # a 課 is covered by a completer of one of these (default: basic, builder)

    def __post_init__(self) -> None:
        self._index = {p.staff_id: p for p in self.people}
        wanted = self.coverage_tracks or (self.basic_track, self.builder_track)
        self.coverage_tracks = tuple(t for t in wanted if t in self.course.tracks)

    def covers(self, person: PersonRecord) -> bool:
        """Whether ``person`` makes their 課 count as covered: they completed a coverage track (by default basic or
        builder — tracks in which staff learn to use AI in their own work; the executive briefing does not count)."""
        return any(person.tracks[t].completed for t in self.coverage_tracks)

    @property
    def fiscal_year(self) -> int:
        from aidojo.records.fiscal import today_jst

        return fiscal_year(self.as_of or today_jst())

    def active(self) -> list[PersonRecord]:
        return [p for p in self.people if p.active]

    def get(self, staff_id: str) -> PersonRecord:
        try:
            return self._index[staff_id]
        except KeyError:
            raise KeyError(staff_id) from None

    def completers(self, track: str) -> list[PersonRecord]:
        """Everyone (leavers included) who completed ``track``, in certificate order: by completion day (JST), and
        on the same day by 職員番号 (not by the time of day the last submission happened to be graded)."""
        done = [p for p in self.people if p.tracks[track].completed]
        return sorted(done, key=lambda p: (_day_of(p.tracks[track].date), staff_id_order(p.staff_id)))

    def latest_submission(self) -> datetime | None:
        dates = [m.last_attempt for p in self.people for m in p.modules.values() if m.last_attempt]
        return max(dates) if dates else None

    def summary(self, *, subtotals: bool = True) -> list[SummaryRow]:
        """Per 課 (active staff only), with 部 and 局 subtotals and a total: head count, the staff each track is for,
        completers per track, and 課 covered (:meth:`covers`)."""
        tracks = list(self.course.tracks)
        groups: dict[tuple[str, str, str], list[PersonRecord]] = defaultdict(list)
        for p in self.active():
            groups[p.section_key].append(p)

        def row(level, bureau, division, section, people, keys) -> SummaryRow:
            covered = sum(any(self.covers(q) for q in groups[k]) for k in keys)
            return SummaryRow(level, bureau, division, section, len(people),
                              {t: sum(p.tracks[t].completed for p in people) for t in tracks}, len(keys), covered,
                              {t: sum(p.tracks[t].eligible for p in people) for t in tracks})

        out: list[SummaryRow] = []
        keys = sorted(groups)
        for bureau in sorted({k[0] for k in keys}):
            b_keys = [k for k in keys if k[0] == bureau]
            for division in sorted({k[1] for k in b_keys}):
                d_keys = [k for k in b_keys if k[1] == division]
                out += [row("課", *k, groups[k], [k]) for k in d_keys]
                if subtotals and division and len(d_keys) > 1:
                    out.append(row("部計", bureau, division, f"{len(d_keys)} 課", [p for k in d_keys for p in groups[k]], d_keys))
            if subtotals:
                out.append(row("局計", bureau, "", f"{len(b_keys)} 課", [p for k in b_keys for p in groups[k]], b_keys))
        if subtotals:
            out.append(row("合計", "合計", "", f"{len(keys)} 課", self.active(), keys))
        return out

    def by_role(self) -> list[RoleRow]:
        """Active staff by role class and 役職: head count and completers per track."""
        tracks = list(self.course.tracks)
        groups: dict[tuple[str, str], list[PersonRecord]] = defaultdict(list)
        for p in self.active():
            groups[(p.role, p.title or p.role)].append(p)
        order = {c: i for i, c in enumerate(self.roles.classes)}
        rows = []
        for (role, title), ps in sorted(groups.items(), key=lambda kv: (order.get(kv[0][0], 99), -len(kv[1]), kv[0][1])):
            rows.append(RoleRow(role, title, len(ps), {t: sum(p.tracks[t].completed for p in ps) for t in tracks},
                                {t: sum(p.tracks[t].eligible for p in ps) for t in tracks}))
        return rows

    def not_completed(self, track: str) -> list[MissingEntry]:
        """Active staff the track is for who have not completed it, with the modules still missing (for reminders)."""
        if track not in self.course.tracks:
            raise KeyError(track)
        modules = self.course.tracks[track].modules
        return [MissingEntry(p, track, [p.modules[m] for m in modules if not p.modules[m].passed])
                for p in self.active() if p.tracks[track].eligible and not p.tracks[track].completed]


def _day_of(when: datetime | None) -> date:
    return when.astimezone(JST).date() if when else date.max


def staff_id_order(staff_id: str) -> tuple[int, int, str]:
    """職員番号 order as HR reads a list: numeric ids by value (1204 before 10001), then the others as text."""
    return (0, int(staff_id), staff_id) if staff_id.isdigit() else (1, 0, staff_id)


@lru_cache(maxsize=4096)
def _not_submitted(module: str, max_score: float) -> ModuleResult:
    """One shared (immutable) result for everyone who has not submitted ``module``."""
    return ModuleResult(module, False, None, max_score, False, None, 0)


@lru_cache(maxsize=200_000)
def to_jst(ts: datetime | None) -> datetime | None:
    """A timestamp (naive = UTC, as nbgrader stores it) as an aware JST datetime."""
    if ts is None:
        return None
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=UTC)
    return ts.astimezone(JST)


def _module_result(module: str, h: ModuleHistory | None, max_score: float) -> ModuleResult:
    if h is None:
        return _not_submitted(module, max_score)
    when = h.first_pass if h.passed else h.best_at
    return ModuleResult(module, True, h.best_score, max_score, h.passed, to_jst(when), h.attempts, to_jst(h.last_attempt))


def _track_result(track: str, modules: tuple[str, ...], results: dict[str, ModuleResult], person: PersonRecord,
                  roles: RoleMap, history: History) -> TrackResult:
    done = bool(modules) and all(results[m].passed for m in modules)
    if not done:  # most people: no date, no 所属 at completion to look up
        eligible = roles.eligible(track, person.role)
        return _open_track(track, eligible)
    when = max((results[m].date for m in modules if results[m].date), default=None)
    placed = history.at(person.staff_id, when) if when else None
    role = placed.role if placed else person.role
    eligible = roles.eligible(track, role)
    return TrackResult(track, done and eligible, when if done and eligible else None, eligible=eligible,
                       placed=placed if done and eligible else None)


@lru_cache(maxsize=256)
def _open_track(track: str, eligible: bool) -> TrackResult:
    return TrackResult(track, False, None, eligible=eligible)


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
            person.tracks[track] = TrackResult(track, True, result.date, number, (track, person.staff_id) in issued,
                                               result.eligible, result.placed)


def compute_records(db_url: str | None = None, *, course: Course | None = None, store_file: Path | None = None,
                    remember: bool = True, as_of: date | str | None = None, fiscal: int | None = None,
                    roles: RoleMap | None = None, today: date | None = None, rescan: bool = False) -> Records:
    """Everyone's module and track results (see the module docstring).

    ``as_of`` / ``fiscal`` (a 年度: its last day, or today while it runs): the records as they stood then.
    ``remember=False``: read only, do not back-fill the ledger. ``rescan``: re-read back-filled scores (for a
    gradebook regraded with plain nbgrader; see :mod:`aidojo.records.ledger`).
    """
    from aidojo.records.kpi import load_kpi

    course = course or load_course()
    roles = roles or load_roles()
    day = report_date(as_of, fiscal, today) if (as_of is not None or fiscal is not None) else None
    modules = list(course.modules)
    data_dir = (Path(store_file).parent if store_file else course_data_dir())
    gathered = gather_attempts(db_url or gradebook_url(), course, data_dir, store_file=store_file, persist=remember,
                               rescan=rescan)
    histories = summarise(gathered.attempts, until=end_of_day(day) if day else None)
    data = gathered.gradebook
    max_scores = {m: data.max_scores.get(m) or course.modules[m].points for m in modules}

    roster = load_roster(store_file, as_of=day)
    history = load_history(store_file)
    people = [PersonRecord(p.staff_id, p.name, p.bureau, p.division, p.section, p.role, p.status, title=p.title)
              for p in roster.people.values()]
    known = set(roster.people)
    seen = {sid for sid, _ in histories}
    if day is None:
        seen |= set(data.students)
    for sid in sorted(seen - known):
        people.append(PersonRecord(sid, data.students.get(sid, ""), "", "", "", "", NOT_IN_ROSTER))
    for person in people:
        person.modules = {m: _module_result(m, histories.get((person.staff_id, m)), max_scores[m]) for m in modules}
        person.tracks = {t: _track_result(t, tr.modules, person.modules, person, roles, history)
                         for t, tr in course.tracks.items()}
    kpi = load_kpi()
    records = Records(course, people, max_scores, roster.last_import, kpi.basic_track, kpi.builder_track, day, roles,
                      history, gathered.backfilled, kpi.coverage_tracks)
    _number_certificates(records, store_file)
    return records
