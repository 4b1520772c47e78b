"""Shared fixtures: an isolated environment per test, free ports, and 'required in CI' skips."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from aidojo.hackathon.testing import free_port, use_offline_model  # noqa: F401  (free_port re-exported for tests)

REPO = Path(__file__).resolve().parents[1]

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("MPLBACKEND", "Agg")


def require(condition: bool, reason: str) -> None:
    """Skip when ``condition`` is false, but fail in CI (AIDOJO_REQUIRE_ALL=1): nothing is silently skipped there."""
    if condition:
        return
    if os.environ.get("AIDOJO_REQUIRE_ALL"):
        pytest.fail(f"required in CI but missing: {reason}")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch, tmp_path):
    """No real backend or key leaks into a test; course data goes to a temp folder."""
    use_offline_model(monkeypatch, tmp_path)  # and no stray .env from the checkout is read
    monkeypatch.setenv("AIDOJO_COURSE_DIR", str(tmp_path / "course"))


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def postgres_url():
    """A throw-away PostgreSQL server (scripts/pgtemp.py: initdb in a temp dir, unix socket only), stopped afterwards."""
    from scripts.pgtemp import pg_bindir, temporary_postgres

    require(pg_bindir() is not None, "PostgreSQL server binaries (Debian package postgresql) are not installed")
    with temporary_postgres() as url:
        yield url
