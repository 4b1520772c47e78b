"""The programme's KPIs (goals in grader/course.toml ``[kpi]``) computed from the records and the AI gateway's use.

Completion (basic-track rate, builder completers, 課 with a completer) and real use (share of staff who used the
hub's AI gateway, share of 課 where someone did), for the report's 年度 and month by month. A past month is
measured against that month's roster (its headcount on the last day of the month), so transfers and leavers
since do not rewrite history.
"""

from __future__ import annotations

import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from aidojo.course.config import GRADER_DIR
from aidojo.records.fiscal import fiscal_year, fy_end, fy_label, fy_start, today_jst

if TYPE_CHECKING:
    from aidojo.records.completion import Records

MAX_MONTHS = 36


@dataclass(frozen=True)
class KpiConfig:
    basic_track: str = "basic"
    basic_completion_goal: float = 0.90
    builder_track: str = "builder"
    builder_goal: int = 150
    section_coverage_goal: float = 0.95
    use_goal: float = 0.90  # share of staff who use generative AI
    section_use_goal: float = 0.95  # share of 課 where someone uses it
    section_tracks: tuple[str, ...] = ()  # tracks whose completers cover a 課; empty: the basic and builder tracks

    @property
    def coverage_tracks(self) -> tuple[str, ...]:
        return tuple(self.section_tracks) or (self.basic_track, self.builder_track)


def load_kpi(path: Path | None = None) -> KpiConfig:
    """The ``[kpi]`` table of grader/course.toml (defaults: 90% basic, 150 builders, 95% of 課, 90%/95% use)."""
    path = Path(path or GRADER_DIR / "course.toml")
    table = tomllib.loads(path.read_text(encoding="utf-8")).get("kpi", {})
    known = {k: tuple(v) if isinstance(v, list) else v for k, v in table.items() if k in KpiConfig.__dataclass_fields__}
    return KpiConfig(**known)


@dataclass(frozen=True)
class MonthPoint:
    month: str  # YYYY-MM (JST)
    fiscal_year: int
    headcount: int  # active staff on the month's last day (or on the report date)
    basic_total: int  # of them, basic-track completers by then
    basic_rate: float
    builder_total: int
    users: int  # of them, staff who used the AI gateway that month
    use_rate: float
    sections: int
    sections_using: int
    basic_new: int = 0

    @property
    def section_use_rate(self) -> float:
        return self.sections_using / self.sections if self.sections else 0.0


@dataclass(frozen=True)
class YearRow:
    """One 年度 as it stood at its end (or the report date)."""

    fiscal_year: int
    label: str
    day: str
    headcount: int
    basic_completed: int
    builder_completed: int
    users: int
    sections: int
    sections_using: int

    @property
    def basic_rate(self) -> float:
        return self.basic_completed / self.headcount if self.headcount else 0.0

    @property
    def use_rate(self) -> float:
        return self.users / self.headcount if self.headcount else 0.0

    @property
    def section_use_rate(self) -> float:
        return self.sections_using / self.sections if self.sections else 0.0


@dataclass(frozen=True)
class TrackCount:
    """Completers of one track among the active staff it is for (幹部 for the executive track)."""

    track: str
    title: str
    completed: int
    eligible: int
    counts_for_coverage: bool = False

    @property
    def rate(self) -> float:
        return self.completed / self.eligible if self.eligible else 0.0


@dataclass(frozen=True)
class BureauRow:
    bureau: str
    staff: int
    basic_completed: int
    builder_completed: int
    sections: int
    sections_covered: int
    users: int = 0
    sections_using: int = 0
    tracks: dict[str, tuple[int, int]] = field(default_factory=dict)  # track -> (completers, staff it is for)

    @property
    def basic_rate(self) -> float:
        return self.basic_completed / self.staff if self.staff else 0.0

    @property
    def use_rate(self) -> float:
        return self.users / self.staff if self.staff else 0.0


