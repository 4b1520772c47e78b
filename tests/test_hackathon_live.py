"""A team's real-model loop: `python -m pytest --live` in a project runs its tests and suite against the backend in
its .env (here a fake OpenAI-compatible server on 127.0.0.1), skipping only the checks written for the practice model."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from aidojo.hackathon import create_project
from tests.fake_openai_server import FakeOpenAIServer, error


@pytest.mark.slow
@pytest.mark.server
def test_pytest_live_uses_the_projects_env_backend(tmp_path):
    project = create_project("faq_bot", tmp_path / "team_live")
    with FakeOpenAIServer([(500, error(500, "down"), 0.0)]) as server:
        (project / ".env").write_text(f"AIDOJO_PROVIDER=compatible\nOPENAI_BASE_URL={server.base_url}\n", encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AIDOJO_", "OPENAI_", "AZURE_", "PYTEST_"))}
        env["GRADIO_ANALYTICS_ENABLED"] = "False"
        cmd = [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", "--live",
               "-k", "max_tokens or backend_failure or personal_data_and_injection"]
        proc = subprocess.run(cmd, cwd=project, env=env, capture_output=True, text=True, timeout=300)
        calls = len(server.requests)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert calls >= 1  # the tests reached the backend named in the project's .env
    assert "練習用オフラインモデルの答え方に合わせた確認" in proc.stdout  # offline-only checks skipped, and said why
    assert " passed" in proc.stdout and not (project / "logs").exists()
