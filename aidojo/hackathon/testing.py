"""Test helpers for templates: load an ``app.py`` under a unique module name; run an app on 127.0.0.1."""

from __future__ import annotations

import itertools
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

_counter = itertools.count()


def load_app(app_path: str | Path, name: str | None = None) -> ModuleType:
    """Import ``app_path`` as a fresh module (several templates' ``app.py`` can be loaded side by side)."""
    from aidojo.evals.targets import load_module_file

    path = Path(app_path).resolve()
    return load_module_file(path, name or f"aidojo_app_{path.parent.name}_{next(_counter)}")


BACKEND_VARIABLES = ("AIDOJO_PROVIDER", "AIDOJO_MODEL", "OPENAI_API_KEY", "OPENAI_BASE_URL", "AZURE_OPENAI_ENDPOINT",
                     "AZURE_OPENAI_API_KEY", "OPENAI_API_VERSION", "NBGRADER_EXECUTION")


def use_offline_model(monkeypatch, workdir: Path) -> None:
    """In a test: no backend variable or key from the environment, and no project .env (cwd = ``workdir``)."""
    for name in BACKEND_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(workdir)


# --- a team's real-model loop: `python -m pytest --live` (or AIDOJO_LIVE=1) --------------------------------

LIVE_ENV = "AIDOJO_LIVE"
LIVE_SKIP_JA = "練習用オフラインモデルの答え方に合わせた確認なので、本物のAI（--live）では行いません"


def add_live_option(parser) -> None:
    """Register ``--live`` (from a template's conftest; several conftests may call it in one run)."""
    try:
        parser.addoption("--live", action="store_true", default=False,
                         help="練習用オフラインモデルではなく、.env で設定した本物のAIでテストとシナリオ集を実行する")
    except ValueError:  # already added by another template's conftest
        pass


def live_mode(config) -> bool:
    """True with ``--live`` or ``AIDOJO_LIVE=1``: tests run against the backend configured in .env / the environment."""
    import os

    flag = False
    try:
        flag = bool(config.getoption("--live"))
    except ValueError:
        flag = False
    return flag or os.environ.get(LIVE_ENV, "").strip().lower() in ("1", "true", "yes")


def isolate(monkeypatch, workdir: Path, *, live: bool, project: Path) -> Path:
    """Set up one template test: the offline model (or, live, the project's own backend settings and .env), and
    handoff records in ``workdir`` instead of the team's logs/handoff.jsonl. Returns the log path."""
    from aidojo.evals import HANDOFF_LOG_ENV

    if live:
        monkeypatch.chdir(project)  # the project's .env is found from here
    else:
        use_offline_model(monkeypatch, workdir)
    log = Path(workdir) / "handoff.jsonl"
    monkeypatch.setenv(HANDOFF_LOG_ENV, str(log))
    return log


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def launched(demo, port: int | None = None) -> Iterator[str]:
    """Launch a Gradio app on 127.0.0.1 in this process; yield its URL; close it afterwards."""
    port = port or free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True, show_error=True)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        demo.close()


def scenario_report(suite_path: str | Path, target=None):
    """Run a scenario suite (``aidojo.evals``) against a callable (default: the suite's own target)."""
    from aidojo.evals import load_suite, run_suite

    return run_suite(load_suite(Path(suite_path)), target)


def failures_text(report) -> str:
    """The failed scenarios of a report, one line each (for an assert message)."""
    lines = [f"{report.summary_line()}"]
    lines += [f"{r.id} [{r.category}] {r.question}: {'; '.join(r.failures) or r.error}" for r in report.failed]
    return "\n".join(lines)


def scenarios(suite_path: str | Path, category: str | None = None) -> list:
    """The scenarios of a suite (of one ``category``), so a test takes its examples from the project's own suite."""
    from aidojo.evals import load_suite

    suite = load_suite(Path(suite_path))
    return [s for s in suite.scenarios if category is None or s.category == category]
