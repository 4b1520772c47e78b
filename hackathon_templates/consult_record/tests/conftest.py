"""Fixtures for this template's tests: the app module and the offline model.

Paths are relative to this file, so the tests also pass in a project made with ``aidojo new``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from aidojo.hackathon.testing import load_app, use_offline_model

PROJECT = Path(__file__).resolve().parents[1]
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")


@pytest.fixture(scope="session")
def app():
    """This project's app.py, imported under a unique module name."""
    return load_app(PROJECT / "app.py")


@pytest.fixture(autouse=True)
def _isolated(monkeypatch, tmp_path):
    """Always the offline practice model; no .env of the project is read."""
    use_offline_model(monkeypatch, tmp_path)
