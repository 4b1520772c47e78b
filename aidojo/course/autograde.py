"""``aidojo autograde``: plan → run (sandbox) → judge → record → report.

- **plan** (:mod:`aidojo.course.plan`): the submissions of each module, read and checked once; unchanged ones
  (same files, same material) are skipped unless ``force``.
- **run** (:mod:`aidojo.course.runner`): code modules run in the sandbox, one submission at a time per
  worker, on local workers or a Dask cluster; text modules (m01–m03) are not run at all.
- **judge** (:mod:`aidojo.course.judge`): the trusted process decides each graded cell with the same judge
  as the learner's ``check()``, with the held-back cases.
- **record** (:mod:`aidojo.course.record`): nbgrader's gradebook and autograded notebooks (formgrader,
  ``nbgrader export`` and feedback keep working), and the attempts ledger HR reads.
- **report**: one line per learner and problem, saved under the course's reports/.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

from aidojo.course.assemble import assemble, job_cells
from aidojo.course.config import load_course
from aidojo.course.gradebook import ensure_assignments, open_gradebook, record_submission
from aidojo.course.judge import NotebookVerdict, judge_run, judge_without_running
from aidojo.course.layout import CourseLayout, resolve_layout
from aidojo.course.material import MaterialError, ModuleMaterial, load_material
from aidojo.course.plan import GradeStatus, Submission, find_submissions, previous_grade, read_submission
from aidojo.course.record import autograded_notebook, record
from aidojo.course.report import Report
from aidojo.course.runner import RunJob, make_runner
from aidojo.course.sandbox import Backend, Limits, RunResult, SandboxError, probe


@dataclass
class Graded:
    staff_id: str
    module: str
    score: float
    max_score: float
    status: GradeStatus


@dataclass
class AutogradeReport(Report):
    """Per-learner outcomes, problems found in submissions, and the run's figures."""

    results: dict[tuple[str, str], Graded] = field(default_factory=dict)
    wall_s: float = 0.0
    workers: int = 1
    sandbox: str = Backend.BWRAP.value
    timings: dict[str, float] = field(default_factory=dict)

    def _with(self, status: GradeStatus) -> list[Graded]:
        return [g for g in self.results.values() if g.status is status]

    @property
    def graded(self) -> list[Graded]:
        return self._with(GradeStatus.GRADED)

    @property
    def skipped(self) -> list[Graded]:
        return self._with(GradeStatus.SKIPPED)

    @property
    def failures(self) -> list[Graded]:
        return self._with(GradeStatus.FAILED)

    def summary(self) -> str:
        where = "サンドボックスなし（--no-sandbox）" if self.sandbox == Backend.NONE.value else "サンドボックス内"
        text = (f"採点 {len(self.graded)} 件、変更なしで省略 {len(self.skipped)} 件、採点失敗 {len(self.failures)} 件"
                f"（{self.wall_s:.1f} 秒、並列 {self.workers}、受講者のコードは{where}で実行）")
        if self.failures:
            text += "\n採点できなかった提出: " + "、".join(f"{g.staff_id} {g.module}" for g in self.failures)
        return text


RUN_PROBLEMS = {
    "timeout": "制限時間（{limit:g} 秒）を超えても終わらなかったため打ち切りました。終わらない処理がないか確認してください",
    "crashed": "採点中に受講者のコードが採点用の環境ごと止めてしまいました",
    "flood": "出力が多すぎたため途中で打ち切りました",
}


