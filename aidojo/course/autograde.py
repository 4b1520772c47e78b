"""Parallel autograde: nbgrader's own ``autograde`` on batches of submissions, merged into the one gradebook.

nbgrader grades one submission after another (its issue #174). Here each batch of learners is graded by a
separate ``nbgrader autograde`` process in its own temporary course (a copy of a freshly generated sqlite
gradebook, its own submitted/ and autograded/). Batches run on local threads (each driving one nbgrader
process) or as tasks on a Dask cluster (tasks carry the files as bytes, so workers need no shared disk).

The main process alone writes the course's gradebook (sqlite or PostgreSQL): for every graded learner it
swaps the autograded notebooks into autograded/<staff_id>/<module>/ and replays nbgrader's own bookkeeping
(``update_or_create_submission`` and the ``SaveAutoGrades`` / ``AssignLatePenalties`` preprocessors) on
them — exactly what ``nbgrader autograde`` does after executing a notebook — so the gradebook is a normal
nbgrader gradebook. A fingerprint of each graded submission makes a second run skip unchanged ones.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from aidojo.course.config import GRADER_DIR
from aidojo.course.layout import CourseLayout, resolve_layout
from aidojo.course.nbgrader_cli import nbgrader_env, run_nbgrader
from aidojo.course.report import Report
from aidojo.fileio import atomic_write_text

FINGERPRINT = ".aidojo-graded.json"
DEFAULT_SUBMISSION_TIMEOUT = 600  # seconds for one learner's whole module (cells have their own limit)


# --- what travels to a worker and back ----------------------------------------------------------------


@dataclass
class GradeTask:
    """One batch for one worker: everything as bytes, so a Dask worker on another machine can run it."""

    template_db: bytes  # a gradebook with every module of the batch (nbgrader generate_assignment)
    source_files: dict[str, bytes]  # "<module>/<path>" → bytes
    submissions: dict[tuple[str, str], dict[str, bytes]]  # (staff_id, module) → {file name: bytes}
    cell_timeout: int
    timeout: float


@dataclass
class StudentResult:
    """A worker's result for one submission: autograded files and per-cell scores, or why it failed."""

    staff_id: str
    module: str
    ok: bool
    files: dict[str, bytes] = field(default_factory=dict)
    scores: dict[str, dict[str, tuple[float, float]]] = field(default_factory=dict)
    error: str = ""
    log: str = ""


