"""Run nbgrader's own commands with the course's configuration (grader/nbgrader_config.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from aidojo.course.config import GRADER_DIR, course_data_dir


def nbgrader_env(course_dir: Path | None = None, extra: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for an nbgrader subprocess: our config dir first, offline model, course data folder."""
    env = dict(os.environ)
    env["AIDOJO_COURSE_DIR"] = str(course_dir or course_data_dir())
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(p for p in (str(GRADER_DIR), env.get("JUPYTER_CONFIG_PATH", "")) if p)
    env.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    env.setdefault("MPLBACKEND", "Agg")
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    env.pop("AIDOJO_PROVIDER", None)
    # nbgrader runs `alembic` from PATH: make sure this interpreter's bin folder is on it.
    env["PATH"] = os.pathsep.join((os.path.dirname(sys.executable), env.get("PATH", "")))
    if extra:
        env.update(extra)
    return env


def run_nbgrader(args: list[str], *, course_dir: Path | None = None, extra_env: dict[str, str] | None = None,
                 check: bool = True, timeout: float | None = None) -> subprocess.CompletedProcess:
    """``nbgrader ARGS`` run from grader/ so that nbgrader_config.py applies."""
    cmd = [sys.executable, "-m", "nbgrader", *args]
    proc = subprocess.run(cmd, cwd=GRADER_DIR, env=nbgrader_env(course_dir, extra_env), capture_output=True,
                          text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise RuntimeError(f"nbgrader {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return proc


def release(modules: list[str], *, course_dir: Path | None = None) -> None:
    """Regenerate exercises/<module>/ from solutions/<module>/ with nbgrader generate_assignment.

    Kept for existing callers; ``aidojo.course.release.release`` does the work (leak scan, atomic swap).
    """
    from aidojo.course.layout import CourseLayout
    from aidojo.course.release import release as _release

    _release(modules, layout=CourseLayout(data_dir=course_dir) if course_dir else None)
