"""The programme's KPIs (goals in grader/course.toml ``[kpi]``) computed from the records."""

from __future__ import annotations

import tomllib
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from aidojo.course.config import GRADER_DIR

if TYPE_CHECKING:
    from aidojo.records.completion import Records


@dataclass(frozen=True)
class KpiConfig:
    basic_track: str = "basic"
    basic_completion_goal: float = 0.90
    builder_track: str = "builder"
    builder_goal: int = 150
    section_coverage_goal: float = 0.95


def load_kpi(path: Path | None = None) -> KpiConfig:
    """The ``[kpi]`` table of grader/course.toml (defaults: 90% basic, 150 builders, 95% of 課)."""
    path = Path(path or GRADER_DIR / "course.toml")
    table = tomllib.loads(path.read_text(encoding="utf-8")).get("kpi", {})
    known = {k: v for k, v in table.items() if k in KpiConfig.__dataclass_fields__}
    return KpiConfig(**known)


@dataclass(frozen=True)
class MonthPoint:
    month: str  # YYYY-MM (JST)
    basic_new: int
    basic_total: int
    basic_rate: float
    builder_new: int
    builder_total: int


@dataclass(frozen=True)
class BureauRow:
    bureau: str
    staff: int
    basic_completed: int
    builder_completed: int
    sections: int
    sections_covered: int

    @property
    def basic_rate(self) -> float:
        return self.basic_completed / self.staff if self.staff else 0.0


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

    @property
    def basic_rate(self) -> float:
        return self.basic_completed / self.staff if self.staff else 0.0

    @property
    def section_coverage(self) -> float:
        return self.sections_covered / self.sections if self.sections else 0.0

    def as_dict(self) -> dict:
        """Plain numbers (embedded in the dashboard as JSON)."""
        return {
            "staff": self.staff, "basic_completed": self.basic_completed, "basic_rate": round(self.basic_rate, 4),
            "basic_goal": self.config.basic_completion_goal, "builder_completed": self.builder_completed,
            "builder_goal": self.config.builder_goal, "sections": self.sections,
            "sections_covered": self.sections_covered, "section_coverage": round(self.section_coverage, 4),
            "section_goal": self.config.section_coverage_goal,
            "months": [vars(m) | {"basic_rate": round(m.basic_rate, 4)} for m in self.months],
            "bureaus": [vars(b) for b in self.bureaus],
        }


def _months(first: str, last: str) -> list[str]:
    y, m = map(int, first.split("-"))
    out = []
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def compute_kpis(records: Records, config: KpiConfig | None = None) -> Kpis:
    """Active staff only: basic-track rate, builder completers, share of 課 with ≥ 1 completer, by month and 局."""
    config = config or load_kpi()
    active = records.active()
    basic, builder = config.basic_track, config.builder_track

    def any_track(p) -> bool:
        return any(t.completed for t in p.tracks.values())

    sections: dict[tuple[str, str, str], bool] = {}
    for p in active:
        sections[p.section_key] = sections.get(p.section_key, False) or any_track(p)
    basic_months = defaultdict(int)
    builder_months = defaultdict(int)
    for p in active:
        if p.tracks[basic].completed and p.tracks[basic].date:
            basic_months[p.tracks[basic].date.strftime("%Y-%m")] += 1
        if p.tracks[builder].completed and p.tracks[builder].date:
            builder_months[p.tracks[builder].date.strftime("%Y-%m")] += 1
    seen = sorted(set(basic_months) | set(builder_months))
    months, b_total, k_total = [], 0, 0
    for month in (_months(seen[0], seen[-1]) if seen else []):
        b_total += basic_months[month]
        k_total += builder_months[month]
        months.append(MonthPoint(month, basic_months[month], b_total, b_total / len(active) if active else 0.0,
                                 builder_months[month], k_total))
    by_bureau: dict[str, list] = defaultdict(list)
    for p in active:
        by_bureau[p.bureau].append(p)
    bureaus = []
    for name, ps in sorted(by_bureau.items()):
        keys = {p.section_key for p in ps}
        bureaus.append(BureauRow(name, len(ps), sum(p.tracks[basic].completed for p in ps),
                                 sum(p.tracks[builder].completed for p in ps), len(keys),
                                 sum(sections[k] for k in keys)))
    return Kpis(config, len(active), sum(p.tracks[basic].completed for p in active),
                sum(p.tracks[builder].completed for p in active), len(sections), sum(sections.values()),
                months, bureaus)
