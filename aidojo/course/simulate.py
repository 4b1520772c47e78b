"""Simulated learners for demos and benchmarks: notebooks answered right, partly right, or broken.

Built from the course itself: the student version (exercises/) with answer cells filled from the
instructor version (solutions/), so they follow the real modules as they change.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Literal

from aidojo.course.layout import CourseLayout, resolve_layout
from aidojo.course.nbjson import cell_source, grade_id, is_answer_cell, is_test_cell

Kind = Literal["right", "partial", "broken", "untouched"]
_MARKER = re.compile(r"^\s*#+\s*(?:BEGIN|END) SOLUTION\s*$\n?", re.M)


def learner_notebook(module: str, notebook: str, kind: Kind, *, layout: CourseLayout | None = None) -> dict:
    """The student notebook ``notebook`` of ``module`` as a learner of the given ``kind`` would submit it.

    right: every answer cell holds the solution; partial: the first half do; broken: the solutions, but one
    answer has a syntax error and one test cell was deleted; untouched: the exercise as released.
    """
    layout = resolve_layout(layout)
    student = json.loads((layout.release_dir / module / f"{notebook}.ipynb").read_text(encoding="utf-8"))
    source = json.loads((layout.source_dir / module / f"{notebook}.ipynb").read_text(encoding="utf-8"))
    solutions = {grade_id(c): _MARKER.sub("", cell_source(c)) for c in source["cells"]
                 if is_answer_cell(c)}
    answer_ids = [g for g in (grade_id(c) for c in student["cells"]) if g in solutions]
    if kind == "untouched":
        return student
    filled = answer_ids if kind in ("right", "broken") else answer_ids[: max(1, len(answer_ids) // 2)]
    for cell in student["cells"]:
        gid = grade_id(cell)
        if gid in filled:
            cell["source"] = solutions[gid]
    if kind == "broken":
        for cell in student["cells"]:
            if grade_id(cell) == answer_ids[0]:
                cell["source"] = "これは Python ではありません (((\n"
                break
        tests = [c for c in student["cells"] if is_test_cell(c)]
        if tests:
            student["cells"].remove(tests[-1])
    return student


def write_learner(folder: Path, module: str, kind: Kind, *, layout: CourseLayout | None = None) -> Path:
    """Write all notebooks of ``module`` for one simulated learner into ``folder`` (as in their exercises/)."""
    layout = resolve_layout(layout)
    folder.mkdir(parents=True, exist_ok=True)
    for name in layout.notebooks(module):
        nb = learner_notebook(module, name, kind, layout=layout)
        (folder / f"{name}.ipynb").write_text(json.dumps(nb, ensure_ascii=False, indent=1), encoding="utf-8")
    return folder
