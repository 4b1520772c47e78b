"""Plan a grading run: which submissions to grade, read and checked once, and which are unchanged since last time."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from aidojo.course import nbjson
from aidojo.course.layout import CourseLayout
from aidojo.course.material import ModuleMaterial

FINGERPRINT = ".aidojo-graded.json"
MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024


class GradeStatus(StrEnum):
    """What happened to one submission in a run."""

    GRADED = "graded"
    SKIPPED = "skipped"  # unchanged since it was last graded
    FAILED = "failed"  # could not be graded (recorded as 0 points)


@dataclass
class Submission:
    """One learner's submission of one module, as stored by ``aidojo collect``."""

    staff_id: str
    module: str
    folder: Path
    notebooks: dict[str, dict] = field(default_factory=dict)  # file name → parsed notebook
    problems: dict[str, str] = field(default_factory=dict)  # file name → why it could not be read (Japanese)
    timestamp: datetime | None = None
    timestamp_text: str = ""
    fingerprint: str = ""  # these files graded with this material (a change of either means grading again)
    files_digest: str = ""  # these files alone (the same files graded again are not a new attempt)


def read_submission(folder: Path, material: ModuleMaterial) -> Submission:
    """Read and check the submission's notebooks (a broken one is a problem, not an exception)."""
    from nbgrader.utils import parse_utc

    sub = Submission(folder.parent.name, material.module, folder)
    digest = hashlib.sha256()
    for name in sorted(material.notebooks):
        path = folder / name
        if not path.is_file():
            continue
        data = path.read_bytes()
        digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
        if len(data) > MAX_NOTEBOOK_BYTES:
            sub.problems[name] = f"「{name}」が大きすぎます（{len(data) / 1e6:.1f} MB）"
            continue
        try:
            sub.notebooks[name] = nbjson.parse_notebook(data, name)
        except nbjson.NotebookError as exc:
            sub.problems[name] = str(exc)
    stamp = folder / "timestamp.txt"
    if stamp.is_file():
        sub.timestamp_text = stamp.read_text(encoding="utf-8", errors="replace").strip()[:100]
        digest.update(b"T" + sub.timestamp_text.encode())
        try:
            sub.timestamp = parse_utc(sub.timestamp_text) if sub.timestamp_text else None
        except (ValueError, OverflowError, TypeError):
            sub.timestamp = None
    sub.files_digest = digest.hexdigest()
    sub.fingerprint = hashlib.sha256((material.fingerprint + sub.files_digest).encode()).hexdigest()
    return sub


def find_submissions(layout: CourseLayout, module: str, students: list[str] | None = None) -> list[Path]:
    return [p for p in sorted(layout.submitted_dir.glob(f"*/{module}"))
            if p.is_dir() and (not students or p.parent.name in students)]


def previous_grade(layout: CourseLayout, sub: Submission) -> tuple[float, float] | None:
    """(score, max) from the last run when it graded exactly these files with this material."""
    marker = layout.autograded_dir / sub.staff_id / sub.module / FINGERPRINT
    try:
        saved = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if saved.get("fingerprint") != sub.fingerprint:
        return None
    return float(saved.get("score", 0)), float(saved.get("max_score", 0))