@dataclass(frozen=True)
class Kpis:
    config: KpiConfig
    staff: int
    basic_completed: int
    builder_completed: int
    sections: int
    sections_covered: int
    months: list[MonthPoint]
    bureaus: list[BureauRow]
    day: date = field(default_factory=today_jst)
    users: int = 0  # staff who used AI in the report's 年度 (up to its date)
    sections_using: int = 0
    years: list[YearRow] = field(default_factory=list)
    usage_known: bool = False  # the gateway has recorded any use at all
    tracks: list[TrackCount] = field(default_factory=list)  # every track, in course.toml order

    @property
    def other_tracks(self) -> list[TrackCount]:
        """Tracks with no card of their own (not basic or builder): the executive track."""
        return [t for t in self.tracks if t.track not in (self.config.basic_track, self.config.builder_track)]

    @property
    def fiscal_year(self) -> int:
        return fiscal_year(self.day)

    @property
    def basic_rate(self) -> float:
        return self.basic_completed / self.staff if self.staff else 0.0

    @property
    def section_coverage(self) -> float:
        return self.sections_covered / self.sections if self.sections else 0.0

    @property
    def use_rate(self) -> float:
        return self.users / self.staff if self.staff else 0.0

    @property
    def section_use_rate(self) -> float:
        return self.sections_using / self.sections if self.sections else 0.0

    def as_dict(self) -> dict:
        """Plain numbers (embedded in the dashboard as JSON)."""
        return {
            "date": self.day.isoformat(), "fiscal_year": self.fiscal_year,
            "staff": self.staff, "basic_completed": self.basic_completed, "basic_rate": round(self.basic_rate, 4),
            "basic_goal": self.config.basic_completion_goal, "builder_completed": self.builder_completed,
            "builder_goal": self.config.builder_goal, "sections": self.sections,
            "sections_covered": self.sections_covered, "section_coverage": round(self.section_coverage, 4),
            "section_goal": self.config.section_coverage_goal, "users": self.users,
            "use_rate": round(self.use_rate, 4), "use_goal": self.config.use_goal,
            "sections_using": self.sections_using, "section_use_rate": round(self.section_use_rate, 4),
            "section_use_goal": self.config.section_use_goal,
            "months": [vars(m) | {"basic_rate": round(m.basic_rate, 4), "use_rate": round(m.use_rate, 4)}
                       for m in self.months],
            "years": [vars(y) for y in self.years],
            "bureaus": [vars(b) | {"tracks": {t: list(v) for t, v in b.tracks.items()}} for b in self.bureaus],
            "tracks": [vars(t) | {"rate": round(t.rate, 4)} for t in self.tracks],
            "coverage_tracks": list(self.config.coverage_tracks),
        }


def _month_ends(first: date, last: date) -> list[tuple[str, date]]:
    """(YYYY-MM, last day of that month, capped at ``last``) from ``first``'s month to ``last``'s."""
    out = []
    y, m = first.year, first.month
    while (y, m) <= (last.year, last.month):
        nxt = date(y + (m == 12), m % 12 + 1, 1)
        out.append((f"{y:04d}-{m:02d}", min(nxt - timedelta(days=1), last)))
        y, m = nxt.year, nxt.month
    return out


def _usage(since: date, until: date) -> tuple[dict[str, set[str]], bool]:
    """YYYY-MM → staff ids who used the gateway that month (JST days), and whether any use was ever recorded.

    Read in SQL from the gateway's per-day store rather than through ``load_usage``: at city scale a year is 400,000
    staff-days. A month that has ended is counted once and kept in records.db (its use no longer changes); only
    the running month is read live.
    """
    import sqlite3

    from aidojo.course.config import course_data_dir
    from aidojo.records import store
    from aidojo.records.usage import USAGE_DB

    path = course_data_dir() / USAGE_DB
    if not path.is_file():
        return {}, False
    by_month: dict[str, set[str]] = defaultdict(set)
    today = today_jst()
    months = _month_ends(since, until)
    con = sqlite3.connect(path, timeout=10)

    def scan(first: date, last: date) -> list[tuple[str, str]]:
        return con.execute("SELECT DISTINCT substr(day, 1, 7), staff_id FROM usage WHERE day >= ? AND day <= ?"
                           " AND requests > 0", (first.isoformat(), last.isoformat())).fetchall()

    try:
        with store.connect() as cache:
            done = {r[0] for r in cache.execute("SELECT month FROM usage_months_done")}
            for month, end in months:
                start = date.fromisoformat(month + "-01")
                finished = end < today and (end + timedelta(days=1)).day == 1  # the whole month lies in the past
                if finished and month not in done:
                    rows = scan(start, end)
                    with store.transaction(cache):
                        cache.executemany("INSERT OR IGNORE INTO usage_months VALUES (?, ?)", rows)
                        cache.execute("INSERT OR REPLACE INTO usage_months_done VALUES (?, ?)",
                                      (month, today.isoformat()))
                    done.add(month)
                if month in done and finished:
                    continue
                for m, sid in scan(start, end):
                    by_month[m].add(sid)
            if done:
                marks = [m for m, _ in months if m in done]
                for chunk in range(0, len(marks), 500):
                    part = marks[chunk:chunk + 500]
                    for m, sid in cache.execute(f"SELECT month, staff_id FROM usage_months WHERE month IN "
                                                f"({','.join('?' * len(part))})", part):
                        by_month[m].add(sid)
    finally:
        con.close()
    return by_month, True


