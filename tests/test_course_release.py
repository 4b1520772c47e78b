"""Release: exercises/ equal what nbgrader generates from solutions/ (every module present), and a leak stops it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from aidojo.course.layout import CourseLayout
from aidojo.course.release import ReleaseError, find_leaks, generate, release
from tests.fixtures.course.helpers import SOURCE, layout

REPO = Path(__file__).resolve().parents[1]
VOLATILE_NB_META = ("language_info",)


def _comparable(path: Path) -> dict:
    """Cell sources, types, ids and metadata, and notebook metadata without volatile fields."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    meta = {k: v for k, v in nb.get("metadata", {}).items() if k not in VOLATILE_NB_META}
    cells = [{"cell_type": c["cell_type"], "id": c.get("id"), "metadata": c.get("metadata", {}),
              "source": c["source"] if isinstance(c["source"], str) else "".join(c["source"]),
              "outputs": c.get("outputs", [])} for c in nb["cells"]]
    return {"metadata": meta, "cells": cells, "nbformat": (nb["nbformat"], nb["nbformat_minor"])}


@pytest.mark.slow
def test_committed_exercises_equal_what_nbgrader_generates_for_every_module(tmp_path):
    default = CourseLayout()
    modules = default.modules()
    assert modules, "solutions/ has no module"
    fresh = tmp_path / "release"
    generate(modules, fresh, layout=default)
    for module in modules:
        generated = sorted(str(p.relative_to(fresh / module)) for p in (fresh / module).rglob("*") if p.is_file())
        committed = sorted(str(p.relative_to(default.release_dir / module)) for p in (default.release_dir / module).rglob("*")
                           if p.is_file() and ".ipynb_checkpoints" not in p.parts)
        assert committed == generated, f"exercises/{module}: files differ from nbgrader's output: run `aidojo release {module}`"
        for rel in generated:
            if rel.endswith(".ipynb"):
                assert _comparable(default.release_dir / module / rel) == _comparable(fresh / module / rel), (
                    f"exercises/{module}/{rel} differs from what nbgrader generates: run `aidojo release {module}`")
            else:
                assert (default.release_dir / module / rel).read_bytes() == (fresh / module / rel).read_bytes(), rel
        for nb in (fresh / module).rglob("*.ipynb"):  # and the generated versions leak nothing
            assert find_leaks(nb, default.source_dir / module / nb.relative_to(fresh / module)) == []


@pytest.mark.slow
def test_release_writes_clean_student_version_and_refuses_a_leak(tmp_path):
    lay = layout(tmp_path)
    written = release(["t01"], layout=lay)
    assert written == [lay.release_dir / "t01"]
    text = (lay.release_dir / "t01" / "t01_kadai.ipynb").read_text(encoding="utf-8")
    for secret in ("SOLUTION-ADD-MARK", "HIDDEN-T01-Q1", "add(-7, 7)", "BEGIN SOLUTION", "BEGIN HIDDEN TESTS"):
        assert secret not in text
    assert "ここに答えを書いてください" in text and 'add(1, 2) は 3 になるはずです' in text

    # a hidden test copied into the task text (nbgrader keeps markdown as is) must stop the release
    bad_src = tmp_path / "bad_src"
    shutil.copytree(SOURCE, bad_src)
    nb_path = bad_src / "t01" / "t01_kadai.ipynb"
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    nb["cells"][0]["source"] += '\n```\nassert add(-7, 7) == 0, "HIDDEN-T01-Q1: 負の数の和"\n```'
    nb_path.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
    before = (lay.release_dir / "t01" / "t01_kadai.ipynb").read_bytes()
    with pytest.raises(ReleaseError) as err:
        release(["t01"], layout=lay.with_(source_dir=bad_src))
    msg = str(err.value)
    assert "配布を中止" in msg and "t01/t01_kadai.ipynb の1番目のセル" in msg and "HIDDEN-T01-Q1" in msg
    assert (lay.release_dir / "t01" / "t01_kadai.ipynb").read_bytes() == before, "exercises/ must stay untouched"
    assert [p.name for p in lay.release_dir.iterdir()] == ["t01"], "no staging folder left behind"


def test_find_leaks_reports_markers_secret_lines_and_outputs(tmp_path):
    student = tmp_path / "t01_kadai.ipynb"
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "code", "id": "a", "metadata": {}, "execution_count": None, "outputs": [],
         "source": "def add(a, b):\n    return a + b  # SOLUTION-ADD-MARK"},
        {"cell_type": "code", "id": "b", "metadata": {}, "execution_count": None, "outputs": [],
         "source": "### BEGIN HIDDEN TESTS\nx = 1"},
        {"cell_type": "code", "id": "c", "metadata": {}, "execution_count": 1,
         "outputs": [{"output_type": "stream", "name": "stdout", "text": "assert add(-7, 7) == 0, \"HIDDEN-T01-Q1: 負の数の和\""}],
         "source": "print(1)"}]}
    student.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
    leaks = find_leaks(student, SOURCE / "t01" / "t01_kadai.ipynb")
    text = "\n".join(leaks)
    assert "1番目のセル" in text and "SOLUTION-ADD-MARK" in text
    assert "BEGIN HIDDEN TESTS" in text
    assert "3番目のセル" in text and "出力" in text and "HIDDEN-T01-Q1" in text
