"""The Japanese JupyterLab for hub users, and the nbgrader tools each role sees.

Learners get the Japanese language pack selected, nbgrader's Assignments tab (fetch, submit, fetch feedback)
and nothing of the instructor's tools (formgrader, create-assignment, course list). Trainers keep everything.
``aidojo.lab.lab_settings`` (the same settings as ``aidojo lab``) gives their env and args.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from aidojo.course.config import load_course
from aidojo.hub.settings import HubSettings

COURSE_ID = load_course().id  # grader/course.toml: the one place the course id is set
LOCALE = "ja_JP"
TRANSLATION_SETTINGS = Path(".jupyter/lab/user-settings/@jupyterlab/translation-extension/plugin.jupyterlab-settings")
INSTRUCTOR_LAB_PLUGINS = ("@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
                          "@jupyter/nbgrader:course-list")
NEWS_PLUGIN = "@jupyterlab/apputils-extension:announcements"
INSTRUCTOR_SERVER_EXTENSIONS = ("nbgrader.server_extensions.formgrader", "nbgrader.server_extensions.course_list")

LEARNER_NBGRADER_CONFIG = '''"""nbgrader for a learner on the AI Dojo hub (written by aidojo hub; do not edit)."""
import os

c = get_config()  # noqa: F821
c.CourseDirectory.course_id = "{course}"
c.Exchange.root = {exchange!r}
c.Exchange.path_includes_course = True
# The identity is the hub login (JUPYTERHUB_USER), never the OS account name.
c.CourseDirectory.student_id = os.environ.get("JUPYTERHUB_USER") or "*"
'''


def pedagogy_settings(instructor: bool, root: str | os.PathLike | None = None) -> tuple[dict[str, str], list[str]]:
    """The learner's (or trainer's) Japanese JupyterLab of ``aidojo.lab`` as (env, args), its settings written under
    ``root`` (a folder every user's server can read, next to the learners' Jupyter config)."""
    from aidojo.lab import lab_settings

    found = lab_settings(instructor=instructor, root=root, assignments=not instructor)
    return dict(found.env), list(found.args)


def learner_config_dir(settings: HubSettings) -> Path:
    """``<hub_dir>/jupyter/learner``: on learners' JUPYTER_CONFIG_PATH (nbgrader exchange, hidden instructor tools)."""
    return Path(settings.hub_dir) / "jupyter" / "learner"


def write_learner_config(settings: HubSettings) -> Path:
    """(Re)write the learners' Jupyter configuration folder; returns it."""
    folder = learner_config_dir(settings)
    (folder / "labconfig").mkdir(parents=True, exist_ok=True)
    server = {"ServerApp": {"jpserver_extensions": {name: False for name in INSTRUCTOR_SERVER_EXTENSIONS},
                            "terminals_enabled": bool(settings.learner_terminals)}}
    (folder / "jupyter_server_config.json").write_text(json.dumps(server, indent=1), encoding="utf-8")
    # no instructor tools, and no "fetch Jupyter news?" prompt from the internet (closed networks, a calm screen)
    page = {"disabledExtensions": {name: True for name in (*INSTRUCTOR_LAB_PLUGINS, NEWS_PLUGIN)}}
    (folder / "labconfig" / "page_config.json").write_text(json.dumps(page, indent=1), encoding="utf-8")
    (folder / "nbgrader_config.py").write_text(LEARNER_NBGRADER_CONFIG.format(course=COURSE_ID, exchange=str(settings.exchange)),
                                               encoding="utf-8")
    for path in (folder, folder / "labconfig"):
        os.chmod(path, 0o755)
    return folder


def select_japanese(home: Path, owner: tuple[int, int] | None = None) -> Path:
    """Choose the Japanese language pack in ``home``'s JupyterLab settings, unless the user already chose one."""
    path = Path(home) / TRANSLATION_SETTINGS
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"locale": LOCALE}), encoding="utf-8")
        if owner:
            for rel in [path.relative_to(home), *path.relative_to(home).parents][:-1]:  # all but "."
                os.chown(Path(home) / rel, *owner)
    return path
