"""Helpers shared by the curriculum grading tests (m01–m09): fixtures, grade cells, executed notebooks."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import yaml

REPO = Path(__file__).resolve().parents[1]
MODULES = tuple(f"m0{i}" for i in range(1, 10))


def load_fixture(module: str) -> dict:
    """tests/fixtures/answers/<module>.yaml: the solution, correct variants and typical wrong answers."""
    return yaml.safe_load((REPO / "tests" / "fixtures" / "answers" / f"{module}.yaml").read_text(encoding="utf-8"))


def cell_id(qid: str, suffix: str) -> str:
    """'m04.q3', 'answer' → 'm04-q3-answer' (the notebooks' cell id convention)."""
    return qid.replace(".", "-") + "-" + suffix


def grade_cells(nb) -> dict[str, float]:
    """grade_id → points of every graded cell of a notebook."""
    return {c.metadata["nbgrader"]["grade_id"]: float(c.metadata["nbgrader"].get("points", 0))
            for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")}


def assert_clean(path: Path) -> None:
    """Committed with outputs cleared and stable nbformat 4.5 cell ids."""
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert (nb.nbformat, nb.nbformat_minor) >= (4, 5)
    for cell in nb.cells:
        assert re.fullmatch(r"[a-zA-Z0-9_-]{1,64}", cell.id)
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None, f"{path.name}: outputs not cleared"


def assert_no_errors_outside_graded_cells(path: Path, *, graded_too: bool = False) -> None:
    """An executed (autograded) notebook has no error output outside its graded cells."""
    nb = nbformat.read(path, as_version=4)
    ran = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        ran += cell.execution_count is not None
        if cell.metadata.get("nbgrader", {}).get("grade") and not graded_too:
            continue
        errors = [o for o in cell.outputs if o.get("output_type") == "error"]
        assert not errors, f"{path.name} cell {cell.id}: {errors[0].get('ename')}: {errors[0].get('evalue')}"
    assert ran > 0, "the notebook was not executed"