def compute_kpis(records: Records, config: KpiConfig | None = None) -> Kpis:
    """Active staff at the report date: completion and use, by month, by 年度 and by 局."""
    config = config or load_kpi()
    day = records.as_of or today_jst()
    active = records.active()
    basic, builder = config.basic_track, config.builder_track

    completions = [p.tracks[basic].date.date() for p in records.people if p.tracks[basic].date]
    first = fy_start(fiscal_year(day))
    if completions:
        first = min(first, fy_start(fiscal_year(min(completions))))
    first = max(first, fy_start(fiscal_year(day) - MAX_MONTHS // 12 + 1))
    use_by_month, usage_known = _usage(first, day)
    if use_by_month:
        first = min(first, max(fy_start(fiscal_year(date.fromisoformat(min(use_by_month) + "-01"))),
                               fy_start(fiscal_year(day) - MAX_MONTHS // 12 + 1)))

    basic_date = {p.staff_id: p.tracks[basic].date.date() for p in records.people if p.tracks[basic].date}
    builder_date = {p.staff_id: p.tracks[builder].date.date() for p in records.people if p.tracks[builder].date}
    basic_months: dict[str, int] = defaultdict(int)
    for d in basic_date.values():
        basic_months[f"{d.year:04d}-{d.month:02d}"] += 1
    history = records.history
    months: list[MonthPoint] = []
    for month, end in _month_ends(first, day):
        on_roster = history.headcount(end) if history else {p.staff_id: p for p in active}
        users = use_by_month.get(month, set())
        sections = {(e.bureau, e.division, e.section) for e in on_roster.values()}
        using = {(e.bureau, e.division, e.section) for sid, e in on_roster.items() if sid in users}
        done = sum(1 for sid in on_roster if sid in basic_date and basic_date[sid] <= end)
        new_basic = basic_months.get(month, 0)
        n, used = len(on_roster), sum(1 for sid in on_roster if sid in users)
        months.append(MonthPoint(month, fiscal_year(end), n, done, done / n if n else 0.0,
                                 sum(1 for sid in on_roster if sid in builder_date and builder_date[sid] <= end),
                                 used, used / n if n else 0.0, len(sections), len(using), new_basic))

    years: list[YearRow] = []
    for fy in sorted({m.fiscal_year for m in months}):
        end = min(fy_end(fy), day)
        on_roster = history.headcount(end) if history else {p.staff_id: p for p in active}
        users_fy = set().union(*[use_by_month.get(m, set()) for m, _ in _month_ends(max(fy_start(fy), first), end)])
        sections = {(e.bureau, e.division, e.section) for e in on_roster.values()}
        using = {(e.bureau, e.division, e.section) for sid, e in on_roster.items() if sid in users_fy}
        years.append(YearRow(fy, fy_label(fy), end.isoformat(), len(on_roster),
                             sum(1 for sid in on_roster if sid in basic_date and basic_date[sid] <= end),
                             sum(1 for sid in on_roster if sid in builder_date and builder_date[sid] <= end),
                             sum(1 for sid in on_roster if sid in users_fy), len(sections), len(using)))

    users_now = set().union(*[use_by_month.get(m, set()) for m, _ in _month_ends(fy_start(fiscal_year(day)), day)])
    sections: dict[tuple[str, str, str], bool] = {}
    using: dict[tuple[str, str, str], bool] = {}
    for p in active:
        sections[p.section_key] = sections.get(p.section_key, False) or records.covers(p)
        using[p.section_key] = using.get(p.section_key, False) or p.staff_id in users_now
    by_bureau: dict[str, list] = defaultdict(list)
    for p in active:
        by_bureau[p.bureau].append(p)
    track_ids = list(records.course.tracks)

    def counts(people: list) -> dict[str, tuple[int, int]]:
        return {t: (sum(p.tracks[t].completed for p in people), sum(p.tracks[t].eligible for p in people))
                for t in track_ids}

    bureaus = []
    for name, ps in sorted(by_bureau.items()):
        keys = {p.section_key for p in ps}
        bureaus.append(BureauRow(name, len(ps), sum(p.tracks[basic].completed for p in ps),
                                 sum(p.tracks[builder].completed for p in ps), len(keys),
                                 sum(sections[k] for k in keys), sum(p.staff_id in users_now for p in ps),
                                 sum(using[k] for k in keys), counts(ps)))
    tracks = [TrackCount(t, records.course.tracks[t].title, *n, t in records.coverage_tracks)
              for t, n in counts(active).items()]
    return Kpis(config, len(active), sum(p.tracks[basic].completed for p in active),
                sum(p.tracks[builder].completed for p in active), len(sections), sum(sections.values()),
                months, bureaus, day, sum(p.staff_id in users_now for p in active), sum(using.values()), years,
                usage_known, tracks)
