"""The trusted judge of a submission: never runs learner code; decides each graded cell from the answers read
from the notebook (text questions) or from what the sandbox observed (code questions)."""

from __future__ import annotations

from dataclasses import dataclass, field

from aidojo.checks.judging import judge_code, judge_text
from aidojo.checks.result import CheckResult
from aidojo.checks.spec import CodeQuestion, Observation, TextQuestion
from aidojo.course import nbjson
from aidojo.course.answers import PROBLEM_HINTS, read_text_answers
from aidojo.course.heldback import all_cases
from aidojo.course.material import GradeCell, ModuleMaterial, NotebookMaterial
from aidojo.course.sandbox import RunResult


@dataclass
class CellVerdict:
    """One graded cell: its question, points, and the judge's result (all or nothing)."""

    cell: GradeCell
    result: CheckResult

    @property
    def score(self) -> float:
        return self.cell.points if self.result.ok else 0.0


@dataclass
class NotebookVerdict:
    name: str
    cells: list[CellVerdict] = field(default_factory=list)

    @property
    def score(self) -> float:
        return sum(c.score for c in self.cells)

    @property
    def max_score(self) -> float:
        return sum(c.cell.points for c in self.cells)


def _text_result(question: TextQuestion, answers: dict) -> CheckResult:
    values = []
    for name in question.reads:
        answer = answers[name]
        if answer.problem:
            return CheckResult(False, [PROBLEM_HINTS[answer.problem].format(name=name)])
        values.append(answer.value)
    return judge_text(question, values)


def judge_without_running(material: ModuleMaterial, nb: NotebookMaterial, assembled: dict, submitted: bool) -> NotebookVerdict:
    """Text questions: answers read statically from the notebook's source, as they stand at each graded cell
    (several questions may reuse one variable name, as a notebook run top to bottom would)."""
    verdict = NotebookVerdict(nb.name)
    names = {n for g in nb.grade_cells for n in material.questions[g.qid].reads}
    cells_by_gid = {g.grade_id: g for g in nb.grade_cells}
    answers = read_text_answers([], names)
    for cell in assembled["cells"]:
        if cell.get("cell_type") != "code":
            continue
        gid = nbjson.grade_id(cell)
        if gid in cells_by_gid and nbjson.is_test_cell(cell):
            grade_cell = cells_by_gid[gid]
            question = material.questions[grade_cell.qid]
            if not submitted:
                result = CheckResult(False, ["ノートブックが提出されていません。"])
            elif isinstance(question, TextQuestion):
                result = _text_result(question, answers)
            else:
                result = CheckResult(False, ["この問題はプログラムを実行して採点します（採点の設定を確認してください）。"])
            verdict.cells.append(CellVerdict(grade_cell, result))
        elif not nbjson.nbgrader_meta(cell).get("locked"):
            answers = read_text_answers([nbjson.cell_source(cell)], names, answers)
    return verdict


def judge_run(material: ModuleMaterial, nb: NotebookMaterial, run: RunResult | None, *, case_seconds: float) -> NotebookVerdict:
    """Code questions (and text questions of code modules) from the sandbox's observations."""
    verdict = NotebookVerdict(nb.name)
    for cell in nb.grade_cells:
        question = material.questions[cell.qid]
        if run is None:
            result = CheckResult(False, ["ノートブックが提出されていません。"])
        elif isinstance(question, TextQuestion):
            seen = run.values.get(cell.qid)
            if not seen or any(v is None for v in seen["values"]):
                result = CheckResult(False, [f"{'・'.join(question.reads)} が文字列として見つかりませんでした。答えのセルを確認してください。"])
            else:
                result = judge_text(question, seen["values"])
        else:
            assert isinstance(question, CodeQuestion)
            cases = all_cases(question, material.heldback)
            raw = run.observations.get(cell.qid, {})
            observations = {c.id: Observation.from_json(raw[c.id]) if c.id in raw else Observation(missing=True)
                            for c in cases}
            result = judge_code(question, cases, observations, timeout=case_seconds)
        verdict.cells.append(CellVerdict(cell, result))
    return verdict
