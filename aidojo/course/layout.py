"""Where one course's files live: source (solutions/), release (exercises/), runtime data, gradebook, exchange.

Every function of aidojo.course takes an optional ``CourseLayout``; the default is the repository's course
(grader/nbgrader_config.py). Tests and benchmarks point it at a fixture assignment and temp folders.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from aidojo.course.config import REPO_ROOT, course_data_dir


def default_db_url(data_dir: Path | None = None) -> str:
    """``AIDOJO_DB_URL`` or the sqlite gradebook in the course data folder (as grader/nbgrader_config.py)."""
    return os.environ.get("AIDOJO_DB_URL") or f"sqlite:///{(data_dir or course_data_dir()) / 'gradebook.db'}"


@dataclass(frozen=True)
class CourseLayout:
    """Paths of one course. ``data_dir`` holds submitted/, autograded/, feedback/, reports/ (never in git)."""

    source_dir: Path = field(default_factory=lambda: REPO_ROOT / "solutions")
    release_dir: Path = field(default_factory=lambda: REPO_ROOT / "exercises")
    data_dir: Path = field(default_factory=course_data_dir)
    db_url: str = ""
    exchange_dir: Path | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "source_dir", Path(self.source_dir).resolve())
        object.__setattr__(self, "release_dir", Path(self.release_dir).resolve())
        object.__setattr__(self, "data_dir", Path(self.data_dir).resolve())
        if not self.db_url:
            object.__setattr__(self, "db_url", default_db_url(self.data_dir))
        if self.exchange_dir is None:
            env = os.environ.get("AIDOJO_EXCHANGE")
            object.__setattr__(self, "exchange_dir", Path(env) if env else self.data_dir / "exchange")

    @property
    def submitted_dir(self) -> Path:
        return self.data_dir / "submitted"

    @property
    def autograded_dir(self) -> Path:
        return self.data_dir / "autograded"

    @property
    def feedback_dir(self) -> Path:
        return self.data_dir / "feedback"

    @property
    def reports_dir(self) -> Path:
        return self.data_dir / "reports"

    def with_(self, **changes) -> CourseLayout:
        return replace(self, **changes)

    def modules(self) -> list[str]:
        """Modules present in the source folder (each a folder with at least one notebook)."""
        if not self.source_dir.is_dir():
            return []
        return sorted(p.name for p in self.source_dir.iterdir() if p.is_dir() and any(p.glob("*.ipynb")))

    def notebooks(self, module: str) -> list[str]:
        """Notebook names (without .ipynb) of ``module`` in the source folder."""
        return sorted(p.stem for p in (self.source_dir / module).glob("*.ipynb"))

    def overrides(self, *, db_url: str | None = None, data_dir: Path | None = None,
                  release_dir: Path | None = None, source_dir: Path | None = None) -> list[str]:
        """nbgrader command-line options that point nbgrader at this layout (or the given replacements)."""
        data = Path(data_dir or self.data_dir)
        return [f"--CourseDirectory.source_directory={source_dir or self.source_dir}",
                f"--CourseDirectory.release_directory={release_dir or self.release_dir}",
                f"--CourseDirectory.submitted_directory={data / 'submitted'}",
                f"--CourseDirectory.autograded_directory={data / 'autograded'}",
                f"--CourseDirectory.feedback_directory={data / 'feedback'}",
                f"--CourseDirectory.db_url={db_url or self.db_url}",
                f"--Exchange.root={self.exchange_dir}"]


def resolve_layout(layout: CourseLayout | None = None, *, source_dir: Path | None = None,
                   db_url: str | None = None) -> CourseLayout:
    """``layout`` (or the default course) with optional source folder / gradebook replacements."""
    layout = layout or CourseLayout()
    if source_dir is not None:
        layout = layout.with_(source_dir=Path(source_dir).resolve())
    if db_url:
        layout = layout.with_(db_url=db_url)
    return layout
