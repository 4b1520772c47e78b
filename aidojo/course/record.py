"""Record a judged submission: the autograded notebooks (nbgrader's file format, for formgrader and feedback),
the gradebook, the grading fingerprint and the attempts ledger HR reads. Only the trusted grader writes here."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from aidojo.checks.result import NG_MARK, OK_MARK
from aidojo.course import nbjson
from aidojo.course.attempts import Attempt, record_attempt
from aidojo.course.gradebook import answer_unchanged, record_submission
from aidojo.course.judge import NotebookVerdict
from aidojo.course.layout import CourseLayout
from aidojo.course.plan import FINGERPRINT, Submission
from aidojo.fileio import atomic_folder


def verdict_outputs(result) -> list[dict]:
    """A test cell's outputs: a line for a pass; an error (nbgrader scores it 0) with the hints for a fail."""
    if result.ok:
        return [{"output_type": "stream", "name": "stdout", "text": f"{OK_MARK} {result.praise}\n"}]
    hints = result.hints or ["もう一度見直してください。"]
    return [{"output_type": "error", "ename": "不合格", "evalue": hints[0],
             "traceback": [f"{NG_MARK} もう少しです。"] + [f"・{h}" for h in hints]}]


def autograded_notebook(assembled: dict, verdict: NotebookVerdict, run_cells: dict[int, dict] | None) -> dict:
    """The assembled notebook with the run's outputs (code modules) and the verdicts on the test cells."""
    nb = json.loads(json.dumps(assembled))
    by_gid = {v.cell.grade_id: v for v in verdict.cells}
    count = 0
    for index, cell in enumerate(nb["cells"]):
        if cell.get("cell_type") != "code":
            continue
        gid = nbjson.grade_id(cell)
        if gid in by_gid and nbjson.is_test_cell(cell):
            cell["outputs"] = verdict_outputs(by_gid[gid].result)
        elif run_cells and index in run_cells:
            cell["outputs"] = [o for o in run_cells[index]["outputs"] if isinstance(o, dict)]
        else:
            continue
        count += 1
        cell["execution_count"] = count
    return nb


def write_autograded(layout: CourseLayout, sub: Submission, notebooks: dict[str, dict], score: tuple[float, float]) -> Path:
    """Swap autograded/<staff_id>/<module>/ in atomically (notebooks, timestamp, fingerprint)."""
    target = layout.autograded_dir / sub.staff_id / sub.module
    with atomic_folder(target) as staging:
        for name, nb in notebooks.items():
            (staging / name).write_text(nbjson.dumps(nb), encoding="utf-8")
        if sub.timestamp_text:
            (staging / "timestamp.txt").write_text(sub.timestamp_text + "\n", encoding="utf-8")
        (staging / FINGERPRINT).write_text(json.dumps({"fingerprint": sub.fingerprint, "score": score[0],
                                                       "max_score": score[1]}), encoding="utf-8")
    return target


def record(gb, layout: CourseLayout, sub: Submission, verdicts: dict[str, NotebookVerdict],
           graded_notebooks: dict[str, dict], *, pass_ratio: float) -> tuple[float, float]:
    """Gradebook, autograded files and the attempts ledger for one judged submission; returns (score, max)."""
    graded = {Path(name).stem: {v.cell.grade_id: v.score for v in verdict.cells} for name, verdict in verdicts.items()
              if name in sub.notebooks}
    answers = {Path(name).stem: {nbjson.grade_id(c): answer_unchanged(c) for c in nb["cells"] if nbjson.is_answer_cell(c)}
               for name, nb in graded_notebooks.items()}
    score = record_submission(gb, sub.module, sub.staff_id, sub.timestamp, graded, answers)
    write_autograded(layout, sub, graded_notebooks, score)
    passed = score[1] > 0 and score[0] >= pass_ratio * score[1] - 1e-9
    record_attempt(layout.data_dir, Attempt(
        staff_id=sub.staff_id, module=sub.module, score=score[0], max_score=score[1], passed=passed,
        graded_at=datetime.now(UTC).isoformat(timespec="seconds"),
        submitted_at=sub.timestamp.replace(tzinfo=UTC).isoformat(timespec="seconds") if sub.timestamp else None,
        fingerprint=sub.files_digest))
    return score
