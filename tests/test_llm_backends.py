"""aidojo.llm against real HTTP servers on 127.0.0.1: backends, retries, Japanese errors, secrets."""

from __future__ import annotations

import openai
import pytest

from aidojo import llm
from aidojo.llm import LLMConfigError, LLMError, chat, client, load_settings, stream_chat
from tests.fake_openai_server import FakeOpenAIServer, completion, error

SECRET = "sk-test-SECRET-never-shown-0123456789"


def use_compatible(monkeypatch, base_url: str, **extra: str) -> None:
    monkeypatch.setenv("AIDOJO_PROVIDER", "compatible")
    monkeypatch.setenv("OPENAI_BASE_URL", base_url)
    for k, v in extra.items():
        monkeypatch.setenv(k, v)


def test_default_is_offline_and_needs_no_key():
    settings = load_settings()
    assert settings.provider == "offline"
    assert "offline" in client().models.list().data[0].id


def test_dotenv_is_read_and_environment_wins(tmp_path, monkeypatch):
    (tmp_path / ".env").write_text("AIDOJO_PROVIDER=compatible\nOPENAI_BASE_URL=http://127.0.0.1:9/v1\nAIDOJO_MODEL=from-dotenv\n")
    assert load_settings().provider == "compatible"
    assert load_settings().resolve_model() == "from-dotenv"
    monkeypatch.setenv("AIDOJO_MODEL", "from-env")
    assert load_settings().resolve_model() == "from-env"


def test_grading_always_uses_offline(monkeypatch):
    monkeypatch.setenv("AIDOJO_PROVIDER", "openai")
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    assert load_settings().provider == "offline"
    assert "資料によると" in chat("資料:\n[1] 窓口は9時に開きます。\n質問: 窓口は何時に開きますか？")


def test_unknown_provider_is_a_japanese_error(monkeypatch):
    monkeypatch.setenv("AIDOJO_PROVIDER", "gemini")
    with pytest.raises(LLMConfigError, match="AIDOJO_PROVIDER"):
        load_settings()


@pytest.mark.parametrize(
    ("provider", "env", "needle"),
    [
        ("openai", {}, "OPENAI_API_KEY"),
        ("azure", {"AZURE_OPENAI_API_KEY": SECRET}, "AZURE_OPENAI_ENDPOINT"),
        ("compatible", {}, "OPENAI_BASE_URL"),
    ],
)
def test_missing_configuration_names_the_variable(monkeypatch, provider, env, needle):
    monkeypatch.setenv("AIDOJO_PROVIDER", provider)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    with pytest.raises(LLMConfigError) as info:
        client()
    assert needle in str(info.value)
    assert SECRET not in str(info.value)


def test_model_aliases_resolve_per_backend(monkeypatch):
    monkeypatch.setenv("AIDOJO_PROVIDER", "openai")
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    monkeypatch.setenv("AIDOJO_MODEL", "smart")
    settings = load_settings()
    assert settings.resolve_model() == llm.MODEL_ALIASES["openai"]["smart"]
    assert settings.resolve_model("fast") == llm.MODEL_ALIASES["openai"]["fast"]
    assert SECRET not in repr(settings) and SECRET not in str(settings.describe())


def test_compatible_backend_round_trip_and_model(monkeypatch):
    with FakeOpenAIServer([(200, completion("こんにちは、テストです。"), 0)]) as server:
        use_compatible(monkeypatch, server.base_url, AIDOJO_MODEL="my-local")
        assert chat("やあ", system="丁寧に") == "こんにちは、テストです。"
    body = server.requests[0]
    assert body["model"] == "my-local"
    assert body["messages"][0] == {"role": "system", "content": "丁寧に"}


def test_openai_backend_sends_the_key_only_in_the_header(monkeypatch):
    with FakeOpenAIServer([(200, completion("ok"), 0)]) as server:
        monkeypatch.setenv("AIDOJO_PROVIDER", "openai")
        monkeypatch.setenv("OPENAI_API_KEY", SECRET)
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        assert chat("hi") == "ok"
    assert server.headers[0]["authorization"] == f"Bearer {SECRET}"
    assert SECRET not in str(server.requests[0])


