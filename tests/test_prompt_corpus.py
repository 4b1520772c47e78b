"""The labelled corpus holds the judge's verdicts: every answer gets its label through check(), the call learners use.

tests/fixtures/prompt_corpus/<qid>.yaml: at least 30 differently worded answers per graded question of m01–m03 and
e01, right and wrong, from several personas. benchmarks/prompt_judging.py prints the per-question figures.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from aidojo.checks import check, registered
from aidojo.checks.registry import load_module_questions
from tests.prompt_corpus import load_corpus, materials

REPO = Path(__file__).resolve().parents[1]
MODULES = ("m01", "m02", "m03", "e01")
CORPUS = load_corpus()
MATERIALS = materials()


def test_every_graded_question_has_a_corpus_of_thirty_answers_from_several_personas():
    questions = {qid for m in MODULES for qid in load_module_questions(m)}
    assert questions == set(CORPUS), questions ^ set(CORPUS)
    for qid, answers in CORPUS.items():
        labels = [a.label for a in answers]
        assert len(answers) >= 30, qid
        assert labels.count("right") >= 15 and labels.count("wrong") >= 10, qid
        assert len({a.persona for a in answers}) >= 7, qid
        assert len({a.text for a in answers}) == len(answers), f"{qid}: the same answer twice"


@pytest.mark.parametrize("qid", sorted(CORPUS))
def test_every_labelled_answer_gets_its_label(qid):
    wrong_verdicts = []
    for a in CORPUS[qid]:
        result = check(qid, a.text)
        if result.ok != (a.label == "right"):
            wrong_verdicts.append((a.id, a.label, a.persona, a.text[:60], result.hints[:1]))
        if not result.ok:
            assert result.hints and all(any("\u3040" <= ch <= "\u30ff" for ch in h) for h in result.hints), a.id
    assert not wrong_verdicts, wrong_verdicts


def _answer_cell(module: str, qid: str) -> str:
    for path in (REPO / "exercises" / module).glob("*.ipynb"):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.metadata.get("nbgrader", {}).get("grade_id") == qid.replace(".", "-") + "-answer":
                return cell.source
    raise AssertionError(f"no answer cell for {qid}")


@pytest.mark.parametrize("qid, material", sorted(MATERIALS.items()))
def test_corpus_material_is_what_the_answer_cell_comes_with(qid, material):
    cell = _answer_cell(qid.split(".")[0], qid)
    if material:
        assert material in cell, f"{qid}: the corpus material differs from the exercise's pre-filled material"
    else:
        assert "<" not in cell.split('"""', 1)[1], f"{qid}: the exercise pre-fills material the corpus lacks"


def test_untouched_answer_cells_fail_with_a_hint():
    for qid in CORPUS:
        result = check(qid, MATERIALS[qid])
        assert not result.ok and result.hints, qid
    assert registered()
