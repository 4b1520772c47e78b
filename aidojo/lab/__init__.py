"""The learner's JupyterLab: Japanese menus, wrapped lines, no nbgrader instructor tools.

One call gives what a JupyterLab server needs to start as a learner's (or a trainer's) lab::

    from aidojo.lab import lab_settings

    s = lab_settings()                      # learner
    subprocess.run([sys.executable, "-m", "jupyterlab", *s.args], env={**os.environ, **s.env})

    # JupyterHub (one server per staff member): the same settings for every spawned server
    s = lab_settings(root="/srv/aidojo/lab")
    c.Spawner.args = s.args
    c.Spawner.environment = s.env

What it sets (all of it written as plain files under ``root``; nothing in the Python environment changes):

- ``<root>/<role>/settings/overrides.json`` — JupyterLab's default settings: the Japanese language pack
  (``jupyterlab-language-pack-ja-JP``), line wrap in code and Markdown cells (long Japanese lines in answer
  cells stay on screen), no news or update pop-ups (the workshop machine has no internet).
- ``<root>/<role>/settings/page_config.json`` — for learners, nbgrader's instructor plugins are disabled:
  Create Assignment, Formgrader, Course List, Validate (with its English traceback dialog) and the Nbgrader
  menu that opens them. The student's Assignment List stays (command palette), for an nbgrader exchange.
- ``args`` — ``--LabApp.app_settings_dir`` pointing at that folder and, for learners, nbgrader's
  formgrader, course list and validate server extensions switched off (command-line settings win over the
  environment's ``jupyter_server_config.d``) and the extension manager read-only (no PyPI search).
- ``env`` — ``AIDOJO_LAB_ROLE`` (``learner`` / ``trainer``), ``GRADIO_ANALYTICS_ENABLED=False``.

A trainer (``instructor=True``) gets the same Japanese lab with every nbgrader tool. Hand-written: JupyterLab
reads these files itself; no library writes them.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from aidojo.fileio import atomic_write_text

LOCALE = "ja_JP"

# nbgrader 0.9's lab plugins that only a trainer needs (ids from its labextension).
INSTRUCTOR_PLUGINS: tuple[str, ...] = (
    "@jupyter/nbgrader:create-assignment",
    "@jupyter/nbgrader:formgrader",
    "@jupyter/nbgrader:course-list",
    "@jupyter/nbgrader:validate-assignment",
    "@jupyter/nbgrader:menu",
)
# ... and its server extensions behind them (assignment_list is the student's and stays on).
INSTRUCTOR_SERVER_EXTENSIONS: tuple[str, ...] = (
    "nbgrader.server_extensions.formgrader",
    "nbgrader.server_extensions.course_list",
    "nbgrader.server_extensions.validate_assignment",
)

OVERRIDES: dict[str, dict] = {
    "@jupyterlab/translation-extension:plugin": {"locale": LOCALE},
    "@jupyterlab/notebook-extension:tracker": {
        "codeCellConfig": {"lineNumbers": False, "lineWrap": True},
        "markdownCellConfig": {"lineNumbers": False, "lineWrap": True},
        "rawCellConfig": {"lineNumbers": False, "lineWrap": True},
    },
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
}


@dataclass(frozen=True)
class LabSettings:
    """What a JupyterLab server needs: extra environment variables and command-line arguments."""

    env: dict[str, str]
    args: list[str]
    settings_dir: Path
    instructor: bool = False
    disabled_plugins: tuple[str, ...] = field(default_factory=tuple)


def default_root() -> Path:
    """Where the settings files live: ``$AIDOJO_LAB_DIR``, else ``~/.aidojo/lab``."""
    return Path(os.environ.get("AIDOJO_LAB_DIR") or Path.home() / ".aidojo" / "lab")


def _write_json(path: Path, data: dict) -> None:
    text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        atomic_write_text(path, text)


def lab_settings(instructor: bool = False, *, root: str | os.PathLike | None = None,
                 assignments: bool = False) -> LabSettings:
    """Write the settings files for a learner's (or, with ``instructor``, a trainer's) lab and return how to use them.

    ``assignments`` (a learner on the hub, where exercises come through nbgrader's exchange) keeps the Nbgrader
    menu, which then offers only the Assignment List: the instructor tools it would open stay disabled.
    """
    role = "trainer" if instructor else "hub-learner" if assignments else "learner"
    settings_dir = Path(root or default_root()).expanduser().resolve() / role / "settings"
    disabled = () if instructor else tuple(p for p in INSTRUCTOR_PLUGINS if not (assignments and p.endswith(":menu")))
    _write_json(settings_dir / "overrides.json", OVERRIDES)
    _write_json(settings_dir / "page_config.json", {"disabledExtensions": list(disabled)})
    args = [f"--LabApp.app_settings_dir={settings_dir}"]
    if not instructor:
        args += [f"--ServerApp.jpserver_extensions={name}=False" for name in INSTRUCTOR_SERVER_EXTENSIONS]
        args.append("--LabApp.extension_manager=readonly")  # no PyPI search panel for learners
    env = {"AIDOJO_LAB_ROLE": role, "GRADIO_ANALYTICS_ENABLED": "False"}
    return LabSettings(env=env, args=args, settings_dir=settings_dir, instructor=instructor, disabled_plugins=disabled)


__all__ = ["LabSettings", "lab_settings", "default_root", "INSTRUCTOR_PLUGINS", "INSTRUCTOR_SERVER_EXTENSIONS", "OVERRIDES", "LOCALE"]
