"""``aidojo feedback``: per-learner HTML feedback in Japanese with nbgrader generate_feedback; hidden tests hidden."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from aidojo.course.layout import CourseLayout, resolve_layout
from aidojo.course.nbgrader_cli import run_nbgrader
from aidojo.course.report import Report

TEMPLATES = Path(__file__).resolve().parent / "templates"
PREPROCESSORS = ["nbgrader.preprocessors.GetGrades", "aidojo.course.feedback_preprocessors.HideHiddenTestResults",
                 "nbgrader.preprocessors.ClearHiddenTests", "aidojo.course.feedback_preprocessors.JapaneseSummary",
                 "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor"]


def feedback_options() -> list[str]:
    """nbgrader options for Japanese feedback that never shows hidden tests (also set in nbgrader_config.py)."""
    import json

    return [f"--GenerateFeedback.preprocessors={json.dumps(PREPROCESSORS)}",
            "--HTMLExporter.template_name=feedback_ja", f"--HTMLExporter.extra_template_basedirs={TEMPLATES}"]


@dataclass
class FeedbackReport(Report):
    files: list[Path] = field(default_factory=list)

    def summary(self) -> str:
        return f"フィードバック {len(self.files)} 件を作成しました（{len(self.find(level='error'))} 件のエラー）"


def generate_feedback(modules: list[str] | None = None, *, students: list[str] | None = None,
                      layout: CourseLayout | None = None, db_url: str | None = None) -> FeedbackReport:
    """feedback/<staff_id>/<module>/<notebook>.html for every autograded submission of ``modules``."""
    layout = resolve_layout(layout, db_url=db_url)
    report = FeedbackReport("フィードバックの作成")
    wanted = list(modules) if modules else sorted({p.name for p in layout.autograded_dir.glob("*/*") if p.is_dir()})
    for module in wanted:
        graded = sorted(p.parent.name for p in layout.autograded_dir.glob(f"*/{module}") if p.is_dir()
                        and (not students or p.parent.name in students))
        if not graded:
            report.add("warn", "nothing_graded", "採点済みの提出がありません（先に aidojo autograde を実行してください）", module=module)
            continue
        for sid in graded:  # one call per learner: a broken one cannot stop the others
            proc = run_nbgrader(["generate_feedback", module, f"--student={sid}", "--force", *layout.overrides(),
                                 *feedback_options()], course_dir=layout.data_dir, check=False)
            out = sorted((layout.feedback_dir / sid / module).glob("*.html"))
            if proc.returncode != 0 or not out:
                tail = (proc.stdout + proc.stderr).strip().splitlines()[-1:] or [""]
                report.add("error", "feedback_failed", f"フィードバックを作れませんでした（{tail[0][:200]}）", sid, module)
                continue
            report.files.extend(out)
            report.add("ok", "feedback", f"{', '.join(p.name for p in out)} を作成しました", sid, module)
    report.save(layout.reports_dir, "feedback")
    return report