def autograde(modules: list[str] | None = None, *, workers: int = 2, dask_scheduler: str | None = None,
              db_url: str | None = None, layout: CourseLayout | None = None, students: list[str] | None = None,
              force: bool = False, cell_timeout: float | None = None, submission_timeout: float | None = None,
              sandbox: bool = True, progress: bool = True, limits: Limits | None = None) -> AutogradeReport:
    """Grade submitted/<staff_id>/<module>/ for ``modules`` (default: all with submissions).

    Raises :class:`SandboxError` (Japanese message) when learner code would have to run and no sandbox can be
    set up; ``sandbox=False`` (``--no-sandbox``) runs it with the allow-listed environment only, and the report
    says so. Never raises for a bad submission: each problem is a line of the report.
    """
    layout = resolve_layout(layout, db_url=db_url)
    started = time.perf_counter()
    backend = Backend.BWRAP if sandbox else Backend.NONE
    limits = limits or Limits(cell_seconds=float(cell_timeout or os.environ.get("AIDOJO_CELL_TIMEOUT") or 30),
                              submission_seconds=float(submission_timeout or 300))
    report = AutogradeReport("自動採点", workers=max(1, workers), sandbox=backend.value)
    if not sandbox:
        report.add("warn", "no_sandbox", "--no-sandbox のため、受講者のコードをサンドボックスの外で実行しました"
                   "（環境変数だけは採点用に絞っています）。ファイルやネットワークは守られていません")
    wanted = list(modules) if modules else sorted({p.name for p in layout.submitted_dir.glob("*/*") if p.is_dir()})
    known = set(layout.modules())
    materials: dict[str, ModuleMaterial] = {}
    for module in wanted:
        if module not in known:
            report.add("error", "unknown_module", f"モジュール「{module}」は課題にありません", module=module)
            continue
        try:
            materials[module] = load_material(layout, module)
        except MaterialError as exc:
            report.add("error", "material", str(exc), module=module)
    pass_ratio = load_course().pass_ratio

    # --- plan ----------------------------------------------------------------------------------------------
    todo: list[tuple[ModuleMaterial, Submission]] = []
    for module, material in materials.items():
        for folder in find_submissions(layout, module, students):
            todo.append((material, read_submission(folder, material)))
    if not todo and not report.find(level="error"):
        report.add("info", "nothing_submitted", "採点する提出がありません（先に aidojo collect で提出を取り込んでください）")
    if todo:
        try:
            ensure_assignments(layout, sorted({m.module for m, _ in todo}))
        except RuntimeError as exc:
            detail = [ln for ln in str(exc).splitlines() if "Error" in ln or "error" in ln][-1:] or [str(exc)[-300:]]
            report.add("error", "generate_failed", f"課題の準備（nbgrader generate_assignment）に失敗したため採点しませんでした: {detail[0][:300]}")
            return _close(report, layout, started)
    report.timings["prepare_s"] = time.perf_counter() - started

    with open_gradebook(layout) as gb:
        from nbgrader.api import MissingEntry

        pending: list[tuple[ModuleMaterial, Submission]] = []
        for material, sub in todo:
            before = None if force else previous_grade(layout, sub)
            if before is not None:
                try:
                    gb.find_submission(sub.module, sub.staff_id)
                except MissingEntry:
                    before = None
            if before is not None:
                report.results[(sub.staff_id, sub.module)] = Graded(sub.staff_id, sub.module, *before, GradeStatus.SKIPPED)
                report.add("info", "unchanged", f"前回の採点から変更がないため省略しました（{before[0]:g} / {before[1]:g} 点）",
                           sub.staff_id, sub.module)
            else:
                pending.append((material, sub))
        needs_run = [(m, s) for m, s in pending if m.needs_sandbox and s.notebooks]
        if needs_run and sandbox and dask_scheduler is None:
            reason = probe(limits)
            if reason:
                raise SandboxError(reason + "\n採点を中止しました（何も記録していません）。")
        bar = _progress(len(pending), progress)
        runner = None
        try:
            # --- judge and record what needs no run (text modules, unreadable submissions) ---------------
            for material, sub in pending:
                if material.needs_sandbox and sub.notebooks:
                    continue
                _finish(gb, report, layout, material, sub, {}, pass_ratio, limits)
                bar.update(1)
            # --- run code modules in the sandbox, judge and record each as it comes back ----------------
            if needs_run:
                preload = sorted({p for m, _ in needs_run for p in m.preload})
                runner = make_runner(workers, backend, limits, preload, dask_scheduler)
                report.workers = runner.slots
                futures = {}
                for material, sub in needs_run:
                    jobs = {}
                    for name, nbm in material.notebooks.items():
                        if name in sub.notebooks:
                            merged = assemble(nbm.release, sub.notebooks[name])
                            jobs[name] = (merged, runner.submit(_job(material, nbm, merged.notebook, limits)))
                    futures[(sub.staff_id, sub.module)] = (material, sub, jobs)
                for key in runner.as_completed_keys(futures):
                    material, sub, jobs = futures[key]
                    runs = {name: (merged, _result(fut)) for name, (merged, fut) in jobs.items()}
                    _finish(gb, report, layout, material, sub, runs, pass_ratio, limits)
                    bar.set_postfix_str(f"失敗 {len(report.failures)}" if report.failures else "", refresh=False)
                    bar.update(1)
        finally:
            bar.close()
            if runner:
                runner.close()
                if runner.process_limit == "none" and sandbox:
                    report.add("warn", "no_process_limit", "プロセス数の上限を設定できませんでした（root で cgroup も使えない環境）。"
                               "時間・メモリの上限と、終了時にすべてのプロセスを止める仕組みは働いています")
    return _close(report, layout, started)