def test_azure_backend_uses_deployment_and_api_version(monkeypatch):
    with FakeOpenAIServer([(200, completion("azure ok"), 0)]) as server:
        monkeypatch.setenv("AIDOJO_PROVIDER", "azure")
        monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", f"http://127.0.0.1:{server.port}")
        monkeypatch.setenv("AZURE_OPENAI_API_KEY", SECRET)
        monkeypatch.setenv("OPENAI_API_VERSION", "2024-10-21")
        monkeypatch.setenv("AIDOJO_MODEL", "city-gpt-deploy")
        assert isinstance(client(), openai.AzureOpenAI)
        assert chat("hi") == "azure ok"
    assert server.headers[0]["api-key"] == SECRET


def test_retries_429_and_5xx_then_succeeds(monkeypatch):
    steps = [(429, error(429, "slow down"), 0), (503, error(503, "busy"), 0), (200, completion("やっと成功"), 0)]
    with FakeOpenAIServer(steps) as server:
        use_compatible(monkeypatch, server.base_url, AIDOJO_MAX_RETRIES="3")
        assert chat("x") == "やっと成功"
    assert len(server.requests) == 3


@pytest.mark.parametrize(
    ("status", "body", "kind", "needle"),
    [
        (401, error(401, f"Incorrect API key provided: {SECRET}", "invalid_api_key"), "auth", "APIキー"),
        (404, error(404, "model not found", "model_not_found"), "not_found", "AIDOJO_MODEL"),
        (429, error(429, "You exceeded your current quota", "insufficient_quota"), "quota", "利用上限"),
        (429, error(429, "rate limited", "rate_limit_exceeded"), "rate_limit", "429"),
        (400, error(400, "The response was filtered due to content management policy", "content_filter"), "content_filter", "安全フィルター"),
        (500, error(500, "boom"), "server", "5xx"),
    ],
)
def test_failures_get_japanese_messages_without_secrets(monkeypatch, status, body, kind, needle):
    with FakeOpenAIServer([(status, body, 0)]) as server:
        use_compatible(monkeypatch, server.base_url, OPENAI_API_KEY=SECRET, AIDOJO_MAX_RETRIES="1")
        with pytest.raises(LLMError) as info:
            chat("x")
    assert info.value.kind == kind
    assert needle in str(info.value)
    assert SECRET not in str(info.value)


def test_content_filter_finish_reason_is_reported(monkeypatch):
    with FakeOpenAIServer([(200, completion("", finish_reason="content_filter"), 0)]) as server:
        use_compatible(monkeypatch, server.base_url)
        with pytest.raises(LLMError) as info:
            chat("x")
    assert info.value.kind == "content_filter"


def test_timeout_is_reported_in_japanese(monkeypatch):
    with FakeOpenAIServer([(200, completion("late"), 2.0)]) as server:
        use_compatible(monkeypatch, server.base_url, AIDOJO_TIMEOUT="0.3", AIDOJO_MAX_RETRIES="0")
        with pytest.raises(LLMError) as info:
            chat("x")
    assert info.value.kind == "timeout"
    assert "タイムアウト" in str(info.value)


def test_wrong_endpoint_is_a_connection_error(monkeypatch):
    from tests.conftest import free_port

    use_compatible(monkeypatch, f"http://127.0.0.1:{free_port()}/v1", AIDOJO_MAX_RETRIES="0")
    with pytest.raises(LLMError) as info:
        list(stream_chat("x"))
    assert info.value.kind == "connection"
    assert "接続" in str(info.value)


def test_scripted_client_drives_real_sdk_errors():
    fake = llm.scripted_client([429, '{"ok": true}'])
    with pytest.raises(openai.RateLimitError):
        fake.chat.completions.create(model="m", messages=[{"role": "user", "content": "x"}])
    reply = fake.chat.completions.create(model="m", messages=[{"role": "user", "content": "x"}])
    assert reply.choices[0].message.content == '{"ok": true}'
    assert fake.transport.calls == 2
    retrying = llm.scripted_client([500, 500, "done"], max_retries=2)
    assert chat("x", client=retrying) == "done"
    assert retrying.transport.calls == 3
