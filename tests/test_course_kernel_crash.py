"""A cell that kills the kernel costs only its own part: the rest of the submission is still graded."""

from __future__ import annotations

import json

import pytest

from aidojo.course.quickgrade import grade_notebooks
from aidojo.course.simulate import learner_notebook

pytestmark = pytest.mark.slow


def test_top_level_kernel_crash_scores_zero_for_its_part_only(tmp_path):
    nb = learner_notebook("m04", "m04_kadai", "right")
    answer = next(c for c in nb["cells"] if (c["metadata"].get("nbgrader") or {}).get("grade_id") == "m04-q2-answer")
    answer["source"] = "import os\nos._exit(1)\n"  # kills the kernel at the top level of the cell
    path = tmp_path / "m04_kadai.ipynb"
    path.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
    [result] = grade_notebooks("m04", {"k30001": {"m04_kadai": path}}, timeout_per_cell=15)["k30001"]
    assert result.cells["m04-q2-test"][0] == 0
    others = {gid: got for gid, got in result.cells.items() if gid != "m04-q2-test"}
    assert sum(score for score, _ in others.values()) > 0 and result.score > 0, result.cells
