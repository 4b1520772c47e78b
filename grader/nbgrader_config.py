"""nbgrader configuration: the repository is the course.

solutions/ is nbgrader's source directory and exercises/ its release directory (both in git);
submitted/, autograded/, feedback/ and the gradebook live in the course data folder outside the repo
(AIDOJO_COURSE_DIR, default ~/.aidojo/course), because they hold staff names.
"""

import os
from pathlib import Path

c = get_config()  # noqa: F821  (provided by nbgrader)

REPO = Path(__file__).resolve().parent.parent
from aidojo.course.config import course_data_dir, load_course  # noqa: E402  (one place for both)

DATA = course_data_dir()
DATA.mkdir(parents=True, exist_ok=True)  # nbgrader's sqlite gradebook needs its folder to exist

c.CourseDirectory.course_id = load_course().id
c.CourseDirectory.root = str(REPO)
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"
# Absolute paths: os.path.join(root, absolute) keeps the absolute one, so these leave the repo.
c.CourseDirectory.submitted_directory = str(DATA / "submitted")
c.CourseDirectory.autograded_directory = str(DATA / "autograded")
c.CourseDirectory.feedback_directory = str(DATA / "feedback")
c.CourseDirectory.db_url = os.environ.get("AIDOJO_DB_URL") or f"sqlite:///{DATA / 'gradebook.db'}"
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".*"]

c.Exchange.root = os.environ.get("AIDOJO_EXCHANGE") or str(DATA / "exchange")
c.Exchange.path_includes_course = True

c.ClearSolutions.code_stub = {"python": "# ここに答えを書いてください\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "ここに答えを書いてください。"
# Text answers (prompts, choices) get an empty line instead of `raise NotImplementedError()` inside the string.
c.GenerateAssignment.preprocessors = [
    "nbgrader.preprocessors.IncludeHeaderFooter",
    "nbgrader.preprocessors.InstantiateTests",
    "nbgrader.preprocessors.LockCells",
    "aidojo.course.stubs.TextAwareClearSolutions",
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.CheckCellMetadata",
    "nbgrader.preprocessors.ComputeChecksums",
    "nbgrader.preprocessors.SaveCells",
    "nbgrader.preprocessors.ClearHiddenTests",
    "nbgrader.preprocessors.ClearMarkScheme",
    "nbgrader.preprocessors.ComputeChecksums",
    "nbgrader.preprocessors.CheckCellMetadata",
]
c.Execute.timeout = int(os.environ.get("AIDOJO_CELL_TIMEOUT") or 30)
c.Execute.interrupt_on_timeout = True
# Learner code runs only in aidojo autograde's sandbox: plain `nbgrader autograde` (and formgrader's autograde
# button) would run it in the trainer's kernel, so it is refused — except for the benchmark's baseline.
if os.environ.get("AIDOJO_PLAIN_NBGRADER") != "1":
    c.Autograde.autograde_preprocessors = ["aidojo.course.execute.RefusePlainAutograde"]

# Learners' feedback (nbgrader generate_feedback): Japanese template, a Japanese summary on top, and hidden
# tests hidden — their source (ClearHiddenTests) and their failing assert lines in tracebacks (our own
# preprocessor, which must run before ClearHiddenTests). Same as aidojo.course.feedback.feedback_options().
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "aidojo.course.feedback_preprocessors.HideHiddenTestResults",
    "nbgrader.preprocessors.ClearHiddenTests",
    "aidojo.course.feedback_preprocessors.JapaneseSummary",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
c.HTMLExporter.template_name = "feedback_ja"
c.HTMLExporter.extra_template_basedirs = [str(REPO / "aidojo" / "course" / "templates")]