def _result(future) -> RunResult:
    """A run's result; a worker that failed (not the learner's code) counts as a crashed run."""
    try:
        return future.result()
    except Exception as exc:
        return RunResult("crashed", note=f"{exc.__class__.__name__}: {str(exc)[:200]}")


def _job(material: ModuleMaterial, nbm, notebook: dict, limits: Limits) -> RunJob:
    from aidojo.course.heldback import all_cases

    qids = {g.grade_id: g.qid for g in nbm.grade_cells}
    cells = job_cells(notebook, qids)
    cases = {}
    for cell in cells:
        if cell["kind"] == "test":
            q = material.questions[cell["qid"]]
            if hasattr(q, "cases"):
                cases[cell["index"]] = [c.public_view() for c in all_cases(q, material.heldback)]
    return RunJob(cells=cells, files=material.files, cases=cases)


def _finish(gb, report: AutogradeReport, layout: CourseLayout, material: ModuleMaterial, sub: Submission,
            runs: dict, pass_ratio: float, limits: Limits) -> None:
    """Judge and record one submission (every outcome is a report line; nothing raises): whatever one learner's
    notebook holds, the others of the run are still graded."""
    try:
        _judge_and_record(gb, report, layout, material, sub, runs, pass_ratio, limits)
    except Exception as exc:
        try:
            gb.db.rollback()
        except Exception:
            pass
        report.add("error", "grading_failed", f"この提出は採点できませんでした（{exc.__class__.__name__}）。提出物を確認し、"
                   "直してから aidojo autograde --student で採点し直してください", sub.staff_id, sub.module)
        report.results[(sub.staff_id, sub.module)] = Graded(sub.staff_id, sub.module, 0.0, 0.0, GradeStatus.FAILED)


