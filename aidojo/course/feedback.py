"""``aidojo feedback``: per-learner HTML feedback in Japanese, rendered in parallel worker processes.

Each page is nbgrader's feedback (its ``GetGrades`` preprocessor on the autograded notebook, our Japanese
template) rendered in-process with nbconvert instead of one ``nbgrader generate_feedback`` process per learner:
the autograded notebooks hold the judge's verdicts, never test code, so nothing is hidden afterwards. The files
land where ``nbgrader release_feedback`` looks for them (feedback/<staff_id>/<module>/<notebook>.html).
"""

from __future__ import annotations

import shutil
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

from aidojo.course.layout import CourseLayout, resolve_layout
from aidojo.course.report import Report

TEMPLATES = Path(__file__).resolve().parent / "templates"


@dataclass
class FeedbackReport(Report):
    files: list[Path] = field(default_factory=list)
    wall_s: float = 0.0

    def summary(self) -> str:
        return (f"フィードバック {len(self.files)} 件を作成しました（{len(self.find(level='error'))} 件のエラー、"
                f"{self.wall_s:.1f} 秒）")


def render_one(db_url: str, autograded: str, feedback: str, staff_id: str, module: str, course_id: str) -> list[str]:
    """Render every autograded notebook of one learner's module; returns the written paths (runs in a worker)."""
    import warnings

    import nbformat
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
    from nbgrader.preprocessors import GetGrades

    from aidojo.course.feedback_preprocessors import JapaneseSummary
    from aidojo.fileio import atomic_write_text

    source, target = Path(autograded), Path(feedback)
    written = []
    import nbgrader

    bootstrap = Path(nbgrader.__file__).parent / "server_extensions/formgrader/static/node_modules/bootstrap/dist/css"
    exporter = HTMLExporter(template_name="feedback_ja", extra_template_basedirs=[str(TEMPLATES)],
                            extra_template_paths=[str(bootstrap)])  # as nbgrader's GenerateFeedback sets them
    for preprocessor in (GetGrades(), JapaneseSummary(), CSSHTMLHeaderPreprocessor()):
        exporter.register_preprocessor(preprocessor, enabled=True)
    for path in sorted(source.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        resources = {"nbgrader": {"notebook": path.stem, "assignment": module, "student": staff_id, "db_url": db_url,
                                  "course_id": course_id}}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            html, _ = exporter.from_notebook_node(nb, resources=resources)
        written.append(str(atomic_write_text(target / f"{path.stem}.html", html)))
    stamp = source / "timestamp.txt"
    if stamp.is_file():
        shutil.copyfile(stamp, target / "timestamp.txt")
    return written


def _context():
    """Fork where there is fork (fast, and works from any main module); spawn elsewhere."""
    import multiprocessing

    return get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")


def generate_feedback(modules: list[str] | None = None, *, students: list[str] | None = None, workers: int = 2,
                      layout: CourseLayout | None = None, db_url: str | None = None) -> FeedbackReport:
    """feedback/<staff_id>/<module>/<notebook>.html for every autograded submission of ``modules``."""
    from aidojo.course.gradebook import course_id

    layout = resolve_layout(layout, db_url=db_url)
    started = time.perf_counter()
    report = FeedbackReport("フィードバックの作成")
    wanted = list(modules) if modules else sorted({p.name for p in layout.autograded_dir.glob("*/*") if p.is_dir()})
    jobs = []
    for module in wanted:
        graded = sorted(p.parent.name for p in layout.autograded_dir.glob(f"*/{module}") if p.is_dir()
                        and (not students or p.parent.name in students))
        if not graded:
            report.add("warn", "nothing_graded", "採点済みの提出がありません（先に aidojo autograde を実行してください）", module=module)
        jobs += [(sid, module) for sid in graded]
    if jobs:
        cid = course_id(layout)
        with ProcessPoolExecutor(max_workers=max(1, min(workers, len(jobs))), mp_context=_context()) as pool:
            futures = {pool.submit(render_one, layout.db_url, str(layout.autograded_dir / sid / module),
                                   str(layout.feedback_dir / sid / module), sid, module, cid): (sid, module)
                       for sid, module in jobs}
            for future in as_completed(futures):
                sid, module = futures[future]
                try:
                    out = [Path(p) for p in future.result()]
                except Exception as exc:  # one learner's page must not stop the others
                    report.add("error", "feedback_failed", f"フィードバックを作れませんでした（{exc.__class__.__name__}: "
                               f"{str(exc)[:200]}）", sid, module)
                    continue
                report.files.extend(out)
                report.add("ok", "feedback", f"{', '.join(p.name for p in out)} を作成しました", sid, module)
    report.wall_s = time.perf_counter() - started
    report.save(layout.reports_dir, "feedback")
    return report
