"""One place for notebook JSON: reading an untrusted ``.ipynb`` safely, cell sources and nbgrader metadata.

Submissions are untrusted JSON: valid JSON can still be a notebook in name only (``"cells": [1]``, a source
that is a number). :func:`parse_notebook` checks the structure once, so the rest of the kit can rely on it;
every problem is a :class:`NotebookError` with a stable code and a Japanese message naming the cell.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

CELL_TYPES = ("code", "markdown", "raw")


class NotebookError(ValueError):
    """A file that is not a usable notebook: ``code`` is stable English, ``str(exc)`` is Japanese."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def _is_text(value: Any) -> bool:
    return isinstance(value, str) or (isinstance(value, list) and all(isinstance(x, str) for x in value))


def parse_notebook(data: bytes | str, name: str = "ノートブック") -> dict:
    """Decode and check ``data``: UTF-8 JSON, nbformat 4, a list of well-formed cells. Returns the dict."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
    except UnicodeDecodeError:
        raise NotebookError("not_utf8", f"「{name}」は UTF-8 のテキストではありません（ノートブックではないファイルです）") from None
    try:
        nb = json.loads(text)
    except (ValueError, RecursionError):
        raise NotebookError("not_json", f"「{name}」は JSON として読めません（壊れているか、ノートブックではありません）") from None
    if not isinstance(nb, dict) or nb.get("nbformat") != 4:
        raise NotebookError("not_notebook", f"「{name}」はノートブック（nbformat 4）の形をしていません")
    if not isinstance(nb.get("metadata", {}), dict) or not isinstance(nb.get("cells"), list):
        raise NotebookError("not_notebook", f"「{name}」にセルの一覧（cells）がありません")
    for i, cell in enumerate(nb["cells"], start=1):
        where = f"「{name}」の{i}番目のセル"
        if not isinstance(cell, dict):
            raise NotebookError("bad_cell", f"{where}がセルの形をしていません")
        if cell.get("cell_type") not in CELL_TYPES:
            raise NotebookError("bad_cell", f"{where}の種類（cell_type）が不正です")
        if not _is_text(cell.get("source", "")):
            raise NotebookError("bad_cell", f"{where}の中身（source）が文字列ではありません")
        if not isinstance(cell.get("metadata", {}), dict) or not isinstance(cell.get("metadata", {}).get("nbgrader", {}), dict):
            raise NotebookError("bad_cell", f"{where}のメタデータが不正です")
        if "id" in cell and not isinstance(cell["id"], str):
            raise NotebookError("bad_cell", f"{where}の id が文字列ではありません")
        if cell["cell_type"] == "code" and not isinstance(cell.get("outputs", []), list):
            raise NotebookError("bad_cell", f"{where}の出力（outputs）が不正です")
    return nb


def cell_source(cell: dict) -> str:
    """A cell's source as one string (nbformat allows a string or a list of lines)."""
    source = cell.get("source", "")
    return source if isinstance(source, str) else "".join(source)


def nbgrader_meta(cell: dict) -> dict:
    """The cell's nbgrader metadata ({} when none)."""
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return meta if isinstance(meta, dict) else {}


def grade_id(cell: dict) -> str | None:
    gid = nbgrader_meta(cell).get("grade_id")
    return gid if isinstance(gid, str) and gid else None


def graded_cells(nb: dict) -> Iterator[dict]:
    """Cells that carry nbgrader metadata with a grade id."""
    return (c for c in nb.get("cells", []) if grade_id(c))


def cells_by_grade_id(nb: dict) -> dict[str, dict]:
    """grade_id → cell (the first cell with that id wins)."""
    out: dict[str, dict] = {}
    for cell in graded_cells(nb):
        out.setdefault(grade_id(cell), cell)  # type: ignore[arg-type]
    return out


def grade_ids(nb: dict) -> set[str]:
    return set(cells_by_grade_id(nb))


def is_answer_cell(cell: dict) -> bool:
    """A cell the learner writes in (nbgrader ``solution``)."""
    return bool(nbgrader_meta(cell).get("solution"))


def is_test_cell(cell: dict) -> bool:
    """An autograded test cell (nbgrader ``grade`` and not ``solution``) of a code cell."""
    meta = nbgrader_meta(cell)
    return bool(meta.get("grade")) and not meta.get("solution") and cell.get("cell_type") == "code"


def points(cell: dict) -> float:
    try:
        return float(nbgrader_meta(cell).get("points") or 0)
    except (TypeError, ValueError):
        return 0.0


def dumps(nb: dict) -> str:
    """Serialise like Jupyter does (indent 1, non-ASCII kept)."""
    return json.dumps(nb, ensure_ascii=False, indent=1) + "\n"
