"""The notebook that is graded and recorded: the released notebook's cells (trusted), with the learner's answer
cells and the learner's own extra cells put in. Locked cells always come from the release: editing, deleting or
forging a test cell or its metadata changes nothing."""

from __future__ import annotations

import ast
import copy
from dataclasses import dataclass, field

from aidojo.course import nbjson
from aidojo.course.answers import parse_learner_source

NOTEBOOK_CALLS = {"check", "require", "ask", "display", "print"}


@dataclass
class Assembled:
    notebook: dict
    deleted_tests: list[str] = field(default_factory=list)
    edited_tests: list[str] = field(default_factory=list)
    missing_answers: list[str] = field(default_factory=list)


def _fresh(cell: dict, cell_id: str) -> dict:
    out = {"cell_type": cell["cell_type"], "id": cell_id, "metadata": {}, "source": nbjson.cell_source(cell)}
    if cell["cell_type"] == "code":
        out.update(outputs=[], execution_count=None)
    return out


def assemble(release: dict, submitted: dict | None) -> Assembled:
    """Merge ``submitted`` into the ``release`` skeleton (see the module docstring)."""
    by_gid = nbjson.cells_by_grade_id(submitted) if submitted else {}
    release_gids = {nbjson.grade_id(c) for c in release["cells"]} - {None}
    extras: dict[str, list[dict]] = {}
    anchor = "__start__"
    for cell in (submitted or {}).get("cells", []):
        gid = nbjson.grade_id(cell)
        if gid in release_gids:
            anchor = gid
        else:
            extras.setdefault(anchor, []).append(cell)
    result = Assembled(notebook={"nbformat": 4, "nbformat_minor": release.get("nbformat_minor", 5),
                                 "metadata": copy.deepcopy(release.get("metadata", {})), "cells": []})
    cells = result.notebook["cells"]
    used_ids: set[str] = set()

    def add(cell: dict) -> None:
        cid = str(cell.get("id") or "cell")
        while cid in used_ids:
            cid = f"{cid}-x"[:64]
        cell["id"] = cid
        used_ids.add(cid)
        cells.append(cell)

    for i, extra in enumerate(extras.get("__start__", [])):
        add(_fresh(extra, f"learner-{i}"))
    for rcell in release["cells"]:
        gid = nbjson.grade_id(rcell)
        if gid is None:
            continue  # free cells (e.g. check(...)) are the learner's own: they come with the extras
        cell = copy.deepcopy(rcell)
        if cell.get("cell_type") == "code":
            cell["outputs"], cell["execution_count"] = [], None
        mine = by_gid.get(gid)
        if nbjson.is_answer_cell(rcell):
            if mine is not None and mine.get("cell_type") == rcell.get("cell_type"):
                cell["source"] = nbjson.cell_source(mine)
            else:
                result.missing_answers.append(gid)
        elif nbjson.is_test_cell(rcell):
            if mine is None:
                result.deleted_tests.append(gid)
            elif nbjson.cell_source(mine).strip() != nbjson.cell_source(rcell).strip():
                result.edited_tests.append(gid)
        add(cell)
        for i, extra in enumerate(extras.get(gid, [])):
            add(_fresh(extra, f"{gid}-learner-{i}"))
    return result


def only_notebook_calls(source: str) -> bool:
    """True for a cell that only calls check()/require()/print()…: nothing to run while grading."""
    tree = parse_learner_source(source)
    if tree is None:
        return False
    if not tree.body:
        return True
    return all(isinstance(node, ast.Expr) and isinstance(node.value, ast.Call) and isinstance(node.value.func, ast.Name)
               and node.value.func.id in NOTEBOOK_CALLS for node in tree.body)


def job_cells(notebook: dict, qids: dict[str, str]) -> list[dict]:
    """The code cells to run, in order: setup (locked), answer, learner's own, and test positions (with qid)."""
    out = []
    for index, cell in enumerate(notebook["cells"]):
        if cell.get("cell_type") != "code":
            continue
        source = nbjson.cell_source(cell)
        gid = nbjson.grade_id(cell)
        if nbjson.is_test_cell(cell):
            if gid in qids:
                out.append({"index": index, "kind": "test", "qid": qids[gid], "source": ""})
            continue
        if only_notebook_calls(source):
            continue
        kind = "answer" if nbjson.is_answer_cell(cell) else "setup" if gid else "extra"
        out.append({"index": index, "kind": kind, "source": source})
    return out
