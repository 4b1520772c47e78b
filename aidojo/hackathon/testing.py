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
