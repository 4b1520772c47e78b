"""Fixtures for this template's tests: the app module, the model, handoff records in a temp folder.

Offline (the practice model) by default. `python -m pytest --live` (or AIDOJO_LIVE=1) runs the same tests and the
scenario suite against the AI configured in .env; tests written for the practice model's wording are skipped then.
Paths are relative to this file, so the tests also pass in a project made with ``aidojo new``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from aidojo.hackathon.testing import LIVE_SKIP_JA, add_live_option, isolate, live_mode, load_app

PROJECT = Path(__file__).resolve().parents[1]
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")


def pytest_addoption(parser):
    add_live_option(parser)


@pytest.fixture(scope="session")
def live(pytestconfig) -> bool:
    return live_mode(pytestconfig)


@pytest.fixture(scope="session")
def app():
    """This project's app.py, imported under a unique module name."""
    return load_app(PROJECT / "app.py")


@pytest.fixture(autouse=True)
def handoff_log(app, monkeypatch, tmp_path, live) -> Path:
    """The offline model (or, live, the project's AI); handoff records go to a temp file, not logs/handoff.jsonl."""
    if hasattr(app, "policy"):
        monkeypatch.setattr(app.policy, "events", [])
    return isolate(monkeypatch, tmp_path, live=live, project=PROJECT)


@pytest.fixture
def offline_only(live):
    if live:
        pytest.skip(LIVE_SKIP_JA)
