"""The course definition (grader/course.toml) and where the course's runtime data lives."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
GRADER_DIR = REPO_ROOT / "grader"


def course_data_dir() -> Path:
    """Submissions, gradebook and reports: ``AIDOJO_COURSE_DIR`` or ``~/.aidojo/course`` (never in git)."""
    return Path(os.environ.get("AIDOJO_COURSE_DIR") or Path.home() / ".aidojo" / "course").expanduser().resolve()


@dataclass(frozen=True)
class Module:
    id: str
    title: str
    points: float


@dataclass(frozen=True)
class Track:
    id: str
    title: str
    modules: tuple[str, ...]


@dataclass(frozen=True)
class Course:
    id: str
    title: str
    pass_ratio: float
    modules: dict[str, Module]
    tracks: dict[str, Track]

    def passed(self, score: float, max_score: float) -> bool:
        """A module is passed at ≥ pass_ratio (80%) of its points."""
        return max_score > 0 and score >= self.pass_ratio * max_score - 1e-9


@lru_cache(maxsize=4)
def load_course(path: Path | None = None) -> Course:
    """Read grader/course.toml."""
    path = path or GRADER_DIR / "course.toml"
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    modules = {mid: Module(mid, m["title"], float(m.get("points", 0))) for mid, m in data["modules"].items()}
    tracks = {tid: Track(tid, t["title"], tuple(t["modules"])) for tid, t in data["tracks"].items()}
    info = data["course"]
    return Course(info["id"], info["title"], float(info.get("pass_ratio", 0.8)), modules, tracks)