_LIVE: set[subprocess.Popen] = set()  # nbgrader processes of this process's local workers (killed on Ctrl-C)
_LIVE_LOCK = threading.Lock()


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def run_grade_task(task: GradeTask) -> list[StudentResult]:
    """Grade one batch with one real ``nbgrader autograde "*"`` process (kernels included, killed on timeout)."""
    from nbgrader.api import Gradebook, MissingEntry

    with tempfile.TemporaryDirectory(prefix="aidojo-worker-") as tmp:
        root = Path(tmp)
        (root / "gradebook.db").write_bytes(task.template_db)
        for rel, data in task.source_files.items():
            (root / "source" / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / "source" / rel).write_bytes(data)
        for (sid, module), files in task.submissions.items():
            folder = root / "submitted" / sid / module
            folder.mkdir(parents=True)
            for name, data in files.items():
                (folder / name).write_bytes(data)
        db_url = f"sqlite:///{root / 'gradebook.db'}"
        layout = CourseLayout(source_dir=root / "source", release_dir=root / "release", data_dir=root, db_url=db_url,
                              exchange_dir=root / "exchange")
        modules = sorted({m for _, m in task.submissions})
        cmd = [sys.executable, "-m", "nbgrader", "autograde", modules[0] if len(modules) == 1 else "*", "--force",
               *layout.overrides(), f"--Execute.timeout={task.cell_timeout}"]
        proc = subprocess.Popen(cmd, cwd=GRADER_DIR, env=nbgrader_env(root), stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, start_new_session=True)
        with _LIVE_LOCK:
            _LIVE.add(proc)
        timed_out = False
        try:
            log, _ = proc.communicate(timeout=task.timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            log, _ = proc.communicate()
            timed_out = True
        finally:
            _kill_group(proc)  # stray kernels of this batch
            with _LIVE_LOCK:
                _LIVE.discard(proc)
        results = []
        with Gradebook(db_url, course_id="aidojo") as gb:
            for (sid, module), files in task.submissions.items():
                out = root / "autograded" / sid / module
                expected = [n for n in files if n.endswith(".ipynb")]
                own_log = _log_for(log, sid, module)
                if timed_out:
                    results.append(StudentResult(sid, module, False, error="timeout", log=own_log))
                    continue
                if not out.is_dir() or not all((out / n).is_file() for n in expected):
                    results.append(StudentResult(sid, module, False, error="nbgrader", log=own_log))
                    continue
                try:
                    sub = gb.find_submission(module, sid)
                    scores = {nb.name: {g.name: (float(g.score or 0), float(g.max_score or 0)) for g in nb.grades}
                              for nb in sub.notebooks}
                except MissingEntry:
                    results.append(StudentResult(sid, module, False, error="nbgrader", log=own_log))
                    continue
                files_out = {str(p.relative_to(out)): p.read_bytes() for p in out.rglob("*") if p.is_file()}
                results.append(StudentResult(sid, module, True, files_out, scores, log=own_log))
        return results


def _log_for(log: str, sid: str, module: str) -> str:
    """The log lines that concern ``sid``'s ``module`` (or the tail when none name it)."""
    lines = [ln for ln in log.splitlines() if f"/{sid}/{module}" in ln or f"'{sid}'" in ln or "rror" in ln]
    return "\n".join(lines[-40:]) if lines else log[-3000:]


# --- the report ----------------------------------------------------------------------------------------


@dataclass
class Graded:
    staff_id: str
    module: str
    score: float
    max_score: float
    status: str  # graded | skipped | failed


@dataclass
class AutogradeReport(Report):
    """Per-learner outcomes, problems found in submissions, and the run's figures."""

    results: dict[tuple[str, str], Graded] = field(default_factory=dict)
    wall_s: float = 0.0
    workers: int = 1
    timings: dict[str, float] = field(default_factory=dict)  # prepare_s, merge_s, worker_s (summed over batches)

    @property
    def failures(self) -> list[Graded]:
        return [g for g in self.results.values() if g.status == "failed"]

    @property
    def graded(self) -> list[Graded]:
        return [g for g in self.results.values() if g.status == "graded"]

    @property
    def skipped(self) -> list[Graded]:
        return [g for g in self.results.values() if g.status == "skipped"]

    def summary(self) -> str:
        text = (f"採点 {len(self.graded)} 件、変更なしで省略 {len(self.skipped)} 件、採点失敗 {len(self.failures)} 件"
                f"（{self.wall_s:.1f} 秒、並列 {self.workers}）")
        if self.failures:
            text += "\n採点できなかった提出: " + "、".join(f"{g.staff_id} {g.module}" for g in self.failures)
        return text


# --- preparing submissions ----------------------------------------------------------------------------


def _cells_by_gid(nb: dict) -> dict[str, dict]:
    return {c["metadata"]["nbgrader"]["grade_id"]: c for c in nb.get("cells", [])
            if c.get("metadata", {}).get("nbgrader", {}).get("grade_id")}


def _src(cell: dict) -> str:
    s = cell.get("source", "")
    return s if isinstance(s, str) else "".join(s)


def restore_test_cells(submitted: dict, student_version: dict) -> tuple[dict, list[str], list[str]]:
    """Put back locked cells (tests) a learner deleted, at their place; report edited ones.

    nbgrader restores an edited test cell's source from the gradebook but scores a deleted one 0: the
    tests from solutions/ are what count, so deleted ones go back in before grading.
    Returns (notebook, deleted grade ids, edited grade ids).
    """
    have = _cells_by_gid(submitted)
    deleted, edited = [], []
    cells = list(submitted.get("cells", []))
    previous_index = -1
    for cell in student_version.get("cells", []):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        gid = meta.get("grade_id")
        if not gid:
            continue
        if gid in have:
            previous_index = next((i for i, c in enumerate(cells) if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == gid),
                                  previous_index)
            if meta.get("locked") and meta.get("grade") and _src(have[gid]).strip() != _src(cell).strip():
                edited.append(gid)
            continue
        if meta.get("locked"):
            restored = json.loads(json.dumps(cell))
            if restored.get("cell_type") == "code":
                restored["outputs"], restored["execution_count"] = [], None
            ids = {c.get("id") for c in cells}
            if restored.get("id") in ids:
                restored["id"] = f"{restored['id']}-restored"
            cells.insert(previous_index + 1, restored)
            previous_index += 1
            if meta.get("grade"):
                deleted.append(gid)
    out = dict(submitted)
    out["cells"] = cells
    return out, deleted, edited


@dataclass
class _Pending:
    staff_id: str
    module: str
    folder: Path
    fingerprint: str
    files: dict[str, bytes]


def _fingerprint(source_files: dict[str, bytes], folder: Path) -> str:
    h = hashlib.sha256()
    for rel, data in sorted(source_files.items()):
        h.update(rel.encode() + b"\0" + hashlib.sha256(data).digest())
    for p in sorted(folder.iterdir()):
        if p.is_file():
            h.update(b"S" + p.name.encode() + b"\0" + hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()


def _source_files(layout: CourseLayout, module: str) -> dict[str, bytes]:
    base = layout.source_dir / module
    return {str(p.relative_to(base)): p.read_bytes() for p in sorted(base.rglob("*"))
            if p.is_file() and not any(part.startswith(".") or part == "__pycache__" for part in p.relative_to(base).parts)}


def _generate(layout: CourseLayout, modules: list[str], db_url: str, work: Path) -> None:
    """One ``nbgrader generate_assignment`` process for all ``modules`` (a source folder holding only them)."""
    source = work / "source"
    for module in modules:
        shutil.copytree(layout.source_dir / module, source / module, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns(".*", "__pycache__"))
    run_nbgrader(["generate_assignment", modules[0] if len(modules) == 1 else "*", "--force",
                  *layout.overrides(db_url=db_url, release_dir=work / "release", data_dir=work, source_dir=source)],
                 course_dir=work)


ASSIGNMENTS_MARK = ".aidojo-assignments.json"


def _assignments_current(layout: CourseLayout, hashes: dict[str, str]) -> list[str]:
    """Modules whose definition in the course gradebook matches the source (no need to generate them again)."""
    from nbgrader.api import Gradebook, MissingEntry

    try:
        saved = json.loads((layout.autograded_dir / ASSIGNMENTS_MARK).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    if saved.get("db_url") != layout.db_url:
        return []
    current = [m for m, h in hashes.items() if saved.get("modules", {}).get(m) == h]
    if not current:
        return []
    try:
        with Gradebook(layout.db_url, course_id="aidojo") as gb:
            for m in list(current):
                try:
                    gb.find_assignment(m)
                except MissingEntry:
                    current.remove(m)
    except Exception:  # unreadable gradebook: generate again
        return []
    return current


def _mark_assignments(layout: CourseLayout, hashes: dict[str, str]) -> None:
    path = layout.autograded_dir / ASSIGNMENTS_MARK
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
        if saved.get("db_url") != layout.db_url:
            saved = {}
    except (OSError, ValueError):
        saved = {}
    saved["db_url"] = layout.db_url
    saved.setdefault("modules", {}).update(hashes)
    atomic_write_text(path, json.dumps(saved, indent=1))


# --- merging into the course gradebook ----------------------------------------------------------------


def _save_auto_grades(gb, nb, resources) -> None:
    """nbgrader's own SaveAutoGrades on an open gradebook (it would open a new one per notebook)."""
    from nbgrader.preprocessors import SaveAutoGrades
    from nbgrader.preprocessors.base import NbGraderPreprocessor

    saver = SaveAutoGrades()
    info = resources["nbgrader"]
    saver.notebook_id, saver.assignment_id = info["notebook"], info["assignment"]
    saver.student_id, saver.db_url = info["student"], info["db_url"]
    saver.gradebook = gb
    NbGraderPreprocessor.preprocess(saver, nb, resources)  # runs SaveAutoGrades.preprocess_cell on every cell


def _merge(layout: CourseLayout, module: str, pending: _Pending, result: StudentResult, timestamp_text: str) -> dict[str, tuple[float, float]]:
    """Swap in the autograded files and replay nbgrader's bookkeeping on the course gradebook."""
    import nbformat
    from nbgrader.api import Gradebook
    from nbgrader.preprocessors import AssignLatePenalties
    from nbgrader.utils import parse_utc

    target = layout.autograded_dir / pending.staff_id / module
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{module}-", dir=target.parent))
    try:
        for rel, data in result.files.items():
            (staging / rel).parent.mkdir(parents=True, exist_ok=True)
            (staging / rel).write_bytes(data)
        graded_names = {Path(rel).stem for rel in result.files if rel.endswith(".ipynb") and "/" not in rel}
        with Gradebook(layout.db_url, course_id="aidojo") as gb:
            gb.update_or_create_student(pending.staff_id)
            ts = parse_utc(timestamp_text) if timestamp_text else None
            sub = gb.update_or_create_submission(module, pending.staff_id, **({"timestamp": ts} if ts else {}))
            for nb in sub.notebooks:  # a notebook nobody submitted scores 0, as nbgrader does
                if nb.name not in graded_names:
                    for grade in nb.grades:
                        grade.auto_score, grade.needs_manual_grade = 0, False
            gb.db.commit()
            has_due_date = gb.find_assignment(module).duedate is not None
            for name in sorted(graded_names):
                nb = nbformat.read(staging / f"{name}.ipynb", as_version=4)
                resources = {"nbgrader": {"notebook": name, "assignment": module, "student": pending.staff_id,
                                          "db_url": layout.db_url}}
                _save_auto_grades(gb, nb, resources)
                if has_due_date:
                    AssignLatePenalties().preprocess(nb, resources)
            sub = gb.find_submission(module, pending.staff_id)
            merged = {f"{nb.name}/{g.name}": (float(g.score or 0), float(g.max_score or 0)) for nb in sub.notebooks for g in nb.grades}
            total = (float(sub.score or 0), float(sub.max_score or 0))
        atomic_write_text(staging / FINGERPRINT, json.dumps({"fingerprint": pending.fingerprint, "score": total[0],
                                                             "max_score": total[1]}))
        if target.exists():
            trash = target.with_name(f".{module}-old-{os.getpid()}")
            shutil.rmtree(trash, ignore_errors=True)
            target.rename(trash)
            staging.rename(target)
            shutil.rmtree(trash, ignore_errors=True)
        else:
            staging.rename(target)
        merged["__total__"] = total
        return merged
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _record_failure(layout: CourseLayout, module: str, staff_id: str, timestamp_text: str) -> None:
    """A submission that could not be graded is recorded as submitted with 0 points (never silently absent)."""
    from nbgrader.api import Gradebook
    from nbgrader.utils import parse_utc

    with Gradebook(layout.db_url, course_id="aidojo") as gb:
        gb.update_or_create_student(staff_id)
        ts = parse_utc(timestamp_text) if timestamp_text else None
        sub = gb.update_or_create_submission(module, staff_id, **({"timestamp": ts} if ts else {}))
        for nb in sub.notebooks:
            for grade in nb.grades:
                grade.auto_score, grade.needs_manual_grade = 0, False
        gb.db.commit()
    stale = layout.autograded_dir / staff_id / module / FINGERPRINT
    stale.unlink(missing_ok=True)


# --- findings in graded notebooks ---------------------------------------------------------------------


def _findings(report: AutogradeReport, sid: str, module: str, files: dict[str, bytes], cell_timeout: int) -> None:
    for rel, data in sorted(files.items()):
        if not rel.endswith(".ipynb"):
            continue
        nb = json.loads(data.decode("utf-8"))
        for i, cell in enumerate(nb.get("cells", []), start=1):
            for out in cell.get("outputs", []) or []:
                if out.get("output_type") != "error":
                    continue
                ename = out.get("ename", "")
                where = f"{rel} の{i}番目のセル（id: {cell.get('id', '?')}）"
                if ename == "CellTimeoutError" or "Timeout" in ename:
                    report.add("warn", "cell_timeout", f"{where}の実行が制限時間 {cell_timeout} 秒を超えたため中断しました"
                               "（無限ループの可能性）。続きのセルは採点しました", sid, module)
                elif ename in ("SyntaxError", "IndentationError", "TabError"):
                    report.add("warn", "syntax_error", f"{where}に文法エラー（{ename}）があります。このセルに関係する問題は0点です",
                               sid, module)
                elif ename in ("DeadKernelError", "KernelDied") or "kernel" in ename.lower():
                    report.add("warn", "kernel_died", f"{where}でPythonカーネルが停止しました（{ename}）", sid, module)


# --- the scheduler ------------------------------------------------------------------------------------


class _LocalExecutor:
    def __init__(self, workers: int):
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="aidojo-grade")
        self.slots = workers

    def submit(self, task: GradeTask):
        return self.pool.submit(run_grade_task, task)

    def wait_any(self, futures):
        done, _ = wait(futures, return_when=FIRST_COMPLETED)
        return done

    def close(self):
        """Stop: pending batches are cancelled; running nbgrader processes are killed (each runs in its own
        session, so Ctrl-C does not reach them)."""
        self.pool.shutdown(wait=False, cancel_futures=True)
        with _LIVE_LOCK:
            for proc in list(_LIVE):
                _kill_group(proc)
        self.pool.shutdown(wait=True)


class _DaskExecutor:
    def __init__(self, address: str):
        from distributed import Client

        self.client = Client(address, timeout="30s")
        self.slots = max(1, sum(self.client.nthreads().values()))

    def submit(self, task: GradeTask):
        return self.client.submit(run_grade_task, task, pure=False)

    def wait_any(self, futures):
        from distributed import wait as dwait

        done, _ = dwait(list(futures), return_when="FIRST_COMPLETED")
        return done

    def close(self):
        self.client.close()


def _progress(total: int, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, unit="件", desc="採点", disable=not enabled or total == 0, dynamic_ncols=True,
                bar_format="{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} [経過 {elapsed}, 残り {remaining}]{postfix}")


def autograde(modules: list[str] | None = None, *, workers: int = 2, dask_scheduler: str | None = None,
              db_url: str | None = None, layout: CourseLayout | None = None, students: list[str] | None = None,
              force: bool = False, cell_timeout: int | None = None, submission_timeout: float | None = None,
              batch_size: int | None = None, progress: bool = True) -> AutogradeReport:
    """Grade submitted/<staff_id>/<module>/ for ``modules`` (default: all with submissions) in parallel.

    ``workers`` local nbgrader processes, or the Dask cluster at ``dask_scheduler``. Unchanged
    submissions already in the gradebook are skipped unless ``force``. Never raises for a bad submission:
    each problem is a line of the returned report, which is also saved under the course's reports/.
    """
    layout = resolve_layout(layout, db_url=db_url)
    started = time.perf_counter()
    cell_timeout = int(cell_timeout or os.environ.get("AIDOJO_CELL_TIMEOUT") or 30)
    submission_timeout = float(submission_timeout or DEFAULT_SUBMISSION_TIMEOUT)
    report = AutogradeReport("自動採点", workers=workers)
    known = set(layout.modules())
    wanted = list(modules) if modules else sorted({p.name for p in layout.submitted_dir.glob("*/*") if p.is_dir()})
    if layout.db_url.startswith("sqlite:///"):
        Path(layout.db_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory(prefix="aidojo-autograde-") as tmpname:
        tmp = Path(tmpname)
        sources: dict[str, dict[str, bytes]] = {}
        pending: list[_Pending] = []
        for module in wanted:
            if module not in known:
                report.add("error", "unknown_module", f"モジュール「{module}」は課題にありません", module=module)
                continue
            sources[module] = _source_files(layout, module)
            found = []
            for folder in sorted(layout.submitted_dir.glob(f"*/{module}")):
                sid = folder.parent.name
                if folder.is_dir() and (not students or sid in students):
                    found.append(_Pending(sid, module, folder, _fingerprint(sources[module], folder), {}))
            pending.extend(_skip_unchanged(layout, module, found, report, force))

        if not pending and not report.results:
            report.add("info", "nothing_submitted", "採点する提出がありません（先に aidojo collect で提出を取り込んでください）")
        executor = _DaskExecutor(dask_scheduler) if dask_scheduler else _LocalExecutor(max(1, workers))
        report.workers = executor.slots
        bar = _progress(len(pending), progress)
        try:
            futures: dict = {}
            if pending:
                needed = sorted({p.module for p in pending})
                hashes = {m: hashlib.sha256(repr(sorted((k, hashlib.sha256(v).hexdigest()) for k, v in sources[m].items())).encode()).hexdigest()
                          for m in needed}
                stale = [m for m in needed if m not in _assignments_current(layout, hashes)]
                template = tmp / "template" / "template.db"
                with ThreadPoolExecutor(2) as gen:  # the workers' template and the course gradebook, side by side
                    jobs = [gen.submit(_generate, layout, needed, f"sqlite:///{template}", tmp / "template")]
                    if stale:
                        jobs.append(gen.submit(_generate, layout, stale, layout.db_url, tmp / "main"))
                    errors = []
                    for job in jobs:
                        try:
                            job.result()
                        except RuntimeError as exc:  # e.g. cells changed after grades were recorded
                            lines = [ln for ln in str(exc).splitlines() if re.search(r"(Error|Exception):", ln)
                                     and "Please see" not in ln]
                            errors.append((lines[-1] if lines else str(exc).splitlines()[-1]).strip()[:300])
                if errors:
                    for err in errors:
                        report.add("error", "generate_failed", f"課題の準備（nbgrader generate_assignment）に失敗したため採点しませんでした: {err}")
                    pending = []
                    return _close_report(report, layout, started)
                if stale:
                    _mark_assignments(layout, {m: hashes[m] for m in stale})
                report.timings["prepare_s"] = time.perf_counter() - started
                student_versions = {m: {p.name: json.loads(p.read_text(encoding="utf-8"))
                                        for p in (tmp / "template" / "release" / m).glob("*.ipynb")} for m in needed}
                db_bytes = template.read_bytes()
                source_files = {f"{m}/{rel}": data for m in needed for rel, data in sources[m].items()}
                for p in pending:
                    p.files = _prepare_files(p, student_versions[p.module], report)
                per_slot = batch_size or 10
                n_batches = executor.slots * math.ceil(len(pending) / (executor.slots * per_slot))
                size = batch_size or max(1, math.ceil(len(pending) / n_batches))
                for i in range(0, len(pending), size):
                    chunk = pending[i:i + size]
                    task = GradeTask(db_bytes, source_files, {(p.staff_id, p.module): p.files for p in chunk},
                                     cell_timeout, submission_timeout * len(chunk) + 60)
                    futures[executor.submit(task)] = ({(p.staff_id, p.module): p for p in chunk}, task)
            while futures:
                for fut in executor.wait_any(list(futures)):
                    by_key, task = futures.pop(fut)
                    try:
                        results = fut.result()
                    except Exception as exc:  # a worker itself failed (not a learner's notebook)
                        results = [StudentResult(sid, mod, False, error="worker", log=f"{exc.__class__.__name__}: {exc}")
                                   for sid, mod in by_key]
                    for res in results:
                        p = by_key[(res.staff_id, res.module)]
                        if not res.ok and len(by_key) > 1:  # retry alone: one bad notebook must not sink the batch
                            retry = GradeTask(task.template_db, task.source_files, {(p.staff_id, p.module): p.files},
                                              task.cell_timeout, submission_timeout + 60)
                            futures[executor.submit(retry)] = ({(p.staff_id, p.module): p}, retry)
                            continue
                        t0 = time.perf_counter()
                        with warnings.catch_warnings():  # nbgrader's known SAWarning (not in session)
                            warnings.simplefilter("ignore")
                            _finish(report, layout, p.module, p, res, cell_timeout)
                        report.timings["merge_s"] = report.timings.get("merge_s", 0.0) + time.perf_counter() - t0
                        bar.set_postfix_str(f"失敗 {len(report.failures)}" if report.failures else "", refresh=False)
                        bar.update(1)
        finally:
            bar.close()
            executor.close()
    return _close_report(report, layout, started)


def _close_report(report: AutogradeReport, layout: CourseLayout, started: float) -> AutogradeReport:
    report.wall_s = time.perf_counter() - started
    report.save(layout.reports_dir, "autograde")
    return report


def _skip_unchanged(layout: CourseLayout, module: str, pending: list[_Pending], report: AutogradeReport,
                    force: bool) -> list[_Pending]:
    """Drop submissions graded before with the same fingerprint and still in the gradebook."""
    if force or not pending:
        return pending
    from nbgrader.api import Gradebook, MissingEntry

    todo = []
    try:
        gb_ctx = Gradebook(layout.db_url, course_id="aidojo")
    except Exception:  # no gradebook yet: everything is new
        return pending
    with gb_ctx as gb:
        for p in pending:
            marker = layout.autograded_dir / p.staff_id / module / FINGERPRINT
            try:
                saved = json.loads(marker.read_text(encoding="utf-8"))
                sub = gb.find_submission(module, p.staff_id)
            except (OSError, ValueError, MissingEntry):
                todo.append(p)
                continue
            if saved.get("fingerprint") != p.fingerprint:
                todo.append(p)
                continue
            report.results[(p.staff_id, module)] = Graded(p.staff_id, module, float(sub.score or 0), float(sub.max_score or 0), "skipped")
            report.add("info", "unchanged", f"前回の採点から変更がないため省略しました（{float(sub.score or 0):g} / "
                       f"{float(sub.max_score or 0):g} 点）", p.staff_id, module)
    return todo


def _prepare_files(p: _Pending, student_versions: dict[str, dict], report: AutogradeReport) -> dict[str, bytes]:
    """The submission's files for the worker, with deleted test cells put back (and reported)."""
    files = {}
    for path in sorted(p.folder.iterdir()):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if path.suffix == ".ipynb" and path.name in student_versions:
            try:
                nb = json.loads(data.decode("utf-8"))
                fixed, deleted, edited = restore_test_cells(nb, student_versions[path.name])
            except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError):
                report.add("warn", "invalid_notebook", f"{path.name} が読めません（そのまま nbgrader に渡します）", p.staff_id, p.module)
            else:
                for gid in deleted:
                    report.add("warn", "test_deleted", f"{path.name} のテストセル「{gid}」が削除されていたため、元のテストを戻して採点しました",
                               p.staff_id, p.module)
                for gid in edited:
                    report.add("warn", "test_edited", f"{path.name} のテストセル「{gid}」が書き換えられていたため、元のテストで採点しました",
                               p.staff_id, p.module)
                if deleted:
                    data = json.dumps(fixed, ensure_ascii=False, indent=1).encode("utf-8")
        files[path.name] = data
    return files


def _finish(report: AutogradeReport, layout: CourseLayout, module: str, p: _Pending, res: StudentResult, cell_timeout: int) -> None:
    ts_text = p.files.get("timestamp.txt", b"").decode("utf-8", "replace").strip()
    if not res.ok:
        why = {"timeout": "制限時間を超えても終わらなかったため打ち切りました",
               "worker": "採点用のプロセスが異常終了しました"}.get(res.error, "nbgrader が採点できませんでした")
        if res.error == "nbgrader" and any(k in res.log for k in ("DeadKernelError", "Kernel died", "kernel died")):
            why = "実行中にPythonカーネルが停止しました（os._exit やメモリ不足などでプロセスが終わった可能性）"
        if res.log:  # the trainer can read the whole story
            atomic_write_text(layout.reports_dir / "autograde-logs" / f"{p.staff_id}-{module}.log", res.log + "\n")
        detail = next((ln.strip() for ln in reversed(res.log.splitlines()) if "rror" in ln), "")
        try:
            _record_failure(layout, module, p.staff_id, ts_text)
            recorded = "0点として記録しました。"
        except Exception as exc:  # the gradebook itself refused: say so, keep going
            recorded = f"成績データベースにも記録できませんでした（{exc.__class__.__name__}）。"
        report.add("error", "grading_failed", f"採点できませんでした：{why}。{recorded}提出物を確認して再採点してください"
                   + (f"（{detail[:200]}）" if detail else ""), p.staff_id, module)
        report.results[(p.staff_id, module)] = Graded(p.staff_id, module, 0.0, 0.0, "failed")
        return
    try:
        merged = _merge(layout, module, p, res, ts_text)
    except Exception as exc:
        report.add("error", "merge_failed", f"成績データベースへの書き込みに失敗しました（{exc.__class__.__name__}: {str(exc)[:200]}）",
                   p.staff_id, module)
        report.results[(p.staff_id, module)] = Graded(p.staff_id, module, 0.0, 0.0, "failed")
        return
    score, max_score = merged.pop("__total__")
    worker = {f"{nb}/{gid}": v for nb, cells in res.scores.items() for gid, v in cells.items()}
    if {k: v[0] for k, v in worker.items()} != {k: v[0] for k, v in merged.items() if k in worker}:
        report.add("error", "merge_mismatch", "採点結果の書き込みで点数が食い違いました。再採点してください（aidojo autograde --force）",
                   p.staff_id, module)
    _findings(report, p.staff_id, module, res.files, cell_timeout)
    report.results[(p.staff_id, module)] = Graded(p.staff_id, module, score, max_score, "graded")
    report.add("ok", "graded", f"{score:g} / {max_score:g} 点", p.staff_id, module)
