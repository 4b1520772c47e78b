"""nbgrader glue: the course definition, release, collect, parallel autograde, feedback."""

from aidojo.course.config import REPO_ROOT, course_data_dir, load_course

__all__ = ["REPO_ROOT", "course_data_dir", "load_course"]
