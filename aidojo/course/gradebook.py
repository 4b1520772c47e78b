"""nbgrader's gradebook, written only by the trusted grader: assignments generated from the sources, and each
submission's scores recorded exactly as nbgrader's SaveAutoGrades would (one transaction per submission)."""

from __future__ import annotations

import hashlib
import json
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from aidojo.course import nbjson
from aidojo.course.layout import CourseLayout
from aidojo.fileio import atomic_write_text

ASSIGNMENTS_MARK = ".aidojo-assignments.json"
NO_RESPONSE = "未回答です（配られたときのままでした）。"  # nbgrader writes "No response."; learners read this


def course_id(layout: CourseLayout) -> str:
    """The course id of grader/course.toml (nbgrader's course_id in every gradebook this kit writes)."""
    from aidojo.course.config import load_course

    return load_course().id


@contextmanager
def open_gradebook(layout: CourseLayout):
    """nbgrader's Gradebook on the layout's database (created on first use, which runs nbgrader's `alembic`)."""
    import os
    import sys
    import warnings

    bin_dir = os.path.dirname(sys.executable)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = os.pathsep.join((bin_dir, os.environ.get("PATH", "")))

    from nbgrader.api import Gradebook

    if layout.db_url.startswith("sqlite:///"):
        Path(layout.db_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():  # nbgrader's known SAWarning (not in session)
        warnings.simplefilter("ignore")
        with Gradebook(layout.db_url, course_id=course_id(layout)) as gb:
            yield gb


def release_hash(layout: CourseLayout, module: str) -> str:
    h = hashlib.sha256()
    for p in sorted((layout.release_dir / module).glob("*.ipynb")):
        h.update(p.name.encode() + b"\0" + hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()


def ensure_assignments(layout: CourseLayout, modules: list[str]) -> None:
    """Make the gradebook know ``modules`` as nbgrader assignments, from the released notebooks, with nbgrader's
    own ``SaveCells`` (what ``generate_assignment`` records), in this process: no nbgrader command, no kernel.
    Only when the release changed since last time. Raises RuntimeError when nbgrader refuses (for example cells
    added or removed after submissions were recorded)."""
    import nbformat
    from nbgrader.api import MissingEntry
    from nbgrader.preprocessors import SaveCells

    mark = layout.autograded_dir / ASSIGNMENTS_MARK
    try:
        saved = json.loads(mark.read_text(encoding="utf-8"))
        if saved.get("db_url") != layout.db_url:
            saved = {}
    except (OSError, ValueError):
        saved = {}
    hashes = {m: release_hash(layout, m) for m in modules}
    stale = [m for m in modules if saved.get("modules", {}).get(m) != hashes[m]]
    with open_gradebook(layout) as gb:
        for m in modules:
            if m in stale:
                continue
            try:
                gb.find_assignment(m)
            except MissingEntry:
                stale.append(m)
        for m in stale:
            gb.update_or_create_assignment(m)
    for module in stale:
        for path in sorted((layout.release_dir / module).glob("*.ipynb")):
            nb = nbformat.read(path, as_version=4)
            resources = {"nbgrader": {"notebook": path.stem, "assignment": module, "db_url": layout.db_url}}
            SaveCells().preprocess(nb, resources)
    saved["db_url"] = layout.db_url
    saved.setdefault("modules", {}).update({m: hashes[m] for m in stale})
    atomic_write_text(mark, json.dumps(saved, indent=1))


def record_submission(gb, module: str, staff_id: str, timestamp: datetime | None,
                      graded: dict[str, dict[str, float]], answer_cells: dict[str, dict[str, bool]]) -> tuple[float, float]:
    """Write one submission: ``graded`` is notebook stem → grade_id → auto score; ``answer_cells`` notebook stem →
    grade_id → unchanged (for nbgrader's "No response." comment). Notebooks not in ``graded`` score 0. A manual
    score a trainer entered stays (and is marked for review), as in nbgrader. Returns (score, max_score)."""
    gb.update_or_create_student(staff_id)
    sub = gb.update_or_create_submission(module, staff_id, **({"timestamp": timestamp} if timestamp else {}))
    for nb in sub.notebooks:
        scores = graded.get(nb.name, {})
        for grade in nb.grades:
            grade.auto_score = scores.get(grade.name, 0.0)
            grade.needs_manual_grade = grade.manual_score is not None
        for comment in nb.comments:
            unchanged = answer_cells.get(nb.name, {}).get(comment.name)
            if unchanged is not None:
                comment.auto_comment = NO_RESPONSE if unchanged else None
    gb.db.commit()
    sub = gb.find_submission(module, staff_id)
    if gb.find_assignment(module).duedate is not None:
        _late_penalty(gb, sub)
    return float(sub.score or 0), float(sub.max_score or 0)


def _late_penalty(gb, sub) -> None:
    """nbgrader's late-submission plugin, applied as AssignLatePenalties does (its default: no penalty)."""
    from nbgrader.plugins import LateSubmissionPlugin

    plugin = LateSubmissionPlugin()
    for nb in sub.notebooks:
        nb.late_submission_penalty = None
        if sub.total_seconds_late > 0:
            penalty = plugin.late_submission_penalty(sub.student.id, nb.score, sub.total_seconds_late)
            if penalty is not None:
                nb.late_submission_penalty = min(max(penalty, 0), nb.score)
    gb.db.commit()


def answer_unchanged(cell: dict) -> bool:
    """nbgrader's test for "No response.": the answer cell's checksum equals the released stub's."""
    from nbformat import from_dict
    from nbgrader.utils import compute_checksum

    checksum = nbjson.nbgrader_meta(cell).get("checksum")
    return bool(checksum) and checksum == compute_checksum(from_dict(cell))