def _judge_and_record(gb, report: AutogradeReport, layout: CourseLayout, material: ModuleMaterial, sub: Submission,
                      runs: dict, pass_ratio: float, limits: Limits) -> None:
    for problem in sub.problems.values():
        report.add("error", "invalid_notebook", f"{problem}。このノートブックは0点です", sub.staff_id, sub.module)
    verdicts: dict[str, NotebookVerdict] = {}
    graded_notebooks: dict[str, dict] = {}
    for name, nbm in material.notebooks.items():
        submitted = sub.notebooks.get(name)
        if name in runs:
            merged, run = runs[name]
            verdict = judge_run(material, nbm, run, case_seconds=limits.case_seconds)
            if run.status == "ok" and not run.cells_finished:
                report.add("warn", "run_timeout", RUN_PROBLEMS["timeout"].format(limit=limits.submission_seconds)
                           + "。それまでに調べられた問題は採点しました", sub.staff_id, sub.module)
            if run.status != "ok":
                report.add("warn", f"run_{run.status}", RUN_PROBLEMS.get(run.status, run.status).format(
                    limit=limits.submission_seconds) + "。それまでに調べられた問題は採点しました"
                    + (f"（{run.note}）" if run.note else ""), sub.staff_id, sub.module)
            _cell_findings(report, sub, merged.notebook, run.cells, limits)
            graded_notebooks[name] = autograded_notebook(merged.notebook, verdict, run.cells)
        else:
            merged = assemble(nbm.release, submitted)
            verdict = judge_without_running(material, nbm, merged.notebook, submitted is not None)
            graded_notebooks[name] = autograded_notebook(merged.notebook, verdict, None)
            _syntax_findings(report, sub, merged.notebook)
        if submitted is not None:
            for gid in merged.deleted_tests:
                report.add("warn", "test_deleted", f"{name} の採点セル「{gid}」が削除されていたため、元のセルを戻して採点しました", sub.staff_id, sub.module)
            for gid in merged.edited_tests:
                report.add("warn", "test_edited", f"{name} の採点セル「{gid}」が書き換えられていたため、元のセルで採点しました", sub.staff_id, sub.module)
        elif name not in sub.problems:
            report.add("warn", "missing_notebook", f"「{name}」が提出されていません（0点）", sub.staff_id, sub.module)
        verdicts[name] = verdict
    try:
        score = record(gb, layout, sub, verdicts, {n: nb for n, nb in graded_notebooks.items() if n in sub.notebooks},
                       pass_ratio=pass_ratio)
    except Exception as exc:  # the gradebook refused: say so, keep going
        gb.db.rollback()
        report.add("error", "record_failed", f"成績データベースへの書き込みに失敗しました（{exc.__class__.__name__}: {str(exc)[:200]}）",
                   sub.staff_id, sub.module)
        report.results[(sub.staff_id, sub.module)] = Graded(sub.staff_id, sub.module, 0.0, 0.0, GradeStatus.FAILED)
        return
    status = GradeStatus.GRADED if sub.notebooks else GradeStatus.FAILED
    report.results[(sub.staff_id, sub.module)] = Graded(sub.staff_id, sub.module, *score, status)
    if sub.notebooks:
        report.add("ok", "graded", f"{score[0]:g} / {score[1]:g} 点", sub.staff_id, sub.module)
    else:
        report.add("error", "grading_failed", "採点できるノートブックがなかったため、0点として記録しました。提出物を確認してください",
                   sub.staff_id, sub.module)


def _cell_findings(report: AutogradeReport, sub: Submission, notebook: dict, cells: dict[int, dict], limits: Limits) -> None:
    for index, cell in sorted(cells.items()):
        where = f"{index + 1}番目のセル（id: {notebook['cells'][index].get('id', '?')}）" if index < len(notebook["cells"]) else "セル"
        status = cell.get("status")
        errors = [o for o in cell.get("outputs", []) if isinstance(o, dict) and o.get("output_type") == "error"]
        ename = str(errors[0].get("ename", "")) if errors else ""
        if status == "timeout":
            report.add("warn", "cell_timeout", f"{where}の実行が制限時間 {limits.cell_seconds:g} 秒を超えたため中断しました"
                       "（無限ループの可能性）。続きのセルは採点しました", sub.staff_id, sub.module)
        elif ename in ("SyntaxError", "IndentationError", "TabError"):
            report.add("warn", "syntax_error", f"{where}に文法エラー（{ename}）があります。このセルに関係する問題は0点です",
                       sub.staff_id, sub.module)


def _syntax_findings(report: AutogradeReport, sub: Submission, notebook: dict) -> None:
    """Text modules are not run: a learner cell that is not valid Python is still worth a line."""
    from aidojo.course import nbjson
    from aidojo.course.answers import parse_learner_source

    for index, cell in enumerate(notebook["cells"]):
        if cell.get("cell_type") != "code" or nbjson.nbgrader_meta(cell).get("locked"):
            continue
        if parse_learner_source(nbjson.cell_source(cell)) is None:
            report.add("warn", "syntax_error", f"{index + 1}番目のセル（id: {cell.get('id', '?')}）に文法エラー（SyntaxError）があるか、長すぎて"
                       "読めません。このセルの答えは読み取れません", sub.staff_id, sub.module)


def _progress(total: int, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, unit="件", desc="採点", disable=not enabled or total == 0, dynamic_ncols=True, smoothing=0.1,
                bar_format="{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} [経過 {elapsed}, 残り {remaining}]{postfix}")


def _close(report: AutogradeReport, layout: CourseLayout, started: float) -> AutogradeReport:
    report.wall_s = time.perf_counter() - started
    report.save(layout.reports_dir, "autograde")
    return report


__all__ = ["AutogradeReport", "Graded", "GradeStatus", "autograde", "record_submission"]
