"""Plain nbgrader, for comparison only: generate_assignment → copy submissions → ``nbgrader autograde`` in a
throw-away course folder → per-cell scores. The autograde benchmark's baseline; never used to grade learners
(it runs their code in the grader's own kernel, which the course's configuration refuses otherwise).
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from aidojo.course.config import REPO_ROOT
from aidojo.course.nbgrader_cli import run_nbgrader


@dataclass
class NotebookResult:
    """Scores of one graded notebook: per grade cell (grade_id → (score, max_score))."""

    student: str
    notebook: str
    score: float
    max_score: float
    cells: dict[str, tuple[float, float]] = field(default_factory=dict)
    log: str = ""


def grade_notebooks(module: str, submissions: dict[str, dict[str, Path]], *, workdir: Path | None = None,
                    timeout_per_cell: int | None = None, source_dir: Path | None = None) -> dict[str, list[NotebookResult]]:
    """Autograde ``{student: {notebook_name: path}}`` for ``module``; returns results per student.

    ``notebook_name`` is the file name without ``.ipynb`` as in solutions/<module>/.
    """
    from nbgrader.api import Gradebook

    own_tmp = workdir is None
    work = Path(workdir or tempfile.mkdtemp(prefix="aidojo-grade-"))
    try:
        db_url = f"sqlite:///{work / 'gradebook.db'}"
        source_root = source_dir or REPO_ROOT / "solutions"
        common = [f"--CourseDirectory.db_url={db_url}", f"--CourseDirectory.source_directory={source_root}",
                  f"--CourseDirectory.release_directory={work / 'release'}",
                  f"--CourseDirectory.submitted_directory={work / 'submitted'}",
                  f"--CourseDirectory.autograded_directory={work / 'autograded'}",
                  f"--CourseDirectory.feedback_directory={work / 'feedback'}"]
        if timeout_per_cell:
            common.append(f"--Execute.timeout={timeout_per_cell}")
        run_nbgrader(["generate_assignment", module, "--force", *common], course_dir=work)
        for student, notebooks in submissions.items():
            target = work / "submitted" / student / module
            target.mkdir(parents=True, exist_ok=True)
            for name, path in notebooks.items():
                shutil.copyfile(path, target / f"{name}.ipynb")
            (target / "timestamp.txt").write_text("2026-11-23 10:00:00.000000 UTC")
        proc = run_nbgrader(["autograde", module, "--force", *common], course_dir=work, check=False,
                            extra_env={"AIDOJO_PLAIN_NBGRADER": "1", "NBGRADER_EXECUTION": "autograde"})
        results: dict[str, list[NotebookResult]] = {}
        with Gradebook(db_url, course_id="aidojo") as gb:
            for student in submissions:
                try:
                    sub = gb.find_submission(module, student)
                except Exception:  # nbgrader.api.MissingEntry: nothing graded for this student
                    results[student] = []
                    continue
                out = []
                for nb in sub.notebooks:
                    cells = {g.name: (float(g.score or 0), float(g.max_score or 0)) for g in nb.grades}
                    out.append(NotebookResult(student, nb.name, float(nb.score or 0), float(nb.max_score or 0), cells,
                                              proc.stdout[-4000:] + proc.stderr[-4000:]))
                results[student] = out
        return results
    finally:
        if own_tmp:
            shutil.rmtree(work, ignore_errors=True)
