"""`aidojo doctor`: Japanese report, real round trip, non-zero exit on a problem, no secrets."""

from __future__ import annotations

from typer.testing import CliRunner

from aidojo.cli import app
from tests.fake_openai_server import FakeOpenAIServer, error

SECRET = "sk-doctor-SECRET-0123456789abcdef"


def test_doctor_offline_ok():
    result = CliRunner().invoke(app, ["doctor"])
    assert result.exit_code == 0, result.output
    assert "provider: offline" in result.output and "✅ 応答あり" in result.output
    assert "✅ nbgrader 0.9.6" in result.output
    assert "問題ありません" in result.output


def test_doctor_missing_key_exits_non_zero_with_advice(monkeypatch):
    monkeypatch.setenv("AIDOJO_PROVIDER", "openai")
    result = CliRunner().invoke(app, ["doctor"])
    assert result.exit_code == 1
    assert "OPENAI_API_KEY が設定されていません" in result.output


def test_doctor_wrong_key_never_prints_it(monkeypatch):
    with FakeOpenAIServer([(401, error(401, f"Incorrect API key provided: {SECRET}", "invalid_api_key"), 0)]) as server:
        monkeypatch.setenv("AIDOJO_PROVIDER", "openai")
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", SECRET)
        result = CliRunner().invoke(app, ["doctor"])
    assert result.exit_code == 1
    assert "APIキーが正しくありません" in result.output and "設定済み（表示しません）" in result.output
    assert SECRET not in result.output
