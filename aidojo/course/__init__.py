"""nbgrader glue: the course definition, release, collect, parallel autograde, feedback."""

from aidojo.course.autograde import AutogradeReport, GradeStatus, autograde
from aidojo.course.collect import CollectReport, collect_exchange, collect_folder, collect_zip, release_to_exchange
from aidojo.course.config import REPO_ROOT, course_data_dir, load_course
from aidojo.course.feedback import FeedbackReport, generate_feedback
from aidojo.course.layout import CourseLayout
from aidojo.course.release import ReleaseError, release
from aidojo.course.sandbox import Limits, SandboxError
from aidojo.course.submission import SubmissionError, package_submission

__all__ = ["REPO_ROOT", "AutogradeReport", "GradeStatus", "Limits", "SandboxError", "CollectReport", "CourseLayout", "FeedbackReport", "ReleaseError",
           "SubmissionError", "autograde", "collect_exchange", "collect_folder", "collect_zip", "course_data_dir",
           "generate_feedback", "load_course", "package_submission", "release", "release_to_exchange"]
