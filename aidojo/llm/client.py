"""``client()``: one ``openai``-compatible client for whichever backend is configured."""

from __future__ import annotations

import openai

from aidojo.llm.config import Settings, load_settings
from aidojo.llm.errors import LLMConfigError
from aidojo.llm.offline import async_offline_client, offline_client


def _check(settings: Settings) -> None:
    if settings.provider == "openai" and not settings.api_key:
        raise LLMConfigError("OPENAI_API_KEY が設定されていません。.env に OPENAI_API_KEY=... を書くか、"
                             "オフラインで練習するなら AIDOJO_PROVIDER=offline にしてください。")
    if settings.provider == "azure":
        missing = [name for name, v in (("AZURE_OPENAI_ENDPOINT", settings.base_url), ("AZURE_OPENAI_API_KEY", settings.api_key),
                                        ("OPENAI_API_VERSION", settings.api_version)) if not v]
        if missing:
            raise LLMConfigError("Azure OpenAI の設定が足りません：" + "、".join(missing) + " を .env に設定してください。")
    if settings.provider == "compatible" and not settings.base_url:
        raise LLMConfigError("OPENAI_BASE_URL が設定されていません（例：http://127.0.0.1:8080/v1）。"
                             "Ollama / vLLM / llama.cpp サーバーのURLを .env に設定してください。")


def client(settings: Settings | None = None) -> openai.OpenAI:
    """An ``openai.OpenAI`` (or ``AzureOpenAI``) client for the configured backend.

    While nbgrader grades (``NBGRADER_EXECUTION`` set) this is always the offline model.
    """
    settings = settings or load_settings()
    if settings.provider == "offline":
        return offline_client(timeout=settings.timeout)
    _check(settings)
    key = settings.api_key.get_secret_value() if settings.api_key else None
    if settings.provider == "azure":
        return openai.AzureOpenAI(azure_endpoint=settings.base_url, api_key=key, api_version=settings.api_version,
                                  timeout=settings.timeout, max_retries=settings.max_retries)
    return openai.OpenAI(api_key=key, base_url=settings.base_url, timeout=settings.timeout, max_retries=settings.max_retries)


def async_client(settings: Settings | None = None) -> openai.AsyncOpenAI:
    """The async twin of :func:`client` (for Gradio apps that use ``async def`` handlers)."""
    settings = settings or load_settings()
    if settings.provider == "offline":
        return async_offline_client(timeout=settings.timeout)
    _check(settings)
    key = settings.api_key.get_secret_value() if settings.api_key else None
    if settings.provider == "azure":
        return openai.AsyncAzureOpenAI(azure_endpoint=settings.base_url, api_key=key, api_version=settings.api_version,
                                       timeout=settings.timeout, max_retries=settings.max_retries)
    return openai.AsyncOpenAI(api_key=key, base_url=settings.base_url, timeout=settings.timeout, max_retries=settings.max_retries)


def model_name(settings: Settings | None = None, alias: str | None = None) -> str:
    """The model to request from the configured backend (``AIDOJO_MODEL`` or the backend default)."""
    return (settings or load_settings()).resolve_model(alias)
