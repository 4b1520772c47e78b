"""Helpers shared by the curriculum grading tests (m01–m09): fixtures, grade cells, executed notebooks."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import yaml

REPO = Path(__file__).resolve().parents[1]
MODULES = ("e01", *(f"m0{i}" for i in range(1, 10)))  # the executive module and m01–m09


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


def run_lesson(name: str, workdir: Path, timeout: int = 180) -> str:
    """Execute notebooks/<name>.ipynb top to bottom offline; fail on any error; return all its output text."""
    from nbclient import NotebookClient

    nb = nbformat.read(REPO / "notebooks" / f"{name}.ipynb", as_version=4)
    NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(workdir)}}).execute()
    texts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            assert out.get("output_type") != "error", f"{cell.id}: {out.get('ename')}: {out.get('evalue')}"
            data = out.get("data", {})
            texts.append(out.get("text", "") + data.get("text/plain", "") + data.get("text/html", ""))
    joined = "\n".join(texts)
    assert "AIを呼び出せませんでした" not in joined
    return joined


def assert_cell_outcomes(got: dict[str, tuple[float, float]], expected: dict[str, str], points: dict[str, float],
                         student: str) -> None:
    """Per grade cell: 'full' marks, 'zero', or 'less' than full (a typical wrong answer)."""
    for gid, outcome in expected.items():
        score, maximum = got[gid]
        if outcome == "full":
            assert score == maximum == points[gid], f"{student} {gid}: {score}/{maximum}"
        elif outcome == "zero":
            assert score == 0 < maximum, f"{student} {gid}: scored {score}, expected 0"
        else:
            assert score < maximum, f"{student} {gid}: a wrong answer scored full marks"
